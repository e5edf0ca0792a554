import type { Kysely } from 'kysely';

/**
 * A manager's or an admin's decision on a suspect visit (issue 19 item 7): what was decided, by whom and in which role,
 * when, and why. Null until decided; a visit is decided at most once. One column per statement: SQLite adds one at a
 * time.
 */
const columns = [
  ['review_decision', 'varchar(16)'],
  ['reviewed_by', 'varchar(64)'],
  ['reviewed_as', 'varchar(16)'],
  ['reviewed_at', 'bigint'],
  ['review_note', 'varchar(500)'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type] of columns) await db.schema.alterTable('visits').addColumn(name, type).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...columns].reverse()) await db.schema.alterTable('visits').dropColumn(name).execute();
}
