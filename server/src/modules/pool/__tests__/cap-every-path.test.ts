import { dialects } from '../../../../test/databases';
import { addReps } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { encodeGeohash } from '../../../geo/geo';
import { DAY_MS, localDate } from '../../../time';
import { handleDeparture } from '../../org/departure.service';
import { refreshPoolMembers } from '../pool.repository';
import { runSweep } from '../../reclaim/sweep.service';
import { runClaimBatch } from '../claim-engine';

const T = 'demo-dingtalk';
const POOL = '上限测试公海';
/** The words every refusal by the per-level cap shares, whoever is refused and on whichever path. */
const AT_CAP = `在「${POOL}」已持有 2 个 A 级客户，达到该级别上限 2 个`;
const CAP_DETAILS = { limit: 2, owned: 2, level: 'A' };

/**
 * A rep at the per-level cap of a pool ({"A": 2}, owning 2 A customers), met on every path that gives, takes or creates
 * a customer: the paths the cap rule covers refuse with the same code and the same words; the paths it does not cover
 * (force, the HR override, release, departure, reclaim, escalation) go through. Every path leaves ledger rows of one shape.
 */
describe.each(dialects)('the per-level cap on every path on %s', (dialect) => {
  let h: Harness;
  let poolId: number;
  let upperPoolId: number;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness(dialect);
    const now = h.clock.now();
    upperPoolId = (await h.db.selectFrom('pools').select('id').where('tenant_id', '=', T).where('name', '=', '总公司公海').executeTakeFirstOrThrow()).id;
    const inserted = await h.db
      .insertInto('pools')
      .values({
        tenant_id: T,
        name: POOL,
        parent_pool_id: upperPoolId,
        escalate_after_days: 10,
        escalate_to_pool_id: upperPoolId,
        max_owned_per_rep: 200,
        max_owned_per_level: '{"A":2}',
        cap_excludes_won: 0,
        daily_claim_limit: 20,
        prior_owner_cooldown_days: 30,
        claim_radius_m: null,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    poolId = Number(inserted.insertId);
    // 上海一组's own pool: the deepest department wins, so it is the home pool of the reps added below.
    await h.db.insertInto('pool_departments').values({ tenant_id: T, pool_id: poolId, department_id: '21' }).execute();
    await refreshPoolMembers(h.db, T);
  });
  afterAll(() => h.close());

  /** A customer of the test pool, owned by `owner` (since `ownedSince`) or in the pool. */
  async function customer(owner: string | null, fields: { level?: string; ownedSince?: number; poolEnteredAt?: number } = {}): Promise<number> {
    const at = h.clock.now();
    const name = `上限测试客户${++seq}`;
    const res = await h.db
      .insertInto('customers')
      .values({
        tenant_id: T,
        name,
        address: '测试地址',
        lat: 31.2,
        lng: 121.4,
        geohash: encodeGeohash(31.2, 121.4),
        level: fields.level ?? 'A',
        tags: '[]',
        status: owner === null ? 'pool' : 'owned',
        pool_id: poolId,
        owner_id: owner,
        owned_since: owner === null ? null : (fields.ownedSince ?? at),
        pool_entered_at: owner === null ? (fields.poolEnteredAt ?? at) : null,
        created_by: null,
        created_at: at,
        updated_at: at,
      })
      .executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  /** A fresh rep of 上海一组 owning 2 A customers of the test pool: at its per-level cap. */
  async function repAtCap(prefix: string): Promise<{ rep: string; token: string; held: number[] }> {
    const [rep] = await addReps(h.db, T, 1, { prefix, now: h.clock.now() });
    const held = [await customer(rep!), await customer(rep!)];
    return { rep: rep!, token: await h.tokenFor(T, rep!), held };
  }

  const ownedA = async (rep: string) =>
    Number(
      (
        await h.db
          .selectFrom('customers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', T)
          .where('owner_id', '=', rep)
          .where('pool_id', '=', poolId)
          .where('level', '=', 'A')
          .executeTakeFirstOrThrow()
      ).n,
    );

  const ledgerOf = (customerId: number) =>
    h.db.selectFrom('ownership_events').selectAll().where('tenant_id', '=', T).where('customer_id', '=', customerId).orderBy('id').execute();

  function expectCapRefusal(res: { status: number; body: any }) {
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'owned_limit_reached', ...CAP_DETAILS });
    expect(res.body.error.message).toContain(AT_CAP);
  }

  it('claim, single: refused at the per-level cap; a level the pool does not cap is still claimable', async () => {
    const { rep, token } = await repAtCap('capclaim');
    const a = await customer(null);
    const res = await h.request('POST', `/api/v1/customers/${a}/claim`, { token, body: {} });
    expectCapRefusal(res);
    expect(res.body.error.message).toBe(`你${AT_CAP}。`);
    expect(await ledgerOf(a)).toEqual([]);
    const b = await customer(null, { level: 'B' });
    expect((await h.request('POST', `/api/v1/customers/${b}/claim`, { token, body: {} })).status).toBe(200);
    expect(await ownedA(rep)).toBe(2);
  });

  it('claim, batched: every claim of one batch at the cap is refused the same way, over HTTP in parallel and in one engine batch', async () => {
    const { rep, token } = await repAtCap('capbatch');
    const parallel = await Promise.all([await customer(null), await customer(null), await customer(null)].map((id) => h.request('POST', `/api/v1/customers/${id}/claim`, { token, body: {} })));
    for (const res of parallel) expectCapRefusal(res);

    const ids = [await customer(null), await customer(null), await customer(null)];
    const now = h.clock.now();
    const outcomes = await runClaimBatch(
      h.db,
      ids.map((customerId) => ({ tenantId: T, customerId, userId: rep, now, day: localDate(now, 'Asia/Shanghai'), timeZone: 'Asia/Shanghai' })),
    );
    expect(outcomes.map((o) => (o.decision.ok ? 'granted' : o.decision.code))).toEqual(['owned_limit_reached', 'owned_limit_reached', 'owned_limit_reached']);
    for (const o of outcomes) expect(o.decision.ok ? '' : o.decision.message).toContain(AT_CAP);
    expect(await ownedA(rep)).toBe(2);
  });

  it('a batch that brings a rep to the cap grants up to it and refuses the rest', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'capfill', now: h.clock.now() });
    const ids = [await customer(null), await customer(null), await customer(null)];
    const now = h.clock.now();
    const outcomes = await runClaimBatch(
      h.db,
      ids.map((customerId) => ({ tenantId: T, customerId, userId: rep!, now, day: localDate(now, 'Asia/Shanghai'), timeZone: 'Asia/Shanghai' })),
    );
    expect(outcomes.map((o) => (o.decision.ok ? 'granted' : o.decision.code))).toEqual(['granted', 'granted', 'owned_limit_reached']);
    expect(await ownedA(rep!)).toBe(2);
  });

  it('assignment: refused at the cap without force; with force it goes through and the ledger says force', async () => {
    const { rep } = await repAtCap('capassign');
    const admin = await h.tokenFor(T, 'admin01');
    const id = await customer(null);
    const refused = await h.request('POST', `/api/v1/customers/${id}/assign`, { token: admin, body: { userId: rep, reason: '补充客户' } });
    expectCapRefusal(refused);
    expect(refused.body.error.message).toBe(`测试${rep} ${AT_CAP}；如确需分配，请勾选强制分配。`);
    const forced = await h.request('POST', `/api/v1/customers/${id}/assign`, { token: admin, body: { userId: rep, reason: '补充客户', force: true } });
    expect(forced.status).toBe(200);
    expect(forced.body.customer).toMatchObject({ id, status: 'owned', ownerId: rep });
    const [row] = await ledgerOf(id);
    expect(row).toMatchObject({ type: 'assigned', from_user_id: null, to_user_id: rep, actor_id: 'admin01', reason: '补充客户' });
    expect(JSON.parse(row!.evidence!)).toEqual({ force: true });
    expect(await ownedA(rep)).toBe(3);
  });

  it('HR approval: a customer over the cap is skipped as owned_limit_reached; with the onboarding override it is assigned', async () => {
    const { rep } = await repAtCap('caphr');
    const hr = await h.tokenFor(T, 'hr01');
    const approve = async (customerIds: number[], overrideCap: boolean) => {
      const created = await h.request('POST', '/api/v1/assignments', { token: hr, body: { assigneeUserId: rep, customerIds, reason: '入职交接', overrideCap } });
      expect(created.status).toBe(201);
      const { id, approvalInstanceId } = created.body.assignment;
      expect((await h.control('dingtalk', 'POST', `approvals/${encodeURIComponent(approvalInstanceId)}/decide`, { approved: true })).status).toBe(200);
      return { id, approvalInstanceId, detail: (await h.request('GET', `/api/v1/assignments/${id}`, { token: hr })).body.assignment };
    };

    const capped = [await customer(null), await customer(null, { level: 'B' })];
    const first = await approve(capped, false);
    expect(first.detail.counts).toEqual({ assigned: 1, skipped: 1, reserved: 0, released: 0 });
    expect(first.detail.items.map((i: { customerId: number; state: string; note: string | null }) => [i.customerId, i.state, i.note])).toEqual([
      [capped[0], 'skipped', 'owned_limit_reached'],
      [capped[1], 'assigned', null],
    ]);
    const skipped = await h.db.selectFrom('customers').select(['status', 'owner_id', 'reserved_by_assignment_id']).where('id', '=', capped[0]!).executeTakeFirstOrThrow();
    expect(skipped).toEqual({ status: 'pool', owner_id: null, reserved_by_assignment_id: null });
    expect(await ledgerOf(capped[0]!)).toEqual([]);

    const overridden = [await customer(null), await customer(null)];
    const second = await approve(overridden, true);
    expect(second.detail.counts).toEqual({ assigned: 2, skipped: 0, reserved: 0, released: 0 });
    expect(await ownedA(rep)).toBe(4);
    const rows = await h.db.selectFrom('ownership_events').selectAll().where('customer_id', 'in', overridden).orderBy('customer_id').execute();
    expect(rows.map((r) => ({ ...r, evidence: JSON.parse(r.evidence!) }))).toEqual(
      overridden.map((customerId) => ({
        id: expect.any(Number),
        tenant_id: T,
        customer_id: customerId,
        type: 'assigned',
        from_user_id: null,
        to_user_id: rep,
        from_pool_id: poolId,
        to_pool_id: poolId,
        actor_id: 'hr01',
        reason: `审批单 ${second.approvalInstanceId} 通过：入职交接`,
        rule_id: null,
        rule_version: null,
        evidence: { assignmentId: second.id, approvalInstanceId: second.approvalInstanceId, capOverride: true },
        at: h.clock.now(),
      })),
    );
  });

  it('creation: creating an owned customer of a level the rep is full on is refused, like claiming one; into the pool it is fine', async () => {
    const { rep, token } = await repAtCap('capcreate');
    const body = { name: `上限测试新建${dialect}`, address: '上海市测试路 1 号', lat: 31.2, lng: 121.4, level: 'A' };
    const refused = await h.request('POST', '/api/v1/customers', { token, body });
    expectCapRefusal(refused);
    expect(refused.body.error.message).toBe(`你${AT_CAP}；新客户可放入公海，或先退回部分 A 级客户。`);
    expect(await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('name', '=', body.name).execute()).toEqual([]);
    expect(await ownedA(rep)).toBe(2);

    const other = await h.request('POST', '/api/v1/customers', { token, body: { ...body, level: 'B' } });
    expect(other.status).toBe(201);
    expect(other.body.customer).toMatchObject({ status: 'owned', ownerId: rep, level: 'B', poolId });

    const pooled = await h.request('POST', '/api/v1/customers', { token, body: { ...body, name: `${body.name}-公海`, poolId } });
    expect(pooled.status).toBe(201);
    expect(pooled.body.customer).toMatchObject({ status: 'pool', ownerId: null, level: 'A', poolId });
    expect(await ledgerOf(pooled.body.customer.id)).toEqual([
      { id: expect.any(Number), tenant_id: T, customer_id: pooled.body.customer.id, type: 'created', from_user_id: null, to_user_id: null, from_pool_id: null, to_pool_id: poolId, actor_id: rep, reason: null, rule_id: null, rule_version: null, evidence: null, at: h.clock.now() },
    ]);
  });

  it('creation: parallel creations by a rep one short of the cap give them exactly one more', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'capracer', now: h.clock.now() });
    await customer(rep!);
    const token = await h.tokenFor(T, rep!);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => h.request('POST', '/api/v1/customers', { token, body: { name: `并发新建${dialect}${i}`, address: '上海市测试路 2 号', lat: 31.2, lng: 121.4, level: 'A' } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422]);
    for (const r of results.filter((x) => x.status === 422)) expectCapRefusal(r);
    expect(await ownedA(rep!)).toBe(2);
  });

  it('release: never capped — a rep at the cap gives one back', async () => {
    const { rep, token, held } = await repAtCap('caprelease');
    const res = await h.request('POST', `/api/v1/customers/${held[0]}/release`, { token, body: { reason: '客户无需求' } });
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ status: 'pool', ownerId: null });
    expect(await ownedA(rep)).toBe(1);
  });

  it('departure: the leaver’s customers go to a manager at the cap all the same (the rule bypasses it)', async () => {
    const { rep: manager } = await repAtCap('capmgr');
    const [leaver] = await addReps(h.db, T, 1, { prefix: 'capleaver', now: h.clock.now() });
    await h.db.updateTable('users').set({ manager_id: manager }).where('tenant_id', '=', T).where('id', '=', leaver!).execute();
    const theirs = [await customer(leaver!), await customer(leaver!)];
    const settings = (await h.db.selectFrom('tenants').select('settings').where('id', '=', T).executeTakeFirstOrThrow()).settings;
    await h.db.updateTable('tenants').set({ settings: JSON.stringify({ ...JSON.parse(settings), departurePolicy: 'manager' }) }).where('id', '=', T).execute();
    try {
      const result = await handleDeparture(h.deps, T, leaver!, h.clock.now(), undefined);
      expect(result).toMatchObject({ returned: 2, destination: { managerId: manager } });
    } finally {
      await h.db.updateTable('tenants').set({ settings }).where('id', '=', T).execute();
    }
    expect(await ownedA(manager)).toBe(4);
    for (const id of theirs) {
      expect((await ledgerOf(id)).map(({ id: _id, ...r }) => r)).toEqual([
        { tenant_id: T, customer_id: id, type: 'left_with_employee', from_user_id: leaver, to_user_id: manager, from_pool_id: poolId, to_pool_id: poolId, actor_id: null, reason: '员工离职，客户转交其上级', rule_id: null, rule_version: null, evidence: null, at: h.clock.now() },
      ]);
    }
  });

  it('reclaim and escalation take customers away from a rep at the cap, with ledger rows shaped like a claim’s', async () => {
    const { rep, token } = await repAtCap('capsweep');
    const now = h.clock.now();
    // A B customer claimed through the API: the row every other row's shape is compared with.
    const claimedId = await customer(null, { level: 'B' });
    expect((await h.request('POST', `/api/v1/customers/${claimedId}/claim`, { token, body: {} })).status).toBe(200);
    const neglected = await customer(rep, { ownedSince: now - 40 * DAY_MS });
    const stale = await customer(null, { poolEnteredAt: now - 20 * DAY_MS });
    await h.db.deleteFrom('pool_rules').where('pool_id', '=', poolId).execute();
    const rule = await h.db
      .insertInto('pool_rules')
      .values({ tenant_id: T, pool_id: poolId, kind: 'no_verified_visit', days: 30, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[3,1]', notify_manager: 1, target_pool_id: null, version: 1, created_at: now, updated_at: now } as never)
      .executeTakeFirstOrThrow();
    const ruleId = Number(rule.insertId);
    const summary = await runSweep(h.deps, T, { now, poolIds: [poolId] });
    expect(summary).toMatchObject({ reclaimed: 1 });
    expect(await ownedA(rep)).toBe(2);

    const [claimed] = await ledgerOf(claimedId);
    const [reclaimed] = await ledgerOf(neglected);
    const [escalated] = await ledgerOf(stale);
    expect(claimed).toEqual({ id: expect.any(Number), tenant_id: T, customer_id: claimedId, type: 'claimed', from_user_id: null, to_user_id: rep, from_pool_id: poolId, to_pool_id: poolId, actor_id: rep, reason: null, rule_id: null, rule_version: null, evidence: null, at: now });
    expect({ ...reclaimed!, evidence: JSON.parse(reclaimed!.evidence!) }).toEqual({
      id: expect.any(Number),
      tenant_id: T,
      customer_id: neglected,
      type: 'reclaimed',
      from_user_id: rep,
      to_user_id: null,
      from_pool_id: poolId,
      to_pool_id: poolId,
      actor_id: null,
      reason: '30 天无有效拜访',
      rule_id: ruleId,
      rule_version: 1,
      evidence: expect.objectContaining({ rule: { kind: 'no_verified_visit', days: 30, workingDaysOnly: false } }),
      at: now,
    });
    expect({ ...escalated!, evidence: JSON.parse(escalated!.evidence!) }).toEqual({
      id: expect.any(Number),
      tenant_id: T,
      customer_id: stale,
      type: 'escalated',
      from_user_id: null,
      to_user_id: null,
      from_pool_id: poolId,
      to_pool_id: upperPoolId,
      actor_id: null,
      reason: expect.any(String),
      rule_id: null,
      rule_version: null,
      evidence: expect.objectContaining({ escalateAfterDays: 10 }),
      at: now,
    });
    // One shape: the same columns, each of the same type wherever it is set.
    const shape = (r: Record<string, unknown>) => Object.keys(r).sort();
    expect(shape(reclaimed!)).toEqual(shape(claimed!));
    expect(shape(escalated!)).toEqual(shape(claimed!));
    for (const r of [claimed!, reclaimed!, escalated!]) {
      expect([typeof r.at, typeof r.from_pool_id, typeof r.to_pool_id, typeof r.customer_id]).toEqual(['number', 'number', 'number', 'number']);
    }
  });
});
