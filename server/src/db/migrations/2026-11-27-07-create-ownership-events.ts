import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ownership_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(24)', (c) => c.notNull())
    .addColumn('from_user_id', 'varchar(64)')
    .addColumn('to_user_id', 'varchar(64)')
    .addColumn('from_pool_id', 'integer')
    .addColumn('to_pool_id', 'integer')
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('reason', 'varchar(500)')
    .addColumn('rule_id', 'integer')
    .addColumn('rule_version', 'integer')
    .addColumn('evidence', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ownership_events_customer')
    .on('ownership_events')
    .columns(['tenant_id', 'customer_id', 'id'])
    .execute();
  // Daily quota: claims by a rep since the start of the tenant's day.
  await db.schema
    .createIndex('ownership_events_user_type_at')
    .on('ownership_events')
    .columns(['tenant_id', 'to_user_id', 'type', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ownership_events').execute();
}
