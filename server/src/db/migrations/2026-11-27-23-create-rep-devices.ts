import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The devices each rep has checked in from, rows a check-in batch reads by key (DESIGN §5.1: DEVICE_CHANGED). Before,
  // each check-in probed the rep's visits twice per device.
  await db.schema
    .createTable('rep_devices')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('device_label', 'varchar(200)', (c) => c.notNull())
    // Every check-in counts, rejected ones too: the device was in the rep's hand.
    .addColumn('first_visit_id', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rep_devices_pk', ['tenant_id', 'user_id', 'device_label'])
    .execute();
  await sql`
    insert into rep_devices (tenant_id, user_id, device_label, first_visit_id, first_seen_at)
    select tenant_id, user_id, device_label, min(id), min(checked_in_at) from visits group by tenant_id, user_id, device_label
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rep_devices').execute();
}
