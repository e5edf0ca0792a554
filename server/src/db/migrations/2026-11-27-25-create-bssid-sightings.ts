import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Where each access point stands (DESIGN §5.1: WIFI_MISMATCH): one row per access point and customer, placed at its
  // latest verified visit there. visit_bssids held a row per verified visit and access point, so its reads grew with
  // every visit; a visit that stops being verified finds its successor among the customer's visits instead.
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bssid_sightings').execute();
}
