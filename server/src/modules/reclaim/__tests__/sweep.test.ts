import { dialects } from '../../../../test/databases';
import { ownersFromLedger, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { encodeGeohash } from '../../../geo/geo';
import { DAY_MS } from '../../../time';
import { dispatchOutbox } from '../../notify/outbox.service';
import { robotKey } from '../../notify/robot-ref';
import { runReminders } from '../reminders.service';
import { runSweep } from '../sweep.service';

const tenantId = 'demo-dingtalk';
/** 02:00 Shanghai on a local date: when the nightly sweep runs. */
const sweepAt = (day: string) => Date.parse(`${day}T02:00:00+08:00`);

describe.each(dialects)('the reclaim sweep on %s', (dialect) => {
  let h: Harness;
  let poolId: number;
  let upperPoolId: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    const now = h.clock.now();
    const base = { tenant_id: tenantId, max_owned_per_rep: 200, max_owned_per_level: '{}', cap_excludes_won: 0, daily_claim_limit: 20, prior_owner_cooldown_days: 30, claim_radius_m: null, created_at: now, updated_at: now };
    upperPoolId = await poolIdByName(h.db, tenantId, '总公司公海');
    poolId = Number((await h.db.insertInto('pools').values({ ...base, name: '测试公海', parent_pool_id: upperPoolId, escalate_after_days: 10, escalate_to_pool_id: upperPoolId }).executeTakeFirstOrThrow()).insertId);
  });
  afterAll(() => h.close());

  async function rule(kind: string, days: number, extra: Record<string, unknown> = {}): Promise<number> {
    const now = h.clock.now();
    await h.db.deleteFrom('pool_rules').where('pool_id', '=', poolId).execute();
    const values = { tenant_id: tenantId, pool_id: poolId, kind, days, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[3,1]', notify_manager: 1, target_pool_id: null, version: 1, created_at: now, updated_at: now, ...extra };
    return Number((await h.db.insertInto('pool_rules').values(values as never).executeTakeFirstOrThrow()).insertId);
  }

  async function customer(fields: { owner?: string | null; ownedSince?: number; lastVisit?: number | null; lastFollowUp?: number | null; wonAt?: number | null; level?: string; poolEnteredAt?: number }): Promise<number> {
    const owner = fields.owner === undefined ? 'rep01' : fields.owner;
    const at = fields.ownedSince ?? Date.parse('2026-10-01T02:00:00Z');
    const row = {
      tenant_id: tenantId,
      name: `测试客户${Math.random().toString(36).slice(2, 8)}`,
      address: '测试地址',
      lat: 31.2,
      lng: 121.4,
      geohash: encodeGeohash(31.2, 121.4),
      level: fields.level ?? 'C',
      tags: '[]',
      status: owner === null ? ('pool' as const) : ('owned' as const),
      pool_id: poolId,
      owner_id: owner,
      owned_since: owner === null ? null : at,
      pool_entered_at: owner === null ? (fields.poolEnteredAt ?? at) : null,
      last_verified_visit_at: fields.lastVisit ?? null,
      last_follow_up_at: fields.lastFollowUp ?? null,
      last_deal_won_at: fields.wonAt ?? null,
      created_by: 'admin01',
      created_at: at,
      updated_at: at,
    };
    const id = Number((await h.db.insertInto('customers').values(row).executeTakeFirstOrThrow()).insertId);
    await h.db.insertInto('ownership_events').values({ tenant_id: tenantId, customer_id: id, type: owner === null ? 'created' : 'claimed', from_user_id: null, to_user_id: owner, from_pool_id: poolId, to_pool_id: poolId, actor_id: owner, reason: null, rule_id: null, rule_version: null, evidence: null, at }).execute();
    return id;
  }

  async function ownerOf(id: number): Promise<string | null> {
    return (await h.db.selectFrom('customers').select('owner_id').where('id', '=', id).executeTakeFirstOrThrow()).owner_id;
  }

  async function clearPool() {
    await h.db.deleteFrom('customers').where('pool_id', '=', poolId).execute();
    await h.db.deleteFrom('reclaim_runs').execute();
  }

  const sweep = (now: number, extra: Partial<Parameters<typeof runSweep>[2]> = {}) => runSweep(h.deps, tenantId, { now, poolIds: [poolId], ...extra });

  it('follows the worked example: anchor 2026-11-01 14:00, 15 days → kept on 11-16, reclaimed by the 11-17 sweep', async () => {
    await clearPool();
    const ruleId = await rule('no_verified_visit', 15);
    const id = await customer({ ownedSince: Date.parse('2026-11-01T14:00:00+08:00') });
    expect((await sweep(sweepAt('2026-11-16'))).reclaimed).toBe(0);
    expect(await ownerOf(id)).toBe('rep01');
    const summary = await sweep(sweepAt('2026-11-17'));
    expect(summary).toMatchObject({ runDate: '2026-11-17', reclaimed: 1, byRule: [{ ruleId, kind: 'no_verified_visit', days: 15, count: 1 }], byRep: [{ userId: 'rep01', name: '张伟', count: 1 }] });
    const row = await h.db.selectFrom('customers').select(['status', 'owner_id', 'prior_owner_id', 'prior_owner_blocked_until']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pool', owner_id: null, prior_owner_id: 'rep01', prior_owner_blocked_until: sweepAt('2026-11-17') + 30 * DAY_MS });
    const ledger = await h.db.selectFrom('ownership_events').select(['type', 'from_user_id', 'rule_id', 'rule_version', 'reason', 'evidence']).where('customer_id', '=', id).where('type', '=', 'reclaimed').execute();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ from_user_id: 'rep01', rule_id: ruleId, rule_version: 1, reason: '15 天无有效拜访' });
    // The rule's id and version are the row's columns; the evidence holds the rule as it was and what it read.
    expect(JSON.parse(ledger[0]!.evidence!)).toEqual({
      runDate: '2026-11-17',
      rule: { kind: 'no_verified_visit', days: 15, workingDaysOnly: false },
      anchor: Date.parse('2026-11-01T14:00:00+08:00'),
      ownedSince: Date.parse('2026-11-01T14:00:00+08:00'),
      lastVerifiedVisitAt: null,
    });
    expect((await ownersFromLedger(h.db, tenantId)).get(id)).toBeNull();
  });

  it('a verified visit restarts the clock; the last verified visit is what counts', async () => {
    await clearPool();
    await rule('no_verified_visit', 15);
    const visited = await customer({ ownedSince: Date.parse('2026-11-01T14:00:00+08:00'), lastVisit: Date.parse('2026-11-10T09:00:00+08:00') });
    const neglected = await customer({ ownedSince: Date.parse('2026-11-01T14:00:00+08:00') });
    await sweep(sweepAt('2026-11-17'));
    expect([await ownerOf(visited), await ownerOf(neglected)]).toEqual(['rep01', null]);
    await sweep(sweepAt('2026-11-26'));
    expect(await ownerOf(visited)).toBe(null);
  });

  it('restarts the clock for a verified check-in through the API, not for a suspect one', async () => {
    await clearPool();
    await rule('no_verified_visit', 15);
    const owned = Date.parse('2026-11-01T14:00:00+08:00');
    const [verified, suspect] = [await customer({ ownedSince: owned }), await customer({ ownedSince: owned })];
    const token = await h.tokenFor(tenantId, 'rep01');
    h.clock.set(Date.parse('2026-11-10T10:00:00+08:00'));
    const checkIn = async (customerId: number, accuracy: number) => {
      const nonce = (await h.request('POST', '/api/v1/visits/nonce', { token })).body.nonce as string;
      const fixes = [0, 1, 2].map((i) => ({ lat: 31.2 + i * 0.000011 + 0.0000031, lng: 121.4 - i * 0.000013, accuracy: accuracy + i * 1.3, coord: 'gcj02', ts: h.clock.now() - (6 - i * 2) * 1000 }));
      const res = await h.request('POST', '/api/v1/visits', { token, body: { customerId, nonce, fixes, device: { platform: 'dingtalk', os: 'Android 14', model: 'Mate 60', clientVersion: '1.0.0' } } });
      return res.body.visit.verdict as string;
    };
    expect(await checkIn(verified, 12.4)).toBe('verified');
    h.clock.advance(3_600_000);
    expect(await checkIn(suspect, 450.2)).toBe('suspect');
    await sweep(sweepAt('2026-11-17'));
    expect([await ownerOf(verified), await ownerOf(suspect)]).toEqual(['rep01', null]);
  });

  it('counts working days only across the National Day holiday with a make-up Saturday', async () => {
    await clearPool();
    await h.db.insertInto('tenant_calendar_days').values([
      ...['01', '02', '03', '04', '05', '06', '07'].map((d) => ({ tenant_id: tenantId, day: `2026-10-${d}`, kind: 'holiday' as const, note: '国庆节' })),
      { tenant_id: tenantId, day: '2026-10-10', kind: 'workday' as const, note: '调休' },
    ]).execute();
    await rule('no_verified_visit', 3, { working_days_only: 1 });
    // Working days after 09-30: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, make-up), 10-12 (Mon) → due on 10-12.
    const id = await customer({ ownedSince: Date.parse('2026-09-30T10:00:00+08:00') });
    expect((await sweep(sweepAt('2026-10-11'))).reclaimed).toBe(0);
    expect(await ownerOf(id)).toBe('rep01');
    expect((await sweep(sweepAt('2026-10-12'))).reclaimed).toBe(1);
    await h.db.deleteFrom('tenant_calendar_days').execute();
  });

  it('protection_max takes a customer back despite activity, unless a deal was won while owned', async () => {
    await clearPool();
    await rule('protection_max', 60);
    const owned = Date.parse('2026-09-01T10:00:00+08:00');
    const busy = await customer({ ownedSince: owned, lastVisit: Date.parse('2026-11-01T10:00:00+08:00'), lastFollowUp: Date.parse('2026-11-02T10:00:00+08:00') });
    const won = await customer({ ownedSince: owned, wonAt: Date.parse('2026-10-15T10:00:00+08:00') });
    await sweep(sweepAt('2026-11-05'));
    expect([await ownerOf(busy), await ownerOf(won)]).toEqual([null, 'rep01']);
  });

  it('respects level scope and the won-customer exemption', async () => {
    await clearPool();
    await rule('no_deal', 30, { levels: '["A"]', exempt_won_customers: 1 });
    const owned = Date.parse('2026-09-01T10:00:00+08:00');
    const levelA = await customer({ ownedSince: owned, level: 'A' });
    const levelC = await customer({ ownedSince: owned, level: 'C' });
    const wonA = await customer({ ownedSince: owned, level: 'A', wonAt: Date.parse('2026-09-05T10:00:00+08:00') });
    await sweep(sweepAt('2026-11-05'));
    expect([await ownerOf(levelA), await ownerOf(levelC), await ownerOf(wonA)]).toEqual([null, 'rep01', 'rep01']);
    // The evidence names the fields this rule read: the deal clock (its kind and the exemption) and the level.
    const evidence = await h.db.selectFrom('ownership_events').select('evidence').where('customer_id', '=', levelA).where('type', '=', 'reclaimed').executeTakeFirstOrThrow();
    expect(JSON.parse(evidence.evidence!)).toEqual({ runDate: '2026-11-05', rule: { kind: 'no_deal', days: 30, workingDaysOnly: false }, anchor: owned, ownedSince: owned, lastDealWonAt: null, level: 'A' });
  });

  it('takes a customer due under two rules of its pool once, under the first rule, although the second rule read it meanwhile', async () => {
    await clearPool();
    const visitRule = await rule('no_verified_visit', 15);
    const now = h.clock.now();
    const dealRule = Number(
      (await h.db.insertInto('pool_rules').values({ tenant_id: tenantId, pool_id: poolId, kind: 'no_deal', days: 60, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[]', notify_manager: 0, target_pool_id: null, version: 1, created_at: now, updated_at: now }).executeTakeFirstOrThrow()).insertId,
    );
    const owned = Date.parse('2026-08-01T10:00:00+08:00');
    const both = await customer({ ownedSince: owned });
    const dealOnly = await customer({ ownedSince: owned, lastVisit: Date.parse('2026-11-20T10:00:00+08:00') });
    const kept = await customer({ ownedSince: owned, lastVisit: Date.parse('2026-11-20T10:00:00+08:00'), wonAt: Date.parse('2026-11-01T10:00:00+08:00') });
    const summary = await sweep(sweepAt('2026-11-25'));
    expect(summary.byRule).toEqual([
      { ruleId: visitRule, kind: 'no_verified_visit', days: 15, count: 1 },
      { ruleId: dealRule, kind: 'no_deal', days: 60, count: 1 },
    ]);
    const ledger = await h.db.selectFrom('ownership_events').select(['customer_id', 'rule_id']).where('type', '=', 'reclaimed').where('customer_id', 'in', [both, dealOnly, kept]).orderBy('customer_id').execute();
    expect(ledger).toEqual([
      { customer_id: both, rule_id: visitRule },
      { customer_id: dealOnly, rule_id: dealRule },
    ]);
    expect(await ownerOf(kept)).toBe('rep01');
  });

  it('cascades a customer nobody claimed for escalate_after_days up the pool chain', async () => {
    await clearPool();
    await rule('no_verified_visit', 15);
    const waiting = await customer({ owner: null, poolEnteredAt: Date.parse('2026-11-01T10:00:00+08:00') });
    const fresh = await customer({ owner: null, poolEnteredAt: Date.parse('2026-11-10T10:00:00+08:00') });
    const summary = await sweep(sweepAt('2026-11-12'));
    expect(summary.escalated).toBe(1);
    const rows = await h.db.selectFrom('customers').select(['id', 'pool_id', 'status']).where('id', 'in', [waiting, fresh]).orderBy('id').execute();
    expect(rows).toEqual([
      { id: waiting, pool_id: upperPoolId, status: 'pool' },
      { id: fresh, pool_id: poolId, status: 'pool' },
    ]);
    const ledger = await h.db.selectFrom('ownership_events').select(['type', 'from_pool_id', 'to_pool_id']).where('customer_id', '=', waiting).where('type', '=', 'escalated').execute();
    expect(ledger).toEqual([{ type: 'escalated', from_pool_id: poolId, to_pool_id: upperPoolId }]);
  });

  it('a rerun of the same date, or two sweeps at once, reclaims each customer once and queues one digest per recipient', async () => {
    await clearPool();
    await h.db.deleteFrom('outbox' as never).execute();
    await rule('no_verified_visit', 15);
    const ids = await Promise.all(['rep01', 'rep02', 'rep05'].flatMap((owner) => [0, 1].map(() => customer({ owner, ownedSince: Date.parse('2026-10-01T10:00:00+08:00') }))));
    const at = sweepAt('2026-11-20');
    const [a, b] = await Promise.all([sweep(at), sweep(at)]);
    expect(a.reclaimed + b.reclaimed - (a.alreadyRan ? a.reclaimed : 0) - (b.alreadyRan ? b.reclaimed : 0)).toBe(6);
    const again = await sweep(at + 6 * 3_600_000);
    expect(again).toMatchObject({ alreadyRan: true, reclaimed: 6 });
    const ledger = await h.db.selectFrom('ownership_events').select('customer_id').where('type', '=', 'reclaimed').where('customer_id', 'in', ids).execute();
    expect(ledger.map((r) => r.customer_id).sort()).toEqual([...ids].sort());
    const outbox = await h.db.selectFrom('outbox' as never).select(['dedupe_key' as never]).execute();
    // rep01, rep02 and rep05 all report to 钱东 (mgr-east); plus the tenant's pool-return robot.
    expect((outbox as { dedupe_key: string }[]).map((r) => r.dedupe_key).sort()).toEqual([`reclaim-digest:2026-11-20:bot:${robotKey('dingdemorobottoken')}`, 'reclaim-digest:2026-11-20:manager:mgr-east']);
    // Delivered: one digest to the manager and one to the robot, each listing all three reps, never one per customer.
    const before = ((await (await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/messages`)).json()) as { items: unknown[] }).items.length;
    await dispatchOutbox(h.deps, { now: at + 60_000 });
    await dispatchOutbox(h.deps, { now: at + 120_000 });
    const inbox = ((await (await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/messages`)).json()) as { items: { channel: string; to: string[]; text: string }[] }).items.slice(before);
    expect(inbox.map((m) => [m.channel, m.to])).toEqual(expect.arrayContaining([['direct', ['mgr-east']], ['group', []]]));
    expect(inbox).toHaveLength(2);
    // Grouped by rep, in user-id order: rep01 张伟, rep02 王芳, rep05 陈静.
    for (const m of inbox) expect(m.text).toMatch(/张伟\*\*：2 个[\s\S]*王芳\*\*：2 个[\s\S]*陈静\*\*：2 个/);
  });

  it('reclaims two pages at once in order; a failed page stops the run, and after the lease the run resumes and reports both attempts', async () => {
    await clearPool();
    await rule('no_verified_visit', 15);
    const owned = Date.parse('2026-10-01T10:00:00+08:00');
    const ids: number[] = [];
    for (const owner of ['rep01', 'rep02', 'rep01', 'rep05', 'rep02', 'rep01', 'rep05']) ids.push(await customer({ owner, ownedSince: owned }));
    const at = sweepAt('2026-11-23');
    const selected: number[][] = [];
    const failing = sweep(at, {
      pageSize: 2,
      hooks: {
        afterSelect: async (page) => {
          selected.push(page);
          if (page[0] === ids[2]) throw new Error('第二页失败');
        },
      },
    });
    await expect(failing).rejects.toThrow('第二页失败');
    // The first two pages started together; the first committed, the second failed, no third page started.
    expect(selected).toEqual([ids.slice(0, 2), ids.slice(2, 4)]);
    expect(await Promise.all(ids.map(ownerOf))).toEqual([null, null, 'rep01', 'rep05', 'rep02', 'rep01', 'rep05']);
    const run = await h.db.selectFrom('reclaim_runs').select(['started_at', 'finished_at']).where('tenant_id', '=', tenantId).where('run_date', '=', '2026-11-23').executeTakeFirstOrThrow();
    expect(run).toEqual({ started_at: at, finished_at: null });
    // Within the lease the run belongs to whoever started it: nothing is done, what it did so far is reported.
    expect(await sweep(at + 60_000, { pageSize: 2 })).toMatchObject({ alreadyRan: true, reclaimed: 2 });
    const resumedPages: number[][] = [];
    const resumed = await sweep(at + 11 * 60_000, { pageSize: 2, hooks: { afterSelect: async (page) => void resumedPages.push(page) } });
    expect(resumedPages).toEqual([ids.slice(2, 4), ids.slice(4, 6), ids.slice(6)]);
    expect(resumed).toMatchObject({
      alreadyRan: false,
      reclaimed: 7,
      byRep: [
        { userId: 'rep01', name: '张伟', count: 3 },
        { userId: 'rep02', name: '王芳', count: 2 },
        { userId: 'rep05', name: '陈静', count: 2 },
      ],
    });
    expect(resumed.examples.map((e) => e.customerId)).toEqual(ids);
    const ledger = await h.db.selectFrom('ownership_events').select('customer_id').where('type', '=', 'reclaimed').where('customer_id', 'in', ids).orderBy('customer_id').execute();
    expect(ledger.map((r) => r.customer_id)).toEqual(ids);
    expect(await h.db.selectFrom('reclaim_runs').select('finished_at').where('tenant_id', '=', tenantId).where('run_date', '=', '2026-11-23').executeTakeFirstOrThrow()).toEqual({ finished_at: at + 11 * 60_000 });
  });

  it('reports a run from what its pages took exactly as from its ledger rows: the same summary and the same digests', async () => {
    await clearPool();
    await h.db.deleteFrom('outbox' as never).execute();
    await rule('no_verified_visit', 15);
    const owned = Date.parse('2026-10-01T10:00:00+08:00');
    const ids: number[] = [];
    for (const owner of ['rep05', 'rep01', 'rep02', 'rep01', 'rep09', 'rep01', 'rep01', 'rep01', 'rep01', 'rep05', 'rep02', 'rep01']) ids.push(await customer({ owner, ownedSince: owned }));
    const at = sweepAt('2026-11-24');
    const digests = async () =>
      (await h.db.selectFrom('outbox' as never).select(['dedupe_key' as never, 'target' as never, 'message' as never]).orderBy('dedupe_key' as never).execute()) as { dedupe_key: string; target: string; message: string }[];
    const fromPages = await sweep(at, { pageSize: 5 });
    expect(fromPages).toMatchObject({
      alreadyRan: false,
      reclaimed: 12,
      byRule: [{ kind: 'no_verified_visit', days: 15, count: 12 }],
      byRep: [
        { userId: 'rep01', name: '张伟', count: 7 },
        { userId: 'rep02', name: '王芳', count: 2 },
        { userId: 'rep05', name: '陈静', count: 2 },
        { userId: 'rep09', count: 1 },
      ],
    });
    expect(fromPages.examples.map((e) => e.customerId)).toEqual(ids.slice(0, 10));
    const sent = await digests();
    expect(sent.map((d) => d.dedupe_key)).toEqual([`reclaim-digest:2026-11-24:bot:${robotKey('dingdemorobottoken')}`, 'reclaim-digest:2026-11-24:manager:mgr-east', 'reclaim-digest:2026-11-24:manager:mgr-south']);
    const east = (JSON.parse(sent[1]!.message) as { text: string }).text;
    expect(east).toContain('- **张伟**：7 个\n');
    expect(east).toContain('\n  - …等共 7 个\n');
    // As if the process had stopped after its pages: the run unfinished, its digests never queued. Resumed after the
    // lease, it finds nothing more to take and reports from the ledger alone.
    await h.db.updateTable('reclaim_runs').set({ finished_at: null, summary: null }).where('tenant_id', '=', tenantId).where('run_date', '=', '2026-11-24').execute();
    await h.db.deleteFrom('outbox' as never).execute();
    const fromLedger = await sweep(at + 11 * 60_000, { pageSize: 5 });
    expect(fromLedger).toEqual({ ...fromPages, now: new Date(at + 11 * 60_000).toISOString() });
    expect(await digests()).toEqual(sent);
  });

  it('keeps a customer whose verified check-in lands between the sweep selecting and reclaiming its page', async () => {
    await clearPool();
    await rule('no_verified_visit', 15);
    const saved = await customer({ ownedSince: Date.parse('2026-10-01T10:00:00+08:00') });
    const lost = await customer({ ownedSince: Date.parse('2026-10-01T10:00:00+08:00') });
    const at = sweepAt('2026-11-21');
    const summary = await sweep(at, {
      hooks: {
        afterSelect: async (ids) => {
          expect(ids).toEqual([saved, lost]);
          // What a verified check-in commits (visits.service restartVisitClock): the clock moves to now.
          await h.db.updateTable('customers').set({ last_verified_visit_at: at - 60_000 }).where('id', '=', saved).execute();
        },
      },
    });
    expect(summary.reclaimed).toBe(1);
    expect([await ownerOf(saved), await ownerOf(lost)]).toEqual(['rep01', null]);
  });

  it('reminds the owner once per customer, rule, offset and anchor, and copies the manager', async () => {
    await clearPool();
    await h.db.deleteFrom('outbox' as never).execute();
    await rule('no_verified_visit', 15);
    // Anchor 11-01 → due 11-17: three days before is 11-14, one day before is 11-16.
    const id = await customer({ ownedSince: Date.parse('2026-11-01T14:00:00+08:00') });
    const at = (day: string) => Date.parse(`${day}T09:00:00+08:00`);
    expect(await runReminders(h.db, tenantId, at('2026-11-13'))).toEqual({ reminded: 0, messages: 0 });
    expect(await runReminders(h.db, tenantId, at('2026-11-14'))).toEqual({ reminded: 1, messages: 2 });
    expect(await runReminders(h.db, tenantId, at('2026-11-14') + 3_600_000)).toEqual({ reminded: 0, messages: 0 });
    expect(await runReminders(h.db, tenantId, at('2026-11-15'))).toEqual({ reminded: 0, messages: 0 });
    expect(await runReminders(h.db, tenantId, at('2026-11-16'))).toEqual({ reminded: 1, messages: 2 });
    const outbox = (await h.db.selectFrom('outbox' as never).select(['target' as never, 'message' as never]).execute()) as { target: string; message: string }[];
    const texts = outbox.map((o) => ({ to: (JSON.parse(o.target) as { userIds: string[] }).userIds, text: (JSON.parse(o.message) as { text: string }).text }));
    const name = (await h.db.selectFrom('customers').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
    expect(texts.filter((t) => t.to[0] === 'rep01').map((t) => t.text.split('\n')[1])).toEqual([
      `- 客户「${name}」还有 3 天将被收回公海，原因：15 天无有效拜访`,
      `- 客户「${name}」还有 1 天将被收回公海，原因：15 天无有效拜访`,
    ]);
    expect(texts.filter((t) => t.to[0] === 'mgr-east')).toHaveLength(2);
  });

  it('previews the whole seeded tenant exactly as the real run at the same instant then reclaims it', async () => {
    const at = sweepAt('2026-12-28');
    const preview = await runSweep(h.deps, 'demo-wecom', { now: at, dryRun: true });
    expect(preview.reclaimed).toBeGreaterThan(100);
    const real = await runSweep(h.deps, 'demo-wecom', { now: at });
    expect({ ...preview, dryRun: false, now: real.now }).toEqual(real);
    const reclaimed = await h.db.selectFrom('ownership_events').select('customer_id').where('tenant_id', '=', 'demo-wecom').where('type', '=', 'reclaimed').execute();
    expect(reclaimed).toHaveLength(preview.reclaimed);
  });

  it('previews exactly what the real run at the same instant then reclaims', async () => {
    await clearPool();
    await rule('no_verified_visit', 20);
    const owned = Date.parse('2026-10-01T10:00:00+08:00');
    const ids = await Promise.all([
      customer({ ownedSince: owned }),
      customer({ ownedSince: owned, lastVisit: Date.parse('2026-11-10T10:00:00+08:00') }),
      customer({ ownedSince: owned, owner: 'rep02' }),
      customer({ ownedSince: Date.parse('2026-11-15T10:00:00+08:00') }),
    ]);
    const at = sweepAt('2026-11-22');
    const preview = await sweep(at, { dryRun: true });
    expect(preview.dryRun).toBe(true);
    const stillOwned = await h.db.selectFrom('customers').select('id').where('id', 'in', ids).where('status', '=', 'owned').execute();
    expect(stillOwned).toHaveLength(4);
    const real = await sweep(at);
    const reclaimed = await h.db.selectFrom('customers').select('id').where('id', 'in', ids).where('status', '=', 'pool').orderBy('id').execute();
    expect(preview.examples.map((e) => e.customerId).sort()).toEqual(reclaimed.map((r) => r.id).sort());
    expect({ ...preview, dryRun: false, now: real.now }).toEqual(real);
  });
});
