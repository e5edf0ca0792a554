import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pools')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('parent_pool_id', 'integer')
    .addColumn('escalate_after_days', 'integer')
    .addColumn('escalate_to_pool_id', 'integer')
    .addColumn('max_owned_per_rep', 'integer', (c) => c.notNull())
    // JSON {"A": 20, ...}: an extra cap per customer level.
    .addColumn('max_owned_per_level', 'text', (c) => c.notNull())
    .addColumn('cap_excludes_won', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('daily_claim_limit', 'integer', (c) => c.notNull())
    .addColumn('prior_owner_cooldown_days', 'integer', (c) => c.notNull())
    .addColumn('claim_radius_m', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pools_tenant_name').unique().on('pools').columns(['tenant_id', 'name']).execute();
  await db.schema
    .createTable('pool_departments')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('pool_id', 'integer', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_departments_pk', ['tenant_id', 'pool_id', 'department_id'])
    .execute();
  // Who may see and claim in which pool, derived from pool_departments and the department tree (one lookup per claim).
  await db.schema
    .createTable('pool_members')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('pool_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_members_pk', ['tenant_id', 'user_id', 'pool_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pool_members').execute();
  await db.schema.dropTable('pool_departments').execute();
  await db.schema.dropTable('pools').execute();
}
