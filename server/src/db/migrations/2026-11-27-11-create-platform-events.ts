import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('platform_events')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    // The adapter's id, stable across the vendor's redeliveries: the primary key is the dedupe.
    .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('type', 'varchar(48)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('deliveries', 'integer', (c) => c.notNull().defaultTo(1))
    // NULL until handled; a failed handling keeps it NULL and records why, so the redelivery tries again.
    .addColumn('handled_at', 'bigint')
    .addColumn('error', 'varchar(512)')
    .addPrimaryKeyConstraint('platform_events_pk', ['tenant_id', 'event_id'])
    .execute();
  await db.schema.createIndex('platform_events_type').on('platform_events').columns(['tenant_id', 'type', 'received_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_events').execute();
}
