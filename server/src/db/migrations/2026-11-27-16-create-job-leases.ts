import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per (job, scope, fire): the primary key is what makes exactly one process win a fire.
  await db.schema
    .createTable('job_leases')
    .addColumn('job', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'varchar(64)', (c) => c.notNull())
    .addColumn('fire_at', 'bigint', (c) => c.notNull())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_leases_pk', ['job', 'scope', 'fire_at'])
    .execute();
  // Stalled fires (unfinished, lease expired) are looked up every minute; old rows are pruned by fire time.
  await db.schema.createIndex('job_leases_stalled').on('job_leases').columns(['done_at', 'expires_at']).execute();
  await db.schema.createIndex('job_leases_fire_at').on('job_leases').column('fire_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_leases').execute();
}
