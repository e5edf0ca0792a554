import { dialects } from '../../../../test/databases';
import { addReps, poolCustomerIds, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { invalidateVisitSettings } from '../../visits/visits.service';

const T = 'demo-dingtalk';
const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
/** About 30 km of latitude. */
const THIRTY_KM_DEG = 0.27;

describe.each(dialects)('proximity-gated claims judged by the risk engine on %s', (dialect) => {
  let h: Harness;
  let east: number;
  let rep: string;
  let token: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
    east = await poolIdByName(h.db, T, '华东公海');
    await h.db.updateTable('pools').set({ claim_radius_m: 500 }).where('id', '=', east).execute();
  });
  afterAll(() => h.close());

  // Every test a rep of its own, so one test's fixes are never another's "last fix".
  let repSeq = 0;
  beforeEach(async () => {
    rep = (await addReps(h.db, T, 1, { prefix: `gps${++repSeq}x`, now: h.clock.now() }))[0]!;
    token = await h.tokenFor(T, rep);
    h.clock.advance(3_600_000);
  });

  /** A pool customer nobody touched yet, with where it is. */
  const used = new Set<number>();
  async function freshCustomer(): Promise<{ id: number; lat: number; lng: number }> {
    const id = (await poolCustomerIds(h.db, T, east, 100)).find((x) => !used.has(x))!;
    used.add(id);
    return h.db.selectFrom('customers').select(['id', 'lat', 'lng']).where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function nonce(as = token): Promise<string> {
    const res = await h.request('POST', '/api/v1/visits/nonce', { token: as });
    expect(res.status).toBe(200);
    return res.body.nonce as string;
  }

  /** Three fixes a few metres around a point, seconds old, from DingTalk's `dd.startLocating` on Android (GCJ-02). */
  function fixesAt(lat: number, lng: number, isMock = false) {
    const now = h.clock.now();
    return [0, 1, 2].map((i) => ({
      lat: lat + (i - 1) * 0.000013 + 0.0000071,
      lng: lng + (i - 1) * 0.000011 - 0.0000043,
      accuracy: 14.2 + i * 1.7,
      coord: 'gcj02',
      ts: now - (6 - i * 2) * 1000,
      source: 'dd.startLocating',
      isMock,
    }));
  }

  const claim = (id: number, body: unknown, as = token) => h.request('POST', `/api/v1/customers/${id}/claim`, { token: as, body });
  const owner = async (id: number) => (await h.db.selectFrom('customers').select('owner_id').where('id', '=', id).executeTakeFirstOrThrow()).owner_id;
  const claimEvidence = async (id: number) => {
    const row = await h.db.selectFrom('ownership_events').select('evidence').where('customer_id', '=', id).where('type', '=', 'claimed').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return JSON.parse(row.evidence!) as Record<string, any>;
  };

  it("tells the client in the nearby list which pools need a location to claim, and the radius", async () => {
    const c = await freshCustomer();
    const res = await h.request('GET', `/api/v1/pool/nearby?lat=${c.lat}&lng=${c.lng}&radius=500&limit=50`, { token });
    expect(res.status).toBe(200);
    const items = res.body.items as { id: number; poolId: number; claimRadiusM: number | null }[];
    expect(items.find((i) => i.id === c.id)).toMatchObject({ poolId: east, claimRadiusM: 500 });
    expect(items.filter((i) => i.poolId === east).every((i) => i.claimRadiusM === 500)).toBe(true);
  });

  it("refuses the customer's own coordinates posted without a nonce, as older clients send them", async () => {
    const c = await freshCustomer();
    const res = await claim(c.id, { lat: c.lat, lng: c.lng, accuracy: 10 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('location_required');
    expect(res.body.error.message).toBe('「华东公海」要求在客户 500 米内领取，请开启定位后重试。');
    // Fixes alone, without the nonce, are refused the same way.
    const noNonce = await claim(c.id, { fixes: fixesAt(c.lat, c.lng), device });
    expect(noNonce.body.error.code).toBe('location_required');
    expect(await owner(c.id)).toBeNull();
  });

  it('gives the customer for a genuine fix at it, and the ledger records the verdict, the distance and the fix', async () => {
    const c = await freshCustomer();
    const res = await claim(c.id, { nonce: await nonce(), fixes: fixesAt(c.lat, c.lng), device });
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ id: c.id, ownerId: rep, status: 'owned' });
    const evidence = await claimEvidence(c.id);
    expect(evidence).toMatchObject({ verdict: 'verified', radiusM: 500, reasons: [], fix: { accuracy: 14.2, source: 'dd.startLocating' } });
    expect(evidence.distanceM).toBeGreaterThanOrEqual(0);
    expect(evidence.distanceM).toBeLessThan(5);
    expect(evidence.fix.lat).toBeCloseTo(c.lat - 0.000013 + 0.0000071, 9);
  });

  it('refuses a replayed nonce with REPLAYED_NONCE, and one nonce sent with two claims at once wins only one', async () => {
    const [a, b] = [await freshCustomer(), await freshCustomer()];
    const n = await nonce();
    expect((await claim(a.id, { nonce: n, fixes: fixesAt(a.lat, a.lng), device })).status).toBe(200);
    // An hour later, so the two customers' distance is no impossible speed.
    h.clock.advance(3_600_000);
    const replay = await claim(b.id, { nonce: n, fixes: fixesAt(b.lat, b.lng), device });
    expect(replay.status).toBe(422);
    expect(replay.body.error.code).toBe('location_unverified');
    expect(replay.body.error.message).toBe('「华东公海」要求到客户现场领取，但这次定位未通过校验：签到校验码已被使用过，这是一次重放的请求；请在应用内重新签到。');
    expect(replay.body.error.verdict).toBe('rejected');
    expect(replay.body.error.reasons).toEqual(['REPLAYED_NONCE']);
    expect(await owner(b.id)).toBeNull();
    // Someone else's nonce is no better.
    const other = await nonce(await h.tokenFor(T, 'rep01'));
    const foreign = await claim(b.id, { nonce: other, fixes: fixesAt(b.lat, b.lng), device });
    expect(foreign.body.error.reasons).toEqual(['REPLAYED_NONCE']);

    const [c, d] = [await freshCustomer(), await freshCustomer()];
    h.clock.advance(3_600_000);
    const shared = await nonce();
    const both = await Promise.all([c, d].map((x) => claim(x.id, { nonce: shared, fixes: fixesAt(x.lat, x.lng), device })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(both.find((r) => r.status === 422)!.body.error.reasons).toEqual(['REPLAYED_NONCE']);
  });

  it('refuses a fix DingTalk flags as mocked (dd.startLocating on Android) with MOCK_LOCATION', async () => {
    const c = await freshCustomer();
    const res = await claim(c.id, { nonce: await nonce(), fixes: fixesAt(c.lat, c.lng, true), device });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('location_unverified');
    expect(res.body.error.reasons).toEqual(['MOCK_LOCATION']);
    expect(res.body.error.message).toContain('手机报告定位来自模拟位置');
    expect(await owner(c.id)).toBeNull();
  });

  it("refuses a fix 30 km from the rep's check-in five minutes earlier with IMPOSSIBLE_SPEED", async () => {
    const here = await freshCustomer();
    const checkIn = await h.request('POST', '/api/v1/visits', { token, body: { customerId: here.id, nonce: await nonce(), fixes: fixesAt(here.lat, here.lng), device } });
    expect(checkIn.status).toBe(201);
    expect(checkIn.body.visit.verdict).toBe('verified');
    h.clock.advance(5 * 60_000);
    const far = await freshCustomer();
    await h.db.updateTable('customers').set({ lat: here.lat + THIRTY_KM_DEG, lng: here.lng }).where('id', '=', far.id).execute();
    const res = await claim(far.id, { nonce: await nonce(), fixes: fixesAt(here.lat + THIRTY_KM_DEG, here.lng), device });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('location_unverified');
    expect(res.body.error.reasons).toEqual(['IMPOSSIBLE_SPEED']);
    expect(res.body.error.message).toMatch(/^「华东公海」要求到客户现场领取，但这次定位未通过校验：距上一次签到约 30 公里、仅隔 5 分钟，折合每小时 3\d\d 公里/);
    expect(await owner(far.id)).toBeNull();
  });

  it("makes a verified claim's fix the rep's last one: a check-in 30 km away five minutes later is rejected", async () => {
    const c = await freshCustomer();
    expect((await claim(c.id, { nonce: await nonce(), fixes: fixesAt(c.lat, c.lng), device })).status).toBe(200);
    h.clock.advance(5 * 60_000);
    const far = await freshCustomer();
    await h.db.updateTable('customers').set({ lat: c.lat - THIRTY_KM_DEG, lng: c.lng }).where('id', '=', far.id).execute();
    const res = await h.request('POST', '/api/v1/visits', { token, body: { customerId: far.id, nonce: await nonce(), fixes: fixesAt(c.lat - THIRTY_KM_DEG, c.lng), device } });
    expect(res.status).toBe(422);
    expect(res.body.error.reasons.map((r: { code: string }) => r.code)).toEqual(['IMPOSSIBLE_SPEED']);
  });

  it('refuses a genuine fix beyond the radius with too_far, the distance and the radius', async () => {
    const c = await freshCustomer();
    // ~1.1 km north: out of the pool's 500 m, whatever else the engine says.
    const res = await claim(c.id, { nonce: await nonce(), fixes: fixesAt(c.lat + 0.01, c.lng), device });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('too_far');
    expect(res.body.error.radiusM).toBe(500);
    expect(res.body.error.distanceM).toBeGreaterThan(1050);
    expect(res.body.error.distanceM).toBeLessThan(1150);
    expect(res.body.error.message).toBe(`「华东公海」要求在客户 500 米内领取，你当前距离约 ${res.body.error.distanceM.toLocaleString('en-US')} 米，请走近后再领取。`);
    expect(await owner(c.id)).toBeNull();
  });

  it('judges distance against the pool radius, not the check-in radius: 400 m off in a 500 m pool is claimed', async () => {
    const c = await freshCustomer();
    const res = await claim(c.id, { nonce: await nonce(), fixes: fixesAt(c.lat + 0.0036, c.lng), device });
    expect(res.status).toBe(200);
    const evidence = await claimEvidence(c.id);
    expect(evidence.verdict).toBe('verified');
    expect(evidence.distanceM).toBeGreaterThan(380);
    expect(evidence.distanceM).toBeLessThan(420);
  });

  it('leaves pools without a radius as they were: no location needed', async () => {
    await h.db.updateTable('pools').set({ claim_radius_m: null }).where('id', '=', east).execute();
    try {
      const c = await freshCustomer();
      const res = await claim(c.id, {});
      expect(res.status).toBe(200);
    } finally {
      await h.db.updateTable('pools').set({ claim_radius_m: 500 }).where('id', '=', east).execute();
    }
  });
});
