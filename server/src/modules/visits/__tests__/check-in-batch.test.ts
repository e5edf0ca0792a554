import { createHash } from 'node:crypto';
import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import type { Actor } from '../../../context';
import { evidenceKey, verifyEvidence } from '../../evidence/evidence.service';
import type { Role } from '../../org/org';
import { checkInRequest, runCheckInBatch } from '../check-in-batch';
import { defaultRiskPolicy } from '../risk';
import type { CheckInBody } from '../visits';
import { invalidateVisitSettings } from '../visits.service';

const tenantId = 'demo-dingtalk';
const device = { platform: 'dingtalk' as const, os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
const AP = 'a4:56:02:3b:9c:11';

describe.each(dialects)('check-in batches on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
  });
  afterAll(() => h.close());

  const actorOf = async (userId: string): Promise<Actor> => {
    const row = await h.db.selectFrom('users').select('roles').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirstOrThrow();
    return { tenantId, userId, roles: row.roles.split(',') as Role[], timeZone: 'Asia/Shanghai' };
  };

  async function nonceFor(userId: string): Promise<string> {
    const res = await h.request('POST', '/api/v1/visits/nonce', { token: await h.tokenFor(tenantId, userId) });
    expect(res.status).toBe(200);
    return res.body.nonce as string;
  }

  /** A genuine body at a point: three fixes a few metres apart, taken seconds ago (GCJ-02). */
  function bodyAt(customerId: number, lat: number, lng: number, extra: Partial<CheckInBody> = {}): CheckInBody {
    const now = h.clock.now();
    const fixes = [0, 1, 2].map((i) => ({ lat: lat + (i - 1) * 0.000013, lng: lng + (i - 1) * 0.000011, accuracy: 14 + i, coord: 'gcj02' as const, ts: now - (6 - i * 2) * 1000, source: 'dd.startLocating' as const, isMock: false }));
    return { customerId, fixes, wifi: [], device, ...extra };
  }

  /** Runs `fn` with the tenant's risk policy overridden, then puts the tenant's settings back. */
  async function underPolicy(riskPolicy: object, fn: () => Promise<void>): Promise<void> {
    const tenant = await h.db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow();
    await h.db
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...JSON.parse(tenant.settings), riskPolicy }) })
      .where('id', '=', tenantId)
      .execute();
    invalidateVisitSettings();
    try {
      await fn();
    } finally {
      await h.db.updateTable('tenants').set({ settings: tenant.settings }).where('id', '=', tenantId).execute();
      invalidateVisitSettings();
    }
  }

  const tokenHash = (seed: string) => createHash('sha256').update(seed).digest('hex');

  async function ownedBy(userId: string) {
    return h.db.selectFrom('customers').select(['id', 'lat', 'lng', 'last_verified_visit_at']).where('tenant_id', '=', tenantId).where('owner_id', '=', userId).where('status', '=', 'owned').orderBy('id').execute();
  }

  it('judges the check-ins of one batch in arrival order, as if each ran alone after the ones before it', async () => {
    h.clock.advance(3_600_000);
    const now = h.clock.now();
    const [a, b] = await ownedBy('rep01');
    const [c] = await ownedBy('rep02');
    // B 50 km north of A, C 29 km east of A: the rep cannot be at both A and B at once, and A's router is far from C.
    await h.db.updateTable('customers').set({ lat: a!.lat + 0.45, lng: a!.lng }).where('id', '=', b!.id).execute();
    await h.db.updateTable('customers').set({ lat: a!.lat, lng: a!.lng + 0.3 }).where('id', '=', c!.id).execute();
    const rep01 = await actorOf('rep01');
    const rep02 = await actorOf('rep02');
    const nonce = await nonceFor('rep01');
    const nonce02 = await nonceFor('rep02');
    const at = (seed: string) => ({ policy: defaultRiskPolicy, now, photoTokenHash: tokenHash(seed) });
    const chainBefore = (await h.db.selectFrom('evidence_tips').select('seq').where('tenant_id', '=', tenantId).executeTakeFirst())?.seq ?? 0;

    const outcomes = await runCheckInBatch(h.db, h.deps.evidence, [
      // Verified at A, on A's router: A's clock restarts, the nonce is used, the router now stands at A.
      checkInRequest(rep01, bodyAt(a!.id, a!.lat, a!.lng, { nonce, wifi: [{ bssid: AP.toUpperCase(), ssid: 'A', signal: -50 }] }), at('0')),
      // The same nonce again, and 50 km from the fix just taken: both seen although neither is committed yet.
      checkInRequest(rep01, bodyAt(b!.id, a!.lat + 0.45, a!.lng, { nonce }), at('1')),
      // Another rep at C on A's router, which the first check-in has just placed 29 km away.
      checkInRequest(rep02, bodyAt(c!.id, a!.lat, a!.lng + 0.3, { nonce: nonce02, wifi: [{ bssid: AP, ssid: 'A', signal: -60 }] }), at('2')),
      // No such customer, and a customer of another rep: refused, and nothing of theirs is stored.
      checkInRequest(rep02, bodyAt(999_999, a!.lat, a!.lng), at('3')),
      checkInRequest(rep02, bodyAt(a!.id, a!.lat, a!.lng), at('4')),
    ]);

    const done = outcomes.map((o) => ('done' in o ? o.done : undefined));
    expect(done.map((d) => d?.assessment.verdict)).toEqual(['verified', 'rejected', 'suspect', undefined, undefined]);
    expect(done.map((d) => d?.assessment.reasons.map((r) => `${r.code}: ${r.detail}`))).toEqual([
      [],
      ['REPLAYED_NONCE: nonce used', 'IMPOSSIBLE_SPEED: 3,002 km/h > 150 km/h'],
      ['WIFI_MISMATCH: 28,534 m > 2,000 m'],
      undefined,
      undefined,
    ]);
    expect(outcomes.slice(3).map((o) => ('error' in o ? (o.error as { status: number; code: string }) : undefined)).map((e) => [e?.status, e?.code])).toEqual([
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    const [first, second, third] = done as NonNullable<(typeof done)[number]>[];
    expect([first!.visit.clock_restarted, second!.visit.clock_restarted, third!.visit.clock_restarted]).toEqual([1, 0, 0]);
    expect(first!.visit.previous_verified_visit_at).toBe(a!.last_verified_visit_at);
    expect(second!.visit.nonce).toBe(nonce);
    expect([second!.visit.status, second!.visit.photo_token_hash, second!.visit.dwell_s]).toEqual(['finished', null, 0]);

    // Committed as judged: one clock moved, the nonce used once, the router placed by the verified visit only, and
    // one chain entry per stored visit, in arrival order.
    const clocks = await h.db.selectFrom('customers').select(['id', 'last_verified_visit_at']).where('id', 'in', [a!.id, b!.id, c!.id]).orderBy('id').execute();
    expect(new Map(clocks.map((r) => [r.id, r.last_verified_visit_at]))).toEqual(
      new Map([
        [a!.id, now],
        [b!.id, b!.last_verified_visit_at],
        [c!.id, c!.last_verified_visit_at],
      ]),
    );
    const used = await h.db.selectFrom('visit_nonces').select('used_at').where('tenant_id', '=', tenantId).where('nonce', '=', nonce).executeTakeFirstOrThrow();
    expect(used.used_at).toBe(now);
    const routers = await h.db.selectFrom('bssid_sightings').select(['bssid', 'visit_id', 'customer_id']).where('tenant_id', '=', tenantId).where('bssid', '=', AP).execute();
    expect(routers).toEqual([{ bssid: AP, visit_id: first!.visit.id, customer_id: a!.id }]);
    const stored = await h.db.selectFrom('visits').select('id').where('tenant_id', '=', tenantId).where('checked_in_at', '=', now).orderBy('id').execute();
    expect(stored.map((v) => v.id)).toEqual([first!.visit.id, second!.visit.id, third!.visit.id]);
    const chain = await h.db.selectFrom('evidence_chain').select(['seq', 'kind', 'ref_id']).where('tenant_id', '=', tenantId).where('seq', '>', Number(chainBefore)).orderBy('seq').execute();
    expect(chain.map((e) => [Number(e.seq), e.kind, e.ref_id])).toEqual([
      [Number(chainBefore) + 1, 'check_in', first!.visit.id],
      [Number(chainBefore) + 2, 'check_in', second!.visit.id],
      [Number(chainBefore) + 3, 'check_in', third!.visit.id],
    ]);
    const verified = await verifyEvidence(h.db, h.deps.photos, evidenceKey(h.deps.config.masterKey), tenantId, now + 120_000);
    expect(verified).toEqual({ ok: true, entries: Number(chainBefore) + 3, firstBrokenSeq: null, reason: null });
  });

  it('takes parallel check-ins over HTTP: each judged once, clocks and nonces right, one unbroken chain', async () => {
    h.clock.advance(3_600_000);
    const now = h.clock.now();
    const owners = await h.db
      .selectFrom('customers')
      .select(['owner_id', (eb) => eb.fn.min('id').as('id')])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'owned')
      .where('owner_id', 'not in', ['rep01', 'rep02'])
      .groupBy('owner_id')
      .orderBy('owner_id')
      .execute();
    expect(owners.length).toBeGreaterThanOrEqual(6);
    const customers = await h.db.selectFrom('customers').select(['id', 'lat', 'lng', 'owner_id']).where('id', 'in', owners.map((o) => Number(o.id))).orderBy('id').execute();
    const reps = await Promise.all(customers.map(async (c) => ({ customer: c, token: await h.tokenFor(tenantId, c.owner_id!), nonce: await nonceFor(c.owner_id!) })));
    const tipBefore = Number((await h.db.selectFrom('evidence_tips').select('seq').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).seq);
    const send = (token: string, body: CheckInBody) => h.request('POST', '/api/v1/visits', { token, body });

    // Every rep at their customer, the first rep twice with one nonce, and one check-in at no customer, all at once.
    const [twin] = reps;
    const results = await Promise.all([
      ...reps.map((r) => send(r.token, bodyAt(r.customer.id, r.customer.lat, r.customer.lng, { nonce: r.nonce }))),
      send(twin!.token, bodyAt(twin!.customer.id, twin!.customer.lat, twin!.customer.lng, { nonce: twin!.nonce })),
      send(twin!.token, bodyAt(999_999, twin!.customer.lat, twin!.customer.lng)),
    ]);

    const statuses = results.map((r) => r.status);
    expect(statuses.slice(1, reps.length)).toEqual(reps.slice(1).map(() => 201));
    expect(statuses.slice(-1)).toEqual([404]);
    // One nonce, two check-ins: whichever came second was judged a replay (rejected, stored, refused).
    const pair = [results[0]!, results[reps.length]!];
    expect(pair.map((r) => r.status).sort()).toEqual([201, 422]);
    const replay = pair.find((r) => r.status === 422)!;
    expect(replay.body.error.code).toBe('check_in_rejected');
    expect(replay.body.error.reasons.map((r: { code: string; detail: string }) => `${r.code}: ${r.detail}`)).toEqual(['REPLAYED_NONCE: nonce used']);
    const created = results.filter((r) => r.status === 201);
    expect(created.map((r) => r.body.visit.verdict)).toEqual(reps.map(() => 'verified'));

    const clocks = await h.db.selectFrom('customers').select('last_verified_visit_at').where('id', 'in', customers.map((c) => c.id)).execute();
    expect(clocks.map((c) => c.last_verified_visit_at)).toEqual(customers.map(() => now));
    const nonces = await h.db.selectFrom('visit_nonces').select('used_at').where('tenant_id', '=', tenantId).where('nonce', 'in', reps.map((r) => r.nonce)).execute();
    expect(nonces.map((n) => n.used_at)).toEqual(reps.map(() => now));
    // Every stored check-in (the replay too) chained exactly once, one after another.
    const stored = await h.db.selectFrom('visits').select('id').where('tenant_id', '=', tenantId).where('checked_in_at', '=', now).orderBy('id').execute();
    expect(stored.map((v) => v.id)).toEqual([...created.map((r) => r.body.visit.id as number), replay.body.error.visitId as number].sort((x, y) => x - y));
    const chain = await h.db.selectFrom('evidence_chain').select(['seq', 'ref_id']).where('tenant_id', '=', tenantId).where('seq', '>', tipBefore).orderBy('seq').execute();
    expect(chain.map((e) => Number(e.seq))).toEqual(stored.map((_, i) => tipBefore + 1 + i));
    expect(chain.map((e) => e.ref_id).sort((x, y) => x - y)).toEqual(stored.map((v) => v.id));
    const admin = await h.tokenFor(tenantId, 'admin01');
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body).toEqual({ ok: true, entries: tipBefore + stored.length, firstBrokenSeq: null, reason: null });
  });

  it('hands out every nonce once, across refills of the random pool', async () => {
    // 25 each for 12 reps not used elsewhere here (under the per-user nonce limit); 18 bytes each from a 4 KiB pool: 300 nonces refill it at least once.
    const tokens = await Promise.all(Array.from({ length: 12 }, (_, i) => h.tokenFor(tenantId, `rep${String(i + 5).padStart(2, '0')}`)));
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => h.request('POST', '/api/v1/visits/nonce', { token: tokens[i % 12] })));
    const nonces = answers.map((a) => a.body.nonce as string);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(nonces.filter((n) => !/^[A-Za-z0-9_-]{24}$/.test(n))).toEqual([]);
    expect(new Set(nonces).size).toBe(300);
    const stored = await h.db.selectFrom('visit_nonces').select('nonce').where('tenant_id', '=', tenantId).where('nonce', 'in', nonces).execute();
    expect(stored.length).toBe(300);
  });

  it('keeps where each rep last was and their devices as rows: forward only, never a rejected fix, given back when a visit is rejected later', async () => {
    h.clock.advance(3_600_000);
    const rep = await actorOf('rep03');
    const [x] = await ownedBy('rep03');
    const phone = (model: string) => ({ ...device, model });
    const at = (now: number, seed: string) => ({ policy: defaultRiskPolicy, now, photoTokenHash: tokenHash(seed) });
    const state = async () => ({
      fix: await h.db.selectFrom('rep_last_fixes').select(['visit_id', 'lat', 'checked_in_at']).where('tenant_id', '=', tenantId).where('user_id', '=', 'rep03').executeTakeFirst(),
      devices: await h.db
        .selectFrom('rep_devices')
        .select(['device_label', 'first_visit_id'])
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', 'rep03')
        .where('device_label', 'like', '% · Test %')
        .orderBy('device_label')
        .execute(),
    });
    const one = async (body: CheckInBody, now: number, seed: string) => {
      const [outcome] = await runCheckInBatch(h.db, h.deps.evidence, [checkInRequest(rep, body, at(now, seed))]);
      if (outcome === undefined || !('done' in outcome)) throw new Error(`check-in ${seed} was refused`);
      return outcome.done;
    };

    // Verified from a new phone: the rep's last fix, and the phone is theirs from this visit on.
    const t1 = h.clock.now();
    const v1 = await one(bodyAt(x!.id, x!.lat, x!.lng, { nonce: await nonceFor('rep03'), device: phone('Test P') }), t1, 'v1');
    expect(v1.assessment.verdict).toBe('verified');
    expect(await state()).toEqual({
      fix: { visit_id: v1.visit.id, lat: v1.visit.lat, checked_in_at: t1 },
      devices: [{ device_label: 'dingtalk · Android 14 · Test P', first_visit_id: v1.visit.id }],
    });

    // A mocked check-in an hour later from another phone: rejected, so the fix stays; the phone was in their hand.
    h.clock.advance(3_600_000);
    const t2 = h.clock.now();
    const mocked = bodyAt(x!.id, x!.lat, x!.lng, { nonce: await nonceFor('rep03'), device: phone('Test Q') });
    const v2 = await one({ ...mocked, fixes: mocked.fixes.map((f) => ({ ...f, isMock: true })) }, t2, 'v2');
    expect(v2.assessment.verdict).toBe('rejected');
    // A check-in stored after it but taken before v1 (a batch that committed late): the fix only moves forward.
    const late = bodyAt(x!.id, x!.lat + 0.0001, x!.lng, { nonce: await nonceFor('rep03'), device: phone('Test P') });
    const back = h.clock.now() - (t1 - 60_000);
    const v3 = await one({ ...late, fixes: late.fixes.map((f) => ({ ...f, ts: f.ts - back })) }, t1 - 60_000, 'v3');
    expect(v3.assessment.verdict).toBe('verified');
    expect(await state()).toEqual({
      fix: { visit_id: v1.visit.id, lat: v1.visit.lat, checked_in_at: t1 },
      devices: [
        { device_label: 'dingtalk · Android 14 · Test P', first_visit_id: v1.visit.id },
        { device_label: 'dingtalk · Android 14 · Test Q', first_visit_id: v2.visit.id },
      ],
    });

    // Over HTTP an hour later: the new last fix. Finished at once under a policy where a short stay alone rejects:
    // the visit stops saying where the rep was, and v1 (still the latest not rejected) takes its place again.
    h.clock.advance(3_600_000);
    const token = await h.tokenFor(tenantId, 'rep03');
    const v4 = await h.request('POST', '/api/v1/visits', { token, body: bodyAt(x!.id, x!.lat, x!.lng, { nonce: await nonceFor('rep03'), device: phone('Test P') }) });
    expect(v4.status).toBe(201);
    const v4row = await h.db.selectFrom('visits').select('lat').where('id', '=', v4.body.visit.id).executeTakeFirstOrThrow();
    expect((await state()).fix).toEqual({ visit_id: v4.body.visit.id, lat: v4row.lat, checked_in_at: h.clock.now() });
    await underPolicy({ weights: { SHORT_DWELL: 100 } }, async () => {
      const finished = await h.request('POST', `/api/v1/visits/${v4.body.visit.id}/finish`, { token, body: {} });
      expect(finished.status).toBe(200);
      expect(finished.body.visit.verdict).toBe('rejected');
    });
    expect((await state()).fix).toEqual({ visit_id: v1.visit.id, lat: v1.visit.lat, checked_in_at: t1 });
  });

  it('places an access point at its latest verified visit, and back at the one before when that visit stops being verified', async () => {
    const router = 'a4:56:02:3b:9c:22';
    const [y] = await ownedBy('rep04');
    const token = await h.tokenFor(tenantId, 'rep04');
    const sighting = () =>
      h.db.selectFrom('bssid_sightings').select(['visit_id', 'lat']).where('tenant_id', '=', tenantId).where('bssid', '=', router).where('customer_id', '=', y!.id).executeTakeFirst();
    const checkInAt = async (lat: number, bssid: string) => {
      h.clock.advance(3_600_000);
      const res = await h.request('POST', '/api/v1/visits', {
        token,
        body: bodyAt(y!.id, lat, y!.lng, { nonce: await nonceFor('rep04'), wifi: [{ bssid, ssid: 'Y', signal: -48 }] }),
      });
      expect(res.status).toBe(201);
      expect(res.body.visit.verdict).toBe('verified');
      const row = await h.db.selectFrom('visits').select(['id', 'lat']).where('id', '=', res.body.visit.id).executeTakeFirstOrThrow();
      return row;
    };

    // Reported as phones write it (upper case, dashes): the same access point.
    const v1 = await checkInAt(y!.lat, 'A4-56-02-3B-9C-22');
    expect(await sighting()).toEqual({ visit_id: v1.id, lat: v1.lat });
    const v2 = await checkInAt(y!.lat + 0.0002, router);
    expect(await sighting()).toEqual({ visit_id: v2.id, lat: v2.lat });

    await underPolicy({ weights: { SHORT_DWELL: 100 } }, async () => {
      // The latest stops being verified (finished at once): the access point stands where v1 put it again. Then v1
      // stops too (an hour's stay, but no photo): no verified visit of this customer reported it, so nothing places it.
      expect((await h.request('POST', `/api/v1/visits/${v2.id}/finish`, { token, body: {} })).body.visit.verdict).toBe('rejected');
      expect(await sighting()).toEqual({ visit_id: v1.id, lat: v1.lat });
      expect((await h.request('POST', `/api/v1/visits/${v1.id}/finish`, { token, body: {} })).body.visit.verdict).toBe('suspect');
      expect(await sighting()).toBeUndefined();
    });
  });
});
