import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visit_nonces')
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('visit_nonces_pk', ['tenant_id', 'nonce'])
    .execute();
  await db.schema.createIndex('visit_nonces_expiry').on('visit_nonces').column('expires_at').execute();
  await db.schema
    .createTable('visits')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    // open → finished; a rejected check-in is stored finished at once.
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    // The verdict now (photos and finish can only lower it) and the one the check-in got (immutable, chained).
    .addColumn('verdict', 'varchar(12)', (c) => c.notNull())
    .addColumn('checkin_verdict', 'varchar(12)', (c) => c.notNull())
    .addColumn('risk_score', 'integer', (c) => c.notNull())
    .addColumn('checkin_risk_score', 'integer', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('checkin_reasons', 'text', (c) => c.notNull())
    .addColumn('distance_m', 'integer', (c) => c.notNull())
    // The fix the verdict used, GCJ-02.
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addColumn('accuracy', 'double precision', (c) => c.notNull())
    .addColumn('fixes', 'text', (c) => c.notNull())
    .addColumn('wifi', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('device_label', 'varchar(200)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(64)')
    .addColumn('photo_token_hash', 'varchar(64)')
    .addColumn('checked_in_at', 'bigint', (c) => c.notNull())
    // Whether this visit moved the customer's last_verified_visit_at, and from what, so a visit that loses its verdict
    // can give it back.
    .addColumn('clock_restarted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('previous_verified_visit_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('dwell_s', 'integer')
    .addColumn('finish_fix', 'text')
    .addColumn('notes', 'text')
    .addColumn('feedback', 'text')
    .execute();
  await db.schema.createIndex('visits_user').on('visits').columns(['tenant_id', 'user_id', 'checked_in_at']).execute();
  // "Has this rep used this device before?" is one index probe.
  await db.schema.createIndex('visits_user_device').on('visits').columns(['tenant_id', 'user_id', 'device_label']).execute();
  await db.schema.createIndex('visits_customer').on('visits').columns(['tenant_id', 'customer_id', 'checked_in_at']).execute();
  await db.schema.createIndex('visits_verdict').on('visits').columns(['tenant_id', 'verdict', 'checked_in_at']).execute();
  // The access points seen at verified visits (a row is removed when its visit stops being verified): where a router
  // provably stands.
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
  await db.schema
    .createTable('visit_photos')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('visit_id', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('input_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('original_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('original_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('watermarked_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('phash', 'varchar(16)', (c) => c.notNull())
    // The perceptual hash in four 16-bit bands: two hashes within 3 bits share a band, so candidates come from an index.
    .addColumn('phash_b0', 'varchar(4)', (c) => c.notNull())
    .addColumn('phash_b1', 'varchar(4)', (c) => c.notNull())
    .addColumn('phash_b2', 'varchar(4)', (c) => c.notNull())
    .addColumn('phash_b3', 'varchar(4)', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('reused_photo_id', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('visit_photos_visit').on('visit_photos').columns(['tenant_id', 'visit_id']).execute();
  await db.schema.createIndex('visit_photos_input').on('visit_photos').columns(['tenant_id', 'input_sha256']).execute();
  await db.schema.createIndex('visit_photos_original').on('visit_photos').columns(['tenant_id', 'original_sha256']).execute();
  for (const band of [0, 1, 2, 3]) {
    await db.schema.createIndex(`visit_photos_phash_b${band}`).on('visit_photos').columns(['tenant_id', `phash_b${band}`]).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('visit_photos').execute();
  await db.schema.dropTable('visit_bssids').execute();
  await db.schema.dropTable('visits').execute();
  await db.schema.dropTable('visit_nonces').execute();
}
