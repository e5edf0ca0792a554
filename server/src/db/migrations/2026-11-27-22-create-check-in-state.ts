import { MysqlAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // What a check-in is judged on about its rep, kept as rows a batch reads by key (DESIGN §5.1): where the rep last
  // provably was, and the devices they have checked in from. Before, each check-in looked both up in the rep's visit
  // history (a subquery per rep and two per device), which cost MariaDB about as much as the rest of the batch.
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
  await sql`
    insert into rep_last_fixes (tenant_id, user_id, visit_id, lat, lng, checked_in_at)
    select v.tenant_id, v.user_id, v.id, v.lat, v.lng, v.checked_in_at from visits v
    where v.verdict <> 'rejected' and not exists (
      select 1 from visits w
      where w.tenant_id = v.tenant_id and w.user_id = v.user_id and w.verdict <> 'rejected'
        and (w.checked_in_at > v.checked_in_at or (w.checked_in_at = v.checked_in_at and w.id > v.id))
    )
  `.execute(db);
  // Only the device probe read this index; every visit insert paid for it.
  await dropVisitsUserDevice(db);

  // Where each access point stands: one row per access point and customer, placed at its latest verified visit there.
  // It replaces visit_bssids (a row per verified visit and access point), whose reads grew with every visit; a visit
  // that stops being verified finds its successor among the customer's visits (visits.repository.ts).
  await db.schema
    .createTable('bssid_sightings')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('bssid', 'varchar(32)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('visit_id', 'integer', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('bssid_sightings_pk', ['tenant_id', 'bssid', 'customer_id'])
    .execute();
  await db.schema.createIndex('bssid_sightings_customer').on('bssid_sightings').columns(['tenant_id', 'customer_id', 'bssid']).execute();
  await sql`
    insert into bssid_sightings (tenant_id, bssid, customer_id, visit_id, lat, lng)
    select b.tenant_id, b.bssid, b.customer_id, b.visit_id, b.lat, b.lng from visit_bssids b
    where b.visit_id = (select max(c.visit_id) from visit_bssids c where c.tenant_id = b.tenant_id and c.bssid = b.bssid and c.customer_id = b.customer_id)
  `.execute(db);
  await db.schema.dropTable('visit_bssids').execute();
}

async function dropVisitsUserDevice(db: Kysely<any>): Promise<void> {
  // MySQL names the table of an index to drop; SQLite refuses the ON clause.
  const drop = db.schema.dropIndex('visits_user_device');
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('visits') : drop).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // The history before the latest sighting is not kept: visit_bssids comes back with one row per sighting.
  await db.schema
    .createTable('visit_bssids')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('bssid', 'varchar(32)', (c) => c.notNull())
    .addColumn('visit_id', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('visit_bssids_pk', ['tenant_id', 'bssid', 'visit_id'])
    .execute();
  await db.schema.createIndex('visit_bssids_customer').on('visit_bssids').columns(['tenant_id', 'customer_id', 'bssid']).execute();
  await sql`insert into visit_bssids (tenant_id, bssid, visit_id, customer_id, lat, lng) select tenant_id, bssid, visit_id, customer_id, lat, lng from bssid_sightings`.execute(db);
  await db.schema.dropTable('bssid_sightings').execute();
  await db.schema.createIndex('visits_user_device').on('visits').columns(['tenant_id', 'user_id', 'device_label']).execute();
  await db.schema.dropTable('rep_devices').execute();
  await db.schema.dropTable('rep_last_fixes').execute();
}
