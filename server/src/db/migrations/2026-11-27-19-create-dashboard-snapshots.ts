import { MysqlAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per (tenant, local day, pool): the day's flows and end-of-day stock (DESIGN §3 dashboard_snapshot), so a
  // range of months is one primary-key range read. Distributions that do not add up across days (waits, hours to the
  // first verified visit) are stored as histograms of whole units; sparse per-rep figures as small JSON objects.
  await db.schema
    .createTable('dashboard_snapshots')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('pool_id', 'integer', (c) => c.notNull())
    .addColumn('region_id', 'varchar(64)')
    .addColumn('pool_size', 'integer', (c) => c.notNull())
    .addColumn('owned', 'integer', (c) => c.notNull())
    .addColumn('reps', 'integer', (c) => c.notNull())
    .addColumn('max_owned_per_rep', 'integer', (c) => c.notNull())
    .addColumn('daily_claim_limit', 'integer', (c) => c.notNull())
    .addColumn('in_created', 'integer', (c) => c.notNull())
    .addColumn('in_released', 'integer', (c) => c.notNull())
    .addColumn('in_reclaimed', 'integer', (c) => c.notNull())
    .addColumn('in_departed', 'integer', (c) => c.notNull())
    .addColumn('in_escalated', 'integer', (c) => c.notNull())
    .addColumn('out_claimed', 'integer', (c) => c.notNull())
    .addColumn('out_assigned', 'integer', (c) => c.notNull())
    .addColumn('out_escalated', 'integer', (c) => c.notNull())
    .addColumn('reclaimed_by_rule', 'text', (c) => c.notNull())
    .addColumn('wait_days', 'text', (c) => c.notNull())
    .addColumn('first_visit_hours', 'text', (c) => c.notNull())
    .addColumn('hoard_claims', 'integer', (c) => c.notNull())
    .addColumn('hoard_unvisited', 'integer', (c) => c.notNull())
    .addColumn('visits_verified', 'integer', (c) => c.notNull())
    .addColumn('visits_suspect', 'integer', (c) => c.notNull())
    .addColumn('visits_rejected', 'integer', (c) => c.notNull())
    .addColumn('rep_reclaims', 'text', (c) => c.notNull())
    .addColumn('bounces', 'integer', (c) => c.notNull())
    .addColumn('bounce_pairs', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dashboard_snapshots_pk', ['tenant_id', 'day', 'pool_id'])
    .execute();
  // Today's live figures and the backfill read the ledger and the visits by time: a range, never a scan.
  await db.schema.createIndex('ownership_events_tenant_at').on('ownership_events').columns(['tenant_id', 'at']).execute();
  await db.schema.createIndex('visits_tenant_checked_in').on('visits').columns(['tenant_id', 'checked_in_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // MySQL names the table of an index to drop; SQLite refuses the ON clause.
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  for (const [index, table] of [['visits_tenant_checked_in', 'visits'], ['ownership_events_tenant_at', 'ownership_events']] as const) {
    const drop = db.schema.dropIndex(index);
    await (mysql ? drop.on(table) : drop).execute();
  }
  await db.schema.dropTable('dashboard_snapshots').execute();
}
