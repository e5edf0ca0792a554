import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(64)', (c) => c.notNull())
    .addColumn('parent_id', 'varchar(64)')
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('is_region', 'integer', (c) => c.notNull().defaultTo(0))
    // Materialised path of ids, '/1/2/21/': a subtree is one prefix range.
    .addColumn('path', 'varchar(512)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('departments_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('departments_path').on('departments').columns(['tenant_id', 'path']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('departments').execute();
}
