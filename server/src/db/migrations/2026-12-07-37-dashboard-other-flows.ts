import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The flows into and out of a pool that have no name of their own (issue 19): transfers to or from the pool, an
  // archived pool's customers moved on, appeal restores, merges. With them a day's inflow − outflow is the change in its
  // pool size. Rows written before this migration keep 0: those days are not recomputed (the snapshot job only writes
  // missing days; delete a range's rows for the job's next run to rebuild it from the ledger).
  await db.schema.alterTable('dashboard_snapshots').addColumn('in_other', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('dashboard_snapshots').addColumn('out_other', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dashboard_snapshots').dropColumn('out_other').execute();
  await db.schema.alterTable('dashboard_snapshots').dropColumn('in_other').execute();
}
