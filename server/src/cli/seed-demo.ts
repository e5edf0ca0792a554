import { migrateToLatest } from '../db/migrate';
import { seedDemoLocally } from '../demo/seed-demo-locally';
import { createRuntime } from '../runtime';

/** `npm run seed:demo`: migrates, then creates the demo tenants, org, pools and customers (once). */
async function run(): Promise<void> {
  const deps = createRuntime();
  try {
    await migrateToLatest(deps.db);
    const result = await seedDemoLocally({ config: deps.config, db: deps.db, clock: deps.clock, log: (l) => process.stdout.write(`${l}\n`) });
    if (!result.created) process.stdout.write('演示数据已存在，未做改动（删除 DATA_DIR 可重新生成）。\n');
    for (const t of result.tenants) process.stdout.write(`演示企业 ${t.id}：${t.customers} 个客户（公海 ${t.poolCustomers}，已领取 ${t.owned}）\n`);
  } finally {
    await deps.db.destroy();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
