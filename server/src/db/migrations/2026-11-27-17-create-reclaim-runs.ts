import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per (tenant, run date): a second run of the same date finds it and changes nothing.
  await db.schema
    .createTable('reclaim_runs')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('run_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('summary', 'text')
    .addPrimaryKeyConstraint('reclaim_runs_pk', ['tenant_id', 'run_date'])
    .execute();
  // Each reminder (customer, rule, days before, anchor) is sent once, whatever reruns happen.
  await db.schema
    .createTable('reclaim_reminders')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('rule_id', 'integer', (c) => c.notNull())
    .addColumn('days_before', 'integer', (c) => c.notNull())
    .addColumn('anchor', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reclaim_reminders_pk', ['tenant_id', 'customer_id', 'rule_id', 'days_before', 'anchor'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reclaim_reminders').execute();
  await db.schema.dropTable('reclaim_runs').execute();
}
