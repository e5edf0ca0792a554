import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Claims per rep, pool and tenant-local day. The row is also the rep's lock in that pool: a claim or an assignment
  // takes it first, so cap and quota checks of the same rep never interleave.
  await db.schema
    .createTable('claim_counters')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('pool_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('claims', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('claim_counters_pk', ['tenant_id', 'user_id', 'pool_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('claim_counters').execute();
}
