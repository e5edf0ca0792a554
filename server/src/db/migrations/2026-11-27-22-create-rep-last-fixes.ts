import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Where each rep last provably was, a row a check-in batch reads by key (DESIGN §5.1: IMPOSSIBLE_SPEED). Before, each
  // check-in looked it up in the rep's visit history with a subquery per rep, which cost MariaDB about as much as the
  // rest of the batch.
  await db.schema
    .createTable('rep_last_fixes')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    // The rep's latest check-in that was not rejected (ties: the higher id), and where it was placed (GCJ-02).
    .addColumn('visit_id', 'integer', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addColumn('checked_in_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rep_last_fixes_pk', ['tenant_id', 'user_id'])
    .execute();
  await sql`
    insert into rep_last_fixes (tenant_id, user_id, visit_id, lat, lng, checked_in_at)
    select v.tenant_id, v.user_id, v.id, v.lat, v.lng, v.checked_in_at from visits v
    where v.verdict <> 'rejected' and not exists (
      select 1 from visits w
      where w.tenant_id = v.tenant_id and w.user_id = v.user_id and w.verdict <> 'rejected'
        and (w.checked_in_at > v.checked_in_at or (w.checked_in_at = v.checked_in_at and w.id > v.id))
    )
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rep_last_fixes').execute();
}
