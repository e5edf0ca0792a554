import { sql } from 'kysely';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { migrateDownAll, migrateToLatest } from '../migrate';
import { migrations } from '../migrations';

const tables = ['assignment_items', 'assignment_requests', 'claim_counters', 'customer_contacts', 'customers', 'dashboard_snapshots', 'deals', 'departments', 'evidence_chain', 'evidence_heads', 'evidence_tips', 'follow_ups', 'idempotency_keys', 'job_leases', 'outbox', 'outbox_robot_sends', 'ownership_events', 'platform_events', 'pool_departments', 'pool_members', 'pool_rule_versions', 'pool_rules', 'pools', 'reclaim_reminders', 'reclaim_runs', 'tenant_calendar_days', 'tenants', 'user_departments', 'users', 'visit_bssids', 'visit_nonces', 'visit_photos', 'visits'];

describe.each(dialects)('migrations on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(() => t.destroy());

  const userTables = async () =>
    (await t.db.introspection.getTables()).map((x) => x.name).filter((n) => !n.startsWith('kysely_')).sort();

  it('creates every table, rolls all the way down and up again', async () => {
    expect(await userTables()).toEqual(tables);
    const down = await migrateDownAll(t.db);
    expect(down).toHaveLength(Object.keys(migrations).length);
    expect(await userTables()).toEqual([]);
    expect(await migrateToLatest(t.db)).toEqual(Object.keys(migrations));
    expect(await userTables()).toEqual(tables);
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('lets the database itself refuse a pool customer with an owner (invariant 1)', async () => {
    const row = { tenant_id: 't', name: 'x', address: 'a', lat: 0, lng: 0, geohash: 's00000000', level: 'C', tags: '[]', pool_id: 1, created_at: 0, updated_at: 0 };
    // Matched by message: errors from the native SQLite driver are not always `instanceof Error` inside Jest's sandbox.
    const refused = { message: expect.stringMatching(/customers_status_owner/) };
    await expect(t.db.insertInto('customers').values({ ...row, status: 'pool', owner_id: 'rep01' }).execute()).rejects.toMatchObject(refused);
    await expect(t.db.insertInto('customers').values({ ...row, status: 'owned', owner_id: null }).execute()).rejects.toMatchObject(refused);
    await t.db.insertInto('customers').values({ ...row, status: 'owned', owner_id: 'rep01' }).execute();
    const count = await sql<{ n: number }>`select count(*) as n from customers`.execute(t.db);
    expect(Number(count.rows[0]!.n)).toBe(1);
  });
});
