import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per merge of two customer records (issue 19 item 4). Visits and photos move to the survivor; their evidence
  // entries keep signing the merged id, and verification accepts the difference through the chained merges (each row
  // has an evidence entry of kind `merge`).
  await db.schema
    .createTable('customer_merges')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('merged_id', 'integer', (c) => c.notNull())
    .addColumn('into_id', 'integer', (c) => c.notNull())
    .addColumn('merged_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_merges_tenant').on('customer_merges').columns(['tenant_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customer_merges').execute();
}
