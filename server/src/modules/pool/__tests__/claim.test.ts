import { sql } from 'kysely';
import { dialects } from '../../../../test/databases';
import { addReps, ownersFromLedger, poolCustomerIds, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { claimEngine, runClaimBatch, type ClaimOutcome } from '../claim-engine';

const T = 'demo-dingtalk';

describe.each(dialects)('claiming from the pool on %s', (dialect) => {
  let h: Harness;
  let east: number;
  beforeAll(async () => {
    h = await startHarness(dialect);
    east = await poolIdByName(h.db, T, '华东公海');
  });
  afterAll(() => h.close());

  const claim = (token: string, id: number, body: unknown = {}, headers?: Record<string, string>) =>
    h.request('POST', `/api/v1/customers/${id}/claim`, { token, body, headers });

  it('gives a customer to exactly one of 50 reps claiming it at the same moment', async () => {
    const reps = await addReps(h.db, T, 50, { prefix: 'storm', now: h.clock.now() });
    const tokens = await Promise.all(reps.map((r) => h.tokenFor(T, r)));
    const [target] = await poolCustomerIds(h.db, T, east, 1);
    const results = await Promise.all(tokens.map((token) => claim(token, target!)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'already_owned')).toBe(true);
    const winner = results.find((r) => r.status === 200)!.body.customer.ownerId;
    const ledger = await h.db.selectFrom('ownership_events').select(['type', 'to_user_id']).where('tenant_id', '=', T).where('customer_id', '=', target!).where('type', '=', 'claimed').execute();
    expect(ledger).toEqual([{ type: 'claimed', to_user_id: winner }]);
    const row = await h.db.selectFrom('customers').select(['status', 'owner_id']).where('id', '=', target!).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'owned', owner_id: winner });
  });

  it('lets one rep firing 40 parallel claims get exactly the daily quota of 20', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'quota', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const targets = await poolCustomerIds(h.db, T, east, 40);
    const results = await Promise.all(targets.map((id) => claim(token, id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('daily_claim_limit_reached');
      expect(r.body.error.message).toContain('每日上限 20 个');
    }
    const owned = await h.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('owner_id', '=', rep!).executeTakeFirstOrThrow();
    expect(Number(owned.n)).toBe(20);

    // The quota counts the tenant's calendar day: just before local midnight still refused, just after it works.
    const more = (await poolCustomerIds(h.db, T, east, 1))[0]!;
    h.clock.set('2026-11-27T15:59:00Z');
    expect((await claim(await h.tokenFor(T, rep!), more)).status).toBe(422);
    h.clock.set('2026-11-27T16:00:01Z');
    expect((await claim(await h.tokenFor(T, rep!), more)).status).toBe(200);
  });

  it('never lets parallel claims push a rep past the cap', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'cap', now: h.clock.now() });
    await h.db.updateTable('pools').set({ max_owned_per_rep: 5 }).where('id', '=', east).execute();
    try {
      const token = await h.tokenFor(T, rep!);
      const results = await Promise.all((await poolCustomerIds(h.db, T, east, 12)).map((id) => claim(token, id)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.filter((r) => r.status === 422).map((r) => r.body.error.code)).toEqual(Array(7).fill('owned_limit_reached'));
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: 200 }).where('id', '=', east).execute();
    }
  });

  it('applies per-level caps, and leaves won customers out of the cap when the pool says so', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'lvl', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const levelA = (
      await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('pool_id', '=', east).where('status', '=', 'pool').where('level', '=', 'A').where('prior_owner_id', 'is', null).orderBy('id').limit(3).execute()
    ).map((r) => r.id);
    await h.db.updateTable('pools').set({ max_owned_per_level: '{"A":1}', cap_excludes_won: 1 }).where('id', '=', east).execute();
    try {
      expect((await claim(token, levelA[0]!)).status).toBe(200);
      const second = await claim(token, levelA[1]!);
      expect(second.status).toBe(422);
      expect(second.body.error).toMatchObject({ code: 'owned_limit_reached', level: 'A', limit: 1, owned: 1 });
      expect(second.body.error.message).toContain('A 级客户');
      // Once the first one is won it no longer counts, so the rep may hold another A customer.
      await h.db.updateTable('customers').set({ last_deal_won_at: h.clock.now() }).where('id', '=', levelA[0]!).execute();
      expect((await claim(token, levelA[1]!)).status).toBe(200);
      expect((await claim(token, levelA[2]!)).body.error.code).toBe('owned_limit_reached');
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_level: '{}', cap_excludes_won: 0 }).where('id', '=', east).execute();
    }
  });

  it('refuses the prior owner within the cooldown and says until when', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'cool', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    expect((await claim(token, id!)).status).toBe(200);
    const noReason = await h.request('POST', `/api/v1/customers/${id}/release`, { token, body: {} });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe('reason_required');
    const released = await h.request('POST', `/api/v1/customers/${id}/release`, { token, body: { reason: '客户无需求' } });
    expect(released.status).toBe(200);
    expect(released.body.customer).toMatchObject({ status: 'pool', ownerId: null });

    const releasedAt = h.clock.now();
    const again = await claim(token, id!);
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('prior_owner_cooldown');
    expect(again.body.error.until).toBe(new Date(releasedAt + 30 * 86_400_000).toISOString());
    expect(again.body.error.message).toMatch(/冷却期 30 天，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 之后/);

    h.clock.advanceDays(30);
    const late = await claim(await h.tokenFor(T, rep!), id!);
    expect(late.status).toBe(200);
    const ledger = await h.db.selectFrom('ownership_events').select(['type', 'reason']).where('customer_id', '=', id!).orderBy('id').execute();
    expect(ledger.map((e) => e.type)).toEqual(['created', 'claimed', 'released', 'claimed']);
    expect(ledger[2]!.reason).toBe('客户无需求');
    expect((await claim(await h.tokenFor(T, 'rep02'), id!)).status).toBe(409);
  });

  it('answers a retried claim with the same Idempotency-Key with the first answer', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'idem', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    const headers = { 'Idempotency-Key': `claim-${id}-${dialect}` };
    const first = await claim(token, id!, {}, headers);
    const retry = await claim(token, id!, {}, headers);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const claims = await h.db.selectFrom('ownership_events').select('id').where('customer_id', '=', id!).where('type', '=', 'claimed').execute();
    expect(claims).toHaveLength(1);
    // Without the key the same request is a new one, and the customer is already the rep's.
    expect((await claim(token, id!)).status).toBe(409);
    // The same key on a different request is refused rather than silently replayed.
    const misuse = await h.request('POST', `/api/v1/customers/${id}/release`, { token, body: { reason: '其他' }, headers });
    expect(misuse.status).toBe(422);
    expect(misuse.body.error.code).toBe('idempotency_key_reused');
  });

  it('explains every other refusal with its own code', async () => {
    const south = await h.tokenFor(T, 'rep09');
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    const notMember = await claim(south, id!);
    expect(notMember.status).toBe(422);
    expect(notMember.body.error.code).toBe('not_pool_member');
    expect(notMember.body.error.message).toContain('华东公海');

    await h.db.updateTable('customers').set({ reserved_by_assignment_id: 99 }).where('id', '=', id!).execute();
    const reserved = await claim(await h.tokenFor(T, 'rep03'), id!);
    expect(reserved.status).toBe(422);
    expect(reserved.body.error.code).toBe('reserved');
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: null }).where('id', '=', id!).execute();

    const missing = await claim(await h.tokenFor(T, 'rep03'), 99_999_999);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const junk = await claim(await h.tokenFor(T, 'rep03'), 'abc' as unknown as number);
    expect(junk.status).toBe(404);
  });

  it('gates claims by distance when the pool sets a claim radius', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'near', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    const c = await h.db.selectFrom('customers').select(['lat', 'lng']).where('id', '=', id!).executeTakeFirstOrThrow();
    await h.db.updateTable('pools').set({ claim_radius_m: 500 }).where('id', '=', east).execute();
    // The location as a check-in sends it (claim-location.test.ts has the risk engine's refusals).
    const nonce = async () => (await h.request('POST', '/api/v1/visits/nonce', { token })).body.nonce as string;
    const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
    const at = (lat: number, accuracy: number) =>
      [0, 1].map((i) => ({ lat: lat + i * 0.000013, lng: c.lng + i * 0.000011, accuracy: accuracy + i, ts: h.clock.now() - (4 - i * 2) * 1000, source: 'dd.startLocating', isMock: false }));
    try {
      expect((await claim(token, id!)).body.error.code).toBe('location_required');
      // Bare coordinates, as clients before the nonce sent them, are not a location.
      expect((await claim(token, id!, { lat: c.lat, lng: c.lng, accuracy: 10 })).body.error.code).toBe('location_required');
      const far = await claim(token, id!, { nonce: await nonce(), fixes: at(c.lat + 0.02, 20), device });
      expect(far.status).toBe(422);
      expect(far.body.error.code).toBe('too_far');
      expect(far.body.error.distanceM).toBeGreaterThan(2000);
      expect(far.body.error.distanceM).toBeLessThan(2400);
      h.clock.advance(3_600_000);
      const near = await claim(token, id!, { nonce: await nonce(), fixes: at(c.lat + 0.001, 15), device });
      expect(near.status).toBe(200);
    } finally {
      await h.db.updateTable('pools').set({ claim_radius_m: null }).where('id', '=', east).execute();
    }
  });

  it('lets a manager assign within their region only, past quota and cooldown, with the cap unless forced', async () => {
    const mgr = await h.tokenFor(T, 'mgr-east');
    const [a, b] = await poolCustomerIds(h.db, T, east, 2);
    const ok = await h.request('POST', `/api/v1/customers/${a}/assign`, { token: mgr, body: { userId: 'rep03', reason: '区域调整' } });
    expect(ok.status).toBe(200);
    expect(ok.body.customer).toMatchObject({ ownerId: 'rep03', status: 'owned', ownedSince: new Date(h.clock.now()).toISOString() });
    const outside = await h.request('POST', `/api/v1/customers/${b}/assign`, { token: mgr, body: { userId: 'rep09', reason: '试试' } });
    expect(outside.status).toBe(403);
    const rep = await h.request('POST', `/api/v1/customers/${b}/assign`, { token: await h.tokenFor(T, 'rep01'), body: { userId: 'rep03', reason: 'x' } });
    expect(rep.status).toBe(403);

    await h.db.updateTable('pools').set({ max_owned_per_rep: 41 }).where('id', '=', east).execute();
    try {
      const capped = await h.request('POST', `/api/v1/customers/${b}/assign`, { token: mgr, body: { userId: 'rep03', reason: '新客户' } });
      expect(capped.status).toBe(422);
      expect(capped.body.error.code).toBe('owned_limit_reached');
      const forced = await h.request('POST', `/api/v1/customers/${b}/assign`, { token: mgr, body: { userId: 'rep03', reason: '新客户', force: true } });
      expect(forced.status).toBe(200);
      const last = await h.db.selectFrom('ownership_events').select(['type', 'actor_id', 'evidence', 'reason']).where('customer_id', '=', b!).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(last).toEqual({ type: 'assigned', actor_id: 'mgr-east', evidence: '{"force":true}', reason: '新客户' });
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: 200 }).where('id', '=', east).execute();
    }
    // Reassigning an owned customer is a transfer, still one ledger row.
    const moved = await h.request('POST', `/api/v1/customers/${b}/assign`, { token: mgr, body: { userId: 'rep04', reason: '交接' } });
    expect(moved.status).toBe(200);
    const types = await h.db.selectFrom('ownership_events').select('type').where('customer_id', '=', b!).orderBy('id').execute();
    expect(types.map((t) => t.type)).toEqual(['created', 'assigned', 'transferred']);
  });

  it('keeps the ledger and the customers table in agreement (invariants 1 and 2)', async () => {
    const customers = await h.db.selectFrom('customers').select(['id', 'status', 'owner_id']).where('tenant_id', '=', T).execute();
    const owners = await ownersFromLedger(h.db, T);
    for (const c of customers) {
      expect({ id: c.id, owner: owners.get(c.id) ?? null }).toEqual({ id: c.id, owner: c.owner_id });
      expect(c.status === 'pool').toBe(c.owner_id === null);
    }
    await expect(h.db.updateTable('customers').set({ owner_id: 'rep01' }).where('id', '=', customers.find((c) => c.status === 'pool')!.id).execute()).rejects.toMatchObject({
      message: expect.stringMatching(/customers_status_owner/),
    });
  });
});

