import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Who changed what on a customer, for its timeline (issue 19 item 5): field edits, contacts added, edited or removed,
  // and other records merged into it. A merge names the merged record: its visits and photos keep that id, because
  // their evidence entries sign it, and the survivor's profile reads them through this row.
  await db.schema
    .createTable('customer_edits')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(24)', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('merged_customer_id', 'integer')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_edits_customer').on('customer_edits').columns(['tenant_id', 'customer_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customer_edits').execute();
}
