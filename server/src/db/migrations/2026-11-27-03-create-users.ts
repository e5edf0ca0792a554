import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('mobile', 'varchar(32)')
    .addColumn('title', 'varchar(128)')
    .addColumn('manager_id', 'varchar(64)')
    .addColumn('hired_date', 'varchar(10)')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('left_at', 'bigint')
    // Comma-separated app roles: rep, manager, hr, admin.
    .addColumn('roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('user_departments')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('is_leader', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('user_departments_pk', ['tenant_id', 'user_id', 'department_id'])
    .execute();
  await db.schema
    .createIndex('user_departments_department')
    .on('user_departments')
    .columns(['tenant_id', 'department_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_departments').execute();
  await db.schema.dropTable('users').execute();
}
