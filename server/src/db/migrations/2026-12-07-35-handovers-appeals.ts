import type { Kysely } from 'kysely';

/**
 * Issue 19 items 6 and 7. `pending_handovers`: a leaver's customers, under the `successor` departure policy, wait for
 * the manager to pick a successor until `due_at`, then go to the pool. `appeals`: a rep disputes a reclaim (one appeal
 * per reclaim ledger row, so at most one open per customer) and a manager accepts or declines it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_handovers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('manager_id', 'varchar(64)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('customers', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'varchar(64)')
    .addColumn('to_user_id', 'varchar(64)')
    .execute();
  await db.schema.createIndex('pending_handovers_due').on('pending_handovers').columns(['tenant_id', 'status', 'due_at']).execute();
  await db.schema.createIndex('pending_handovers_user').on('pending_handovers').columns(['tenant_id', 'user_id', 'status']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('reclaim_event_id', 'integer', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'varchar(64)')
    .addColumn('decided_at', 'bigint')
    .addColumn('decision_note', 'varchar(500)')
    .execute();
  await db.schema.createIndex('appeals_reclaim').on('appeals').columns(['tenant_id', 'reclaim_event_id']).unique().execute();
  await db.schema.createIndex('appeals_status').on('appeals').columns(['tenant_id', 'status', 'id']).execute();
  await db.schema.createIndex('appeals_customer').on('appeals').columns(['tenant_id', 'customer_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('appeals').execute();
  await db.schema.dropTable('pending_handovers').execute();
}
