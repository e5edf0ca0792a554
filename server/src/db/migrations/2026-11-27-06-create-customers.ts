import { MysqlAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // On MySQL the short ASCII keys of the nearby index compare as bytes: a smaller index, and geohash order is byte order.
  const ascii = db.getExecutor().adapter instanceof MysqlAdapter ? sql`character set ascii collate ascii_bin` : null;
  await db.schema
    .createTable('customers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('address', 'varchar(500)', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addColumn('geohash', 'varchar(12)', (c) => (ascii ? c.modifyFront(ascii).notNull() : c.notNull()))
    .addColumn('level', 'varchar(8)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => (ascii ? c.modifyFront(ascii).notNull() : c.notNull()))
    .addColumn('pool_id', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'varchar(64)')
    .addColumn('owned_since', 'bigint')
    .addColumn('last_verified_visit_at', 'bigint')
    .addColumn('last_follow_up_at', 'bigint')
    .addColumn('last_deal_won_at', 'bigint')
    .addColumn('pool_entered_at', 'bigint')
    .addColumn('prior_owner_id', 'varchar(64)')
    .addColumn('prior_owner_blocked_until', 'bigint')
    .addColumn('reserved_by_assignment_id', 'integer')
    .addColumn('created_by', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // Invariant 1 (DESIGN §3), enforced by the database itself.
    .addCheckConstraint(
      'customers_status_owner',
      sql`(status = 'pool' and owner_id is null) or (status = 'owned' and owner_id is not null)`,
    )
    .execute();
  // Nearby search: equality on tenant and status, then geohash prefix ranges (never a scan). The index also carries
  // the point and the pool, so the search reads the index alone and fetches full rows only for what it returns.
  await db.schema
    .createIndex('customers_nearby')
    .on('customers')
    .columns(['tenant_id', 'status', 'geohash', 'lat', 'lng', 'pool_id'])
    .execute();
  await db.schema.createIndex('customers_owner').on('customers').columns(['tenant_id', 'owner_id']).execute();
  await db.schema.createIndex('customers_name').on('customers').columns(['tenant_id', 'name']).execute();
  await db.schema.createIndex('customers_pool').on('customers').columns(['tenant_id', 'pool_id', 'status', 'id']).execute();
  await db.schema
    .createTable('customer_contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('customer_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('title', 'varchar(64)')
    .addColumn('phone', 'varchar(32)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('customer_contacts_customer')
    .on('customer_contacts')
    .columns(['tenant_id', 'customer_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customer_contacts').execute();
  await db.schema.dropTable('customers').execute();
}
