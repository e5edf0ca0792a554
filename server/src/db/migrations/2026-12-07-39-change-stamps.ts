import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One version per tenant and topic (issue 20 item 4): a change bumps it, every process polls the table and drops its
  // cached copies of the topic when the version moved (db/change-stamps.ts).
  await db.schema
    .createTable('change_stamps')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('topic', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_stamps_pk', ['tenant_id', 'topic'])
    .execute();
  // The tenant's intraday dashboard checkpoint (today.service.ts), shared by every process: one row per tenant, the
  // newest built; `body` is the checkpoint as JSON (a day's stretch can pass 64 KB: longtext on MySQL).
  await db.schema
    .createTable('dashboard_checkpoints')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('built_at', 'bigint', (c) => c.notNull())
    .addColumn('body', sql`longtext`, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dashboard_checkpoints').execute();
  await db.schema.dropTable('change_stamps').execute();
}