// The claim engine (claim-engine.ts) decides a batch of concurrent claims together, on both dialects, with the one
// decision (ownership-rules.ts); a batch's claims are decided in arrival order as if they had run one after another.
describe.each(dialects)('claim batches on %s', (dialect) => {
  let h: Harness;
  let east: number;
  beforeAll(async () => {
    h = await startHarness(dialect);
    east = await poolIdByName(h.db, T, '华东公海');
  });
  afterAll(() => h.close());

  const day = '2026-11-27';
  const now = () => Date.parse(`${day}T02:00:00Z`);
  const batchOf = (claims: [string, number][]) => claims.map(([userId, customerId]) => ({ tenantId: T, customerId, userId, now: now(), day, timeZone: 'Asia/Shanghai' }));
  /** The decisions without the rows: who got what, and the code of each refusal. */
  const summary = (results: ClaimOutcome[]) =>
    results.map((r) => ({
      customer: r.customer?.id,
      owner: r.customer?.owner_id,
      claimed: r.decision.ok,
      refused: r.decision.ok ? undefined : r.decision.code,
    }));
  const count = async (table: 'ownership_events' | 'claim_counters') =>
    Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const withPool = async (settings: { claim_radius_m?: number | null; daily_claim_limit?: number; max_owned_per_rep?: number }, run: () => Promise<void>) => {
    const before = await h.db.selectFrom('pools').select(['claim_radius_m', 'daily_claim_limit', 'max_owned_per_rep']).where('id', '=', east).executeTakeFirstOrThrow();
    await h.db.updateTable('pools').set(settings).where('id', '=', east).execute();
    try {
      await run();
    } finally {
      await h.db.updateTable('pools').set(before).where('id', '=', east).execute();
    }
  };

  it('decides the claims of one batch in arrival order, as if one after another', async () => {
    const [a, b] = await addReps(h.db, T, 2, { prefix: 'batch', now: h.clock.now() });
    const [c1, c2, reserved] = await poolCustomerIds(h.db, T, east, 3);
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: 7 }).where('id', '=', reserved!).execute();
    const [foreign] = await poolCustomerIds(h.db, T, await poolIdByName(h.db, T, '华南公海'), 1);
    const ledgerBefore = await count('ownership_events');
    const results = await runClaimBatch(h.db, batchOf([[a!, c1!], [b!, c1!], [a!, 99_999_999], [a!, reserved!], [a!, foreign!], [b!, c2!], [a!, c2!], [a!, c1!]]));
    expect(summary(results)).toEqual([
      { customer: c1, owner: a, claimed: true, refused: undefined },
      // Too late: the earlier claim of the batch took it.
      { customer: c1, owner: a, claimed: false, refused: 'already_owned' },
      { customer: undefined, owner: undefined, claimed: false, refused: 'not_found' },
      { customer: reserved, owner: null, claimed: false, refused: 'reserved' },
      { customer: foreign, owner: null, claimed: false, refused: 'not_pool_member' },
      { customer: c2, owner: b, claimed: true, refused: undefined },
      { customer: c2, owner: b, claimed: false, refused: 'already_owned' },
      { customer: c1, owner: a, claimed: false, refused: 'already_owned' },
    ]);
    expect(results[0]!.customer).toMatchObject({ status: 'owned', owned_since: now(), pool_entered_at: null, updated_at: now() });
    expect(await count('ownership_events')).toBe(ledgerBefore + 2);
    const ledger = await h.db.selectFrom('ownership_events').select(['customer_id', 'type', 'to_user_id', 'actor_id', 'from_pool_id', 'to_pool_id']).where('customer_id', 'in', [c1!, c2!]).where('type', '=', 'claimed').orderBy('customer_id').execute();
    expect(ledger).toEqual([
      { customer_id: c1, type: 'claimed', to_user_id: a, actor_id: a, from_pool_id: east, to_pool_id: east },
      { customer_id: c2, type: 'claimed', to_user_id: b, actor_id: b, from_pool_id: east, to_pool_id: east },
    ]);
    const counters = await h.db.selectFrom('claim_counters').select(['user_id', 'pool_id', 'day', 'claims']).where('user_id', 'in', [a!, b!]).orderBy('user_id').execute();
    expect(counters).toEqual([
      { user_id: a, pool_id: east, day, claims: 1 },
      { user_id: b, pool_id: east, day, claims: 1 },
    ]);
    const rows = await h.db.selectFrom('customers').select(['id', 'status', 'owner_id', 'reserved_by_assignment_id']).where('id', 'in', [c1!, c2!, reserved!, foreign!]).orderBy('id').execute();
    expect(rows).toEqual(
      [
        { id: c1, status: 'owned', owner_id: a, reserved_by_assignment_id: null },
        { id: c2, status: 'owned', owner_id: b, reserved_by_assignment_id: null },
        { id: reserved, status: 'pool', owner_id: null, reserved_by_assignment_id: 7 },
        { id: foreign, status: 'pool', owner_id: null, reserved_by_assignment_id: null },
      ].sort((x, y) => x.id! - y.id!),
    );
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: null }).where('id', '=', reserved!).execute();
  });

  it('counts the quota and the cap across the claims of one batch, and a refused claim leaves the customer to the next rep', async () => {
    const [c, d, e] = await addReps(h.db, T, 3, { prefix: 'batchq', now: h.clock.now() });
    const [x1, x2, y1, y2] = await poolCustomerIds(h.db, T, east, 4);
    await withPool({ daily_claim_limit: 1 }, async () => {
      const results = await runClaimBatch(h.db, batchOf([[c!, x1!], [c!, x2!], [d!, x2!]]));
      expect(summary(results)).toEqual([
        { customer: x1, owner: c, claimed: true, refused: undefined },
        { customer: x2, owner: null, claimed: false, refused: 'daily_claim_limit_reached' },
        { customer: x2, owner: d, claimed: true, refused: undefined },
      ]);
    });
    await withPool({ max_owned_per_rep: 1 }, async () => {
      const results = await runClaimBatch(h.db, batchOf([[e!, y1!], [e!, y2!]]));
      expect(summary(results)).toEqual([
        { customer: y1, owner: e, claimed: true, refused: undefined },
        { customer: y2, owner: null, claimed: false, refused: 'owned_limit_reached' },
      ]);
    });
    const owners = await h.db.selectFrom('customers').select(['id', 'owner_id']).where('id', 'in', [x1!, x2!, y1!, y2!]).orderBy('id').execute();
    expect(owners).toEqual([
      { id: x1, owner_id: c },
      { id: x2, owner_id: d },
      { id: y1, owner_id: e },
      { id: y2, owner_id: null },
    ]);
    const counters = await h.db.selectFrom('claim_counters').select(['user_id', 'claims']).where('user_id', 'in', [c!, d!, e!]).orderBy('user_id').execute();
    expect(counters).toEqual([
      { user_id: c, claims: 1 },
      { user_id: d, claims: 1 },
      { user_id: e, claims: 1 },
    ]);
  });

  it('refuses a claim in a pool with a claim radius that comes without a judged location, writing nothing', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'batchr', now: h.clock.now() });
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    const ledgerBefore = await count('ownership_events');
    await withPool({ claim_radius_m: 300 }, async () => {
      const [r] = await runClaimBatch(h.db, batchOf([[rep!, id!]]));
      expect({ claimed: r!.decision.ok, code: r!.decision.ok ? null : r!.decision.code, status: r!.customer?.status, radius: r!.pool?.claimRadiusM }).toEqual({
        claimed: false,
        code: 'location_required',
        status: 'pool',
        radius: 300,
      });
    });
    expect(await count('ownership_events')).toBe(ledgerBefore);
  });

  // InnoDB's deadlock handling: MySQL only (on SQLite the transaction is the lock, and there is no deadlock to lose).
  (dialect === 'mysql' ? it : (() => undefined) as unknown as typeof it)('retries a batch that lost a deadlock, and the claim still goes through once', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'batchd', now: h.clock.now() });
    const [id] = await poolCustomerIds(h.db, T, east, 1);
    await h.db.insertInto('claim_counters').values({ tenant_id: T, user_id: rep!, pool_id: east, day, claims: 0 }).execute();
    const deadlocks = async () => Number((await sql<{ v: string }>`select variable_value as v from information_schema.global_status where variable_name = 'innodb_deadlocks'`.execute(h.db)).rows[0]!.v);
    const before = await deadlocks();
    const ledgerBefore = await count('ownership_events');
    let claim: Promise<ClaimOutcome[]> | undefined;
    await h.db.connection().execute(async (other) => {
      await sql`start transaction`.execute(other);
      // Another transaction with more work behind it (so InnoDB picks the batch as the victim) holds the rep's counter.
      await other.insertInto('claim_counters').values(Array.from({ length: 50 }, (_, i) => ({ tenant_id: T, user_id: `ghost${i}`, pool_id: east, day, claims: 0 }))).execute();
      await sql`select claims from claim_counters where tenant_id = ${T} and user_id = ${rep!} and pool_id = ${east} and day = ${day} for update`.execute(other);
      claim = runClaimBatch(h.db, batchOf([[rep!, id!]]));
      // Once the batch holds the customer (a probe that skips locked rows finds nothing), it is at, or just before,
      // the counter row this transaction holds; asking for the customer now closes the cycle, which InnoDB breaks by
      // rolling the lighter transaction, the batch, back.
      for (let probes = 0; ; probes++) {
        if (probes > 100_000) throw new Error('the batch never locked the customer');
        const free = await sql`select id from customers where id = ${id!} for update skip locked`.execute(h.db);
        if (free.rows.length === 0) break;
      }
      await sql`select id from customers where id = ${id!} for update`.execute(other);
      await sql`rollback`.execute(other);
    });
    const [result] = await claim!;
    expect({ claimed: result!.decision.ok, owner: result!.customer?.owner_id }).toEqual({ claimed: true, owner: rep });
    // The server-wide count: other databases on the server may add their own.
    expect(await deadlocks()).toBeGreaterThanOrEqual(before + 1);
    expect(await count('ownership_events')).toBe(ledgerBefore + 1);
    expect(await h.db.selectFrom('claim_counters').select('claims').where('user_id', '=', rep!).executeTakeFirstOrThrow()).toEqual({ claims: 1 });
  });

  it('batches concurrent claims of two tenants apart, each answered from its own tenant', async () => {
    const W = 'demo-wecom';
    const westEast = await poolIdByName(h.db, W, '华东公海');
    const [dRep] = await addReps(h.db, T, 1, { prefix: 'batcht', now: h.clock.now() });
    const [wRep] = await addReps(h.db, W, 1, { prefix: 'batcht', now: h.clock.now() });
    const dIds = await poolCustomerIds(h.db, T, east, 5);
    const wIds = await poolCustomerIds(h.db, W, westEast, 5);
    const engine = claimEngine(h.db);
    const at = { now: now(), day, timeZone: 'Asia/Shanghai' };
    const results = await Promise.all([
      ...dIds.map((customerId) => engine.submit({ tenantId: T, customerId, userId: dRep!, ...at })),
      ...wIds.map((customerId) => engine.submit({ tenantId: W, customerId, userId: wRep!, ...at })),
      // A customer id of the other tenant is no customer at all.
      engine.submit({ tenantId: T, customerId: wIds[0]!, userId: dRep!, ...at }),
    ]);
    expect(results.map((r) => [r.decision.ok, r.customer?.tenant_id, r.customer?.owner_id])).toEqual([
      ...dIds.map(() => [true, T, dRep]),
      ...wIds.map(() => [true, W, wRep]),
      [false, undefined, undefined],
    ]);
  });
});
