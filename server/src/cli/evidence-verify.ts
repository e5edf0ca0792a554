import { parseArgs } from 'node:util';
import { verifyEvidence } from '../modules/evidence/evidence.service';
import { listTenants } from '../modules/tenants/tenants.repository';
import { createRuntime } from '../runtime';

/**
 * `npm run evidence:verify [-- --tenant ID]`: recomputes every tenant's evidence chain from the stored rows and photo
 * files and names the first broken entry. Exits 1 when any chain is broken.
 */
async function run(): Promise<number> {
  const { values } = parseArgs({ options: { tenant: { type: 'string' } }, strict: true });
  const deps = createRuntime();
  try {
    const tenants = (await listTenants(deps.db)).filter((t) => values.tenant === undefined || t.id === values.tenant);
    if (tenants.length === 0) {
      process.stderr.write(values.tenant === undefined ? '还没有任何企业。\n' : `没有企业 ${values.tenant}。\n`);
      return values.tenant === undefined ? 0 : 1;
    }
    let broken = 0;
    for (const tenant of tenants) {
      process.stdout.write(`正在校验 ${tenant.id} 的存证链…\n`);
      const result = await verifyEvidence(deps.db, deps.photos, deps.evidenceKey, tenant.id, deps.clock.now());
      if (result.ok) {
        process.stdout.write(`  完好：${result.entries} 条存证全部校验通过。\n`);
      } else {
        broken += 1;
        // A record nobody chained breaks no entry: the chain itself is intact, the record is not in it.
        const where = result.firstBrokenSeq === null ? '有未入链的记录。' : `第 ${result.firstBrokenSeq} 条起不可信。`;
        process.stdout.write(`  已损坏：${where}${result.reason ?? ''}\n`);
      }
    }
    return broken === 0 ? 0 : 1;
  } finally {
    await deps.db.destroy();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
