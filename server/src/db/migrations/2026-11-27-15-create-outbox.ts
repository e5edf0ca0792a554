import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Every outbound message, written in the transaction that causes it (DESIGN §8).
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('dedupe_key', 'varchar(191)', (c) => c.notNull())
    // JSON: {kind:'users', userIds} | {kind:'bot', bot:{token, secret?}}.
    .addColumn('target', 'text', (c) => c.notNull())
    // JSON: the PlatformMessage as the port takes it.
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // For a pending row: when it may be tried next; while a dispatcher holds it, when its claim lapses.
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'varchar(1000)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addUniqueConstraint('outbox_dedupe', ['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_tenant_status').on('outbox').columns(['tenant_id', 'status', 'id']).execute();
  // One row per request made to a group robot, numbered per robot: the unique sequence makes two dispatchers that
  // race for the same slot of the robot's rolling minute collide instead of both sending.
  await db.schema
    .createTable('outbox_robot_sends')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('robot_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_robot_sends_pk', ['tenant_id', 'robot_key', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_robot_sends').execute();
  await db.schema.dropTable('outbox').execute();
}
