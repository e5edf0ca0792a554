import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Every state a rule has been in; a reclaim records the version it used, so its reason can always be shown.
  await db.schema
    .createTable('pool_rule_versions')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('rule_id', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_rule_versions_pk', ['tenant_id', 'rule_id', 'version'])
    .execute();
  // Exceptions to the Monday–Friday week: public holidays, and the weekend days worked instead (调休).
  await db.schema
    .createTable('tenant_calendar_days')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('note', 'varchar(64)')
    .addPrimaryKeyConstraint('tenant_calendar_days_pk', ['tenant_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tenant_calendar_days').execute();
  await db.schema.dropTable('pool_rule_versions').execute();
}
