import { sql } from 'kysely';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { migrateDownAll, migrateTo, migrateToLatest } from '../migrate';
import { migrations } from '../migrations';

const tables = ['appeals', 'assignment_items', 'assignment_requests', 'bssid_sightings', 'change_stamps', 'claim_counters', 'customer_contacts', 'customer_edits', 'customer_merges', 'customers', 'dashboard_checkpoints', 'dashboard_snapshots', 'deals', 'departments', 'evidence_chain', 'evidence_heads', 'evidence_tips', 'follow_ups', 'idempotency_keys', 'job_leases', 'outbox', 'outbox_robot_sends', 'ownership_events', 'pending_handovers', 'platform_events', 'pool_departments', 'pool_members', 'pool_rule_versions', 'pool_rules', 'pools', 'rate_limits', 'reclaim_reminders', 'reclaim_runs', 'rep_devices', 'rep_last_fixes', 'role_changes', 'tenant_calendar_days', 'tenants', 'user_departments', 'users', 'visit_nonces', 'visit_photos', 'visits'];

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

  it('fills each rep’s last fix and devices, and where each access point stands, from what is already stored', async () => {
    await migrateTo(t.db, '2026-11-27-21-index-customer-clocks');
    const visit = (id: number, user: string, at: number, verdict: 'verified' | 'suspect' | 'rejected', label: string) => ({
      id, tenant_id: 't', customer_id: 1, user_id: user, status: 'finished' as const, verdict, checkin_verdict: verdict, risk_score: 0, checkin_risk_score: 0,
      reasons: '[]', checkin_reasons: '[]', distance_m: 5, lat: id, lng: -id, accuracy: 10, fixes: '[]', wifi: '[]', device: '{}', device_label: label,
      checked_in_at: at, clock_restarted: 0,
    });
    await t.db
      .insertInto('visits')
      .values([
        visit(11, 'rep01', 1_000, 'verified', 'phone A'),
        // The same instant as 11, a higher id: the later of the two.
        visit(12, 'rep01', 1_000, 'suspect', 'phone A'),
        // Later, but rejected: says nothing of where the rep was; its device still counts.
        visit(13, 'rep01', 2_000, 'rejected', 'phone B'),
        visit(14, 'rep02', 500, 'rejected', 'phone C'),
        visit(15, 'rep03', 700, 'verified', 'phone A'),
        visit(16, 'rep03', 300, 'verified', 'phone D'),
      ])
      .execute();
    // The access points of verified visits, a row per visit (the table bssid_sightings replaces).
    const seen = (bssid: string, visitId: number, customerId: number) => ({ tenant_id: 't', bssid, visit_id: visitId, customer_id: customerId, lat: visitId, lng: -visitId });
    await sql`insert into visit_bssids (tenant_id, bssid, visit_id, customer_id, lat, lng) values ${sql.join(
      [seen('r1', 11, 1), seen('r1', 15, 1), seen('r1', 12, 2), seen('r2', 16, 1)].map((r) => sql`(${r.tenant_id}, ${r.bssid}, ${r.visit_id}, ${r.customer_id}, ${r.lat}, ${r.lng})`),
    )}`.execute(t.db);
    // The five that fill the check-in state, first among those still to run (later migrations follow them).
    expect((await migrateToLatest(t.db)).slice(0, 5)).toEqual([
      '2026-11-27-22-create-rep-last-fixes',
      '2026-11-27-23-create-rep-devices',
      '2026-11-27-24-drop-visits-user-device',
      '2026-11-27-25-create-bssid-sightings',
      '2026-11-27-26-drop-visit-bssids',
    ]);
    const sightings = await t.db.selectFrom('bssid_sightings').select(['bssid', 'customer_id', 'visit_id', 'lat', 'lng']).orderBy('bssid').orderBy('customer_id').execute();
    expect(sightings).toEqual([
      { bssid: 'r1', customer_id: 1, visit_id: 15, lat: 15, lng: -15 },
      { bssid: 'r1', customer_id: 2, visit_id: 12, lat: 12, lng: -12 },
      { bssid: 'r2', customer_id: 1, visit_id: 16, lat: 16, lng: -16 },
    ]);
    const fixes = await t.db.selectFrom('rep_last_fixes').select(['user_id', 'visit_id', 'lat', 'lng', 'checked_in_at']).orderBy('user_id').execute();
    expect(fixes.map((f) => ({ ...f, checked_in_at: Number(f.checked_in_at) }))).toEqual([
      { user_id: 'rep01', visit_id: 12, lat: 12, lng: -12, checked_in_at: 1_000 },
      { user_id: 'rep03', visit_id: 15, lat: 15, lng: -15, checked_in_at: 700 },
    ]);
    const devices = await t.db.selectFrom('rep_devices').select(['user_id', 'device_label', 'first_visit_id', 'first_seen_at']).orderBy('user_id').orderBy('device_label').execute();
    expect(devices.map((d) => ({ ...d, first_seen_at: Number(d.first_seen_at) }))).toEqual([
      { user_id: 'rep01', device_label: 'phone A', first_visit_id: 11, first_seen_at: 1_000 },
      { user_id: 'rep01', device_label: 'phone B', first_visit_id: 13, first_seen_at: 2_000 },
      { user_id: 'rep02', device_label: 'phone C', first_visit_id: 14, first_seen_at: 500 },
      { user_id: 'rep03', device_label: 'phone A', first_visit_id: 15, first_seen_at: 700 },
      { user_id: 'rep03', device_label: 'phone D', first_visit_id: 16, first_seen_at: 300 },
    ]);
  });
});
