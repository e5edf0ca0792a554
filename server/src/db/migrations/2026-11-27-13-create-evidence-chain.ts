import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per tenant: the chain's tip. Appending locks it first, so entries of a tenant are strictly sequential.
  await db.schema
    .createTable('evidence_tips')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('evidence_chain')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('ref_id', 'integer', (c) => c.notNull())
    // The canonical JSON that was hashed, kept so a verifier can say what changed.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('hmac', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_chain_pk', ['tenant_id', 'seq'])
    .execute();
  await db.schema.createIndex('evidence_chain_ref').on('evidence_chain').columns(['tenant_id', 'kind', 'ref_id']).execute();
  await db.schema
    .createTable('evidence_heads')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_heads_pk', ['tenant_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_heads').execute();
  await db.schema.dropTable('evidence_chain').execute();
  await db.schema.dropTable('evidence_tips').execute();
}
