import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // When an admin archived the pool (issue 19 item 2): it keeps its rows for the ledger, rules and dashboard history,
  // but has no members, takes no customers and cannot be referred to. Null: in use.
  await db.schema.alterTable('pools').addColumn('archived_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pools').dropColumn('archived_at').execute();
}
