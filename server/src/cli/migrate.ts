import { loadDatabaseConfig } from '@gonghai/config';
import { createDb } from '../db/create-db';
import { migrateToLatest } from '../db/migrate';

/**
 * `npm run migrate`: brings the configured database (SQLite or MySQL) to the newest schema — the deploy step before
 * the new version's instances start. On MySQL it holds the cluster-wide lock row, so running it from several places
 * at once is safe. Needs only DATABASE_URL: the secrets are the servers' business.
 */
async function run(): Promise<void> {
  const { database } = loadDatabaseConfig();
  const db = createDb(database);
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length ? `已执行 ${applied.length} 个迁移：\n${applied.map((n) => `  ${n}`).join('\n')}\n` : '数据库已是最新，无需迁移。\n');
  } finally {
    await db.destroy();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
