import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // HR's request to give pool customers to a (new) rep, decided through the platform's approval flow (DESIGN §7).
  await db.schema
    .createTable('assignment_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('assignee_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('requested_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    // pending → approved | refused | withdrawn | expired; failed when the platform never took the approval.
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    // HR's onboarding override of the pool cap; audited in the ledger evidence of every row it assigns.
    .addColumn('override_cap', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('approval_instance_id', 'varchar(128)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    // JSON: what applying the result did ({assigned, skipped:[{customerId, reason}]}), or why the start failed.
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('assignment_requests_tenant').on('assignment_requests').columns(['tenant_id', 'status', 'id']).execute();
  await db.schema
    .createIndex('assignment_requests_instance')
    .on('assignment_requests')
    .columns(['tenant_id', 'approval_instance_id'])
    .execute();
  // The customers of a request, with what became of each.
  await db.schema
    .createTable('assignment_items')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('assignment_id', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    // reserved → assigned | released | skipped.
    .addColumn('state', 'varchar(10)', (c) => c.notNull())
    .addColumn('note', 'varchar(200)')
    .addPrimaryKeyConstraint('assignment_items_pk', ['assignment_id', 'customer_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('assignment_items').execute();
  await db.schema.dropTable('assignment_requests').execute();
}
