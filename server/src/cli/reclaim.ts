import { parseArgs } from 'node:util';
import { runSweep } from '../modules/reclaim/sweep.service';
import { listTenants } from '../modules/tenants/tenants.repository';
import { createRuntime } from '../runtime';

const usage = '用法：npm run reclaim -- [--tenant 企业编号] [--now 2026-11-17T02:00:00+08:00] [--dry-run]';

/**
 * `npm run reclaim -- [--tenant ID] [--now ISO] [--dry-run]`: runs the reclaim sweep (or previews it) for one or all
 * tenants and prints a JSON summary per tenant — the same shape either way.
 */
async function run(): Promise<number> {
  const { values } = parseArgs({ options: { tenant: { type: 'string' }, now: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const now = values.now === undefined ? undefined : Date.parse(values.now);
  if (now !== undefined && Number.isNaN(now)) {
    process.stderr.write(`--now 需要 ISO 时间，例如 2026-11-17T02:00:00+08:00，收到「${values.now}」。\n${usage}\n`);
    return 1;
  }
  const deps = createRuntime();
  try {
    const tenants = (await listTenants(deps.db)).filter((t) => values.tenant === undefined || t.id === values.tenant);
    if (values.tenant !== undefined && tenants.length === 0) {
      process.stderr.write(`没有企业 ${values.tenant}（npm run tenant -- list 查看）。\n`);
      return 1;
    }
    const summaries = [];
    for (const tenant of tenants) {
      summaries.push(await runSweep(deps, tenant.id, { now: now ?? deps.clock.now(), dryRun: values['dry-run'] === true }));
    }
    process.stdout.write(`${JSON.stringify(values.tenant === undefined ? summaries : summaries[0], null, 2)}\n`);
    return 0;
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
