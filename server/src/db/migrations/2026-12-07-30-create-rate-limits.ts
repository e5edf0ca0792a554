import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Rate-limit counters in the database every server process shares (DESIGN §15): one row per limit and key, a fixed
  // window that restarts when expires_at has passed. Expired rows are pruned by expires_at.
  await db.schema
    .createTable('rate_limits')
    .addColumn('limit_key', 'varchar(191)', (c) => c.notNull().primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expires_at').on('rate_limits').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
