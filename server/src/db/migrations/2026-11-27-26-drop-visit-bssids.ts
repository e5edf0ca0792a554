import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // bssid_sightings holds what check-ins read of it.
  await db.schema.dropTable('visit_bssids').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // The history before each latest sighting is gone: the table comes back with one row per sighting.
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
}
