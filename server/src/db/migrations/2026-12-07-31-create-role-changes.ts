import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Who changed whose roles, when, from what to what (issue 19). A user with a row here has roles set by hand, which
  // the org sync then leaves as they are.
  await db.schema
    .createTable('role_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('before_roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('after_roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('role_changes_user').on('role_changes').columns(['tenant_id', 'user_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('role_changes').execute();
}
