import { dialects } from '../../../../test/databases';
import { finishedVisitRow, insertOrg, type OrgDepartmentRow, type OrgUserRow } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import type { Db } from '../../../db/create-db';
import { encodeGeohash } from '../../../geo/geo';
import { refreshPoolMembers } from '../../pool/pool.repository';
import type { RuleKind } from '../../pool/pool.table';
import type { LatestReclaimsResponse, TeamResponse } from '../team';

/**
 * A hand-built tenant: regions 华东 (上海一组: e1, e3 who has left; 杭州一组: e2) and 华南 (广州一组: s1), a manager of
 * each region, a manager of 上海一组 only, an admin and an HR user. "Now" is Friday 2026-11-27 10:00 Shanghai, so the
 * week started on Monday 2026-11-23 00:00 (2026-11-22T16:00Z) and the 30-day window on 2026-10-28 10:00.
 */
const T = 'team-t';
const OTHER = 'team-other';
/** A Shanghai wall-clock time in 2026: t('11-20 10:00'). */
const t = (s: string) => Date.parse(`2026-${s.replace(' ', 'T')}+08:00`);
const NOW = t('11-27 10:00:00');

interface World {
  pools: { E: number; S: number; C: number };
  rules: { eastVisit: number; eastDeal: number; southVisit: number };
  customers: Map<string, number>;
}

async function seedTenant(db: Db, id: string, now: number): Promise<void> {
  await db
    .insertInto('tenants')
    .values({ id, name: `团队测试${id}`, platform: 'dingtalk', corp_id: `corp-${id}`, app_key: `key-${id}`, app_secret_enc: 'x', agent_id: '1', callback_token_enc: null, callback_aes_key_enc: null, time_zone: 'Asia/Shanghai', settings: '{}', created_at: now })
    .execute();
}

async function seed(db: Db): Promise<World> {
  const now = NOW;
  await seedTenant(db, T, now);
  const depts: OrgDepartmentRow[] = [
    ['1', null, '团队公司', 0, '/1/'],
    ['2', '1', '华东', 1, '/1/2/'],
    ['3', '1', '华南', 1, '/1/3/'],
    ['5', '1', '信息部', 0, '/1/5/'],
    ['21', '2', '上海一组', 0, '/1/2/21/'],
    ['22', '2', '杭州一组', 0, '/1/2/22/'],
    ['31', '3', '广州一组', 0, '/1/3/31/'],
  ];
  const users: OrgUserRow[] = [
    ['e1', '张一', 'rep', 1, '21', 0],
    ['e2', '王二', 'rep', 1, '22', 0],
    ['e3', '赵三', 'rep', 0, '21', 0],
    ['s1', '李四', 'rep', 1, '31', 0],
    ['mgr-east', '钱东', 'manager', 1, '2', 1],
    ['mgr-south', '林南', 'manager', 1, '3', 1],
    ['mgr-sh', '沈沪', 'manager', 1, '21', 1],
    ['admin01', '严管', 'admin', 1, '5', 0],
    ['hr01', '何人', 'hr', 1, '5', 0],
  ];
  await insertOrg(db, T, depts, users, { now, leftAt: t('11-10 18:00') });

  const pool = async (name: string, dept: string) => {
    const res = await db
      .insertInto('pools')
      .values({ tenant_id: T, name, parent_pool_id: null, escalate_after_days: null, escalate_to_pool_id: null, max_owned_per_rep: 200, max_owned_per_level: '{}', cap_excludes_won: 0, daily_claim_limit: 20, prior_owner_cooldown_days: 30, claim_radius_m: null, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    const poolId = Number(res.insertId);
    await db.insertInto('pool_departments').values({ tenant_id: T, pool_id: poolId, department_id: dept }).execute();
    return poolId;
  };
  const pools = { E: await pool('华东公海', '2'), S: await pool('华南公海', '3'), C: await pool('总公司公海', '1') };
  await refreshPoolMembers(db, T);
  const rule = async (poolId: number, kind: RuleKind, days: number, target: number | null) =>
    Number(
      (
        await db
          .insertInto('pool_rules')
          .values({ tenant_id: T, pool_id: poolId, kind, days, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[3,1]', notify_manager: 0, target_pool_id: target, version: 1, created_at: now, updated_at: now })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
  const rules = { eastVisit: await rule(pools.E, 'no_verified_visit', 15, null), eastDeal: await rule(pools.E, 'no_deal', 90, pools.C), southVisit: await rule(pools.S, 'no_verified_visit', 10, null) };

  // [key, pool, owner, owned since, last verified visit]
  const customers: [string, keyof World['pools'], string | null, string | null, string | null][] = [
    ['a1', 'E', 'e1', '11-01 10:00:00', '11-23 09:00:00'],
    ['a2', 'E', 'e1', '11-14 14:00:00', null],
    ['a3', 'E', 'e2', '11-20 10:00:00', '11-25 11:00:00'],
    ['b1', 'S', 's1', '11-20 10:00:00', '11-24 10:00:00'],
    ['p1', 'E', null, null, null],
    ['p2', 'C', null, null, null],
    ['p3', 'S', null, null, null],
    ['p4', 'E', null, null, null],
  ];
  const ids = new Map<string, number>();
  for (const [key, p, owner, since, visited] of customers) {
    const res = await db
      .insertInto('customers')
      .values({
        tenant_id: T,
        name: `客户${key}`,
        address: '测试地址',
        lat: 31.2,
        lng: 121.4,
        geohash: encodeGeohash(31.2, 121.4),
        level: 'B',
        tags: '[]',
        status: owner === null ? 'pool' : 'owned',
        pool_id: pools[p],
        owner_id: owner,
        owned_since: since === null ? null : t(since),
        last_verified_visit_at: visited === null ? null : t(visited),
        pool_entered_at: owner === null ? t('11-27 02:00:01') : null,
        created_by: null,
        created_at: t('10-01 10:00:00'),
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    ids.set(key, Number(res.insertId));
  }

  // [customer, rep, verdict, at]: three of e1's are this week, the Sunday-night one and the one before are not.
  const visits: [string, string, 'verified' | 'suspect' | 'rejected', string][] = [
    ['a1', 'e1', 'verified', '11-20 09:00:00'],
    ['a1', 'e1', 'verified', '11-22 23:59:59'],
    ['a1', 'e1', 'verified', '11-23 09:00:00'],
    ['a2', 'e1', 'suspect', '11-24 10:00:00'],
    ['a2', 'e1', 'rejected', '11-26 15:00:00'],
    ['a3', 'e2', 'verified', '11-25 11:00:00'],
    ['b1', 's1', 'verified', '11-24 10:00:00'],
    ['b1', 's1', 'rejected', '11-25 16:00:00'],
  ];
  await db
    .insertInto('visits')
    .values(
      visits.map(([key, user, verdict, at]) => finishedVisitRow(T, ids.get(key)!, user, verdict, t(at))),
    )
    .execute();

  // Sweep runs: 10-20 and 11-05 (earlier), and 11-27 02:00, the latest finished one.
  const runs: [string, string, string][] = [
    ['2026-10-20', '10-20 02:00:00', '10-20 02:00:09'],
    ['2026-11-05', '11-05 02:00:00', '11-05 02:00:09'],
    ['2026-11-27', '11-27 02:00:00', '11-27 02:00:05'],
  ];
  await db.insertInto('reclaim_runs').values(runs.map(([run_date, s, f]) => ({ tenant_id: T, run_date, started_at: t(s), finished_at: t(f), summary: '{}' }))).execute();
  const evidence = (runDate: string, r: { id: number; kind: RuleKind; days: number } | null) => JSON.stringify({ runDate, ...(r ? { rule: { ...r, version: 1, workingDaysOnly: false } } : {}) });
  // [customer, type, from user, from pool, to pool, rule, reason, at, evidence]
  const ledger: [string, 'reclaimed' | 'escalated' | 'released', string | null, number, number, number | null, string, string, string | null][] = [
    ['p4', 'reclaimed', 'e2', pools.E, pools.E, rules.eastVisit, '15 天无有效拜访', '10-20 02:00:01', evidence('2026-10-20', { id: rules.eastVisit, kind: 'no_verified_visit', days: 15 })],
    ['p4', 'reclaimed', 'e2', pools.E, pools.E, rules.eastVisit, '15 天无有效拜访', '11-05 02:00:01', evidence('2026-11-05', { id: rules.eastVisit, kind: 'no_verified_visit', days: 15 })],
    ['p1', 'reclaimed', 'e1', pools.E, pools.E, rules.eastVisit, '15 天无有效拜访', '11-27 02:00:01', evidence('2026-11-27', { id: rules.eastVisit, kind: 'no_verified_visit', days: 15 })],
    // Written before evidence carried the rule: kind and days come from the rule as it is now.
    ['p2', 'reclaimed', 'e3', pools.E, pools.C, rules.eastDeal, '90 天未成交', '11-27 02:00:02', evidence('2026-11-27', null)],
    ['p3', 'reclaimed', 's1', pools.S, pools.S, rules.southVisit, '10 天无有效拜访', '11-27 02:00:03', evidence('2026-11-27', { id: rules.southVisit, kind: 'no_verified_visit', days: 10 })],
    // Not reclaims: an escalation of the same run and a release made while it ran.
    ['p4', 'escalated', null, pools.E, pools.C, null, '在「华东公海」30 天无人领取，升级到「总公司公海」', '11-27 02:00:04', evidence('2026-11-27', null)],
    ['p4', 'released', 'e1', pools.E, pools.E, null, '客户已倒闭', '11-27 02:00:04', null],
  ];
  await db
    .insertInto('ownership_events')
    .values(
      ledger.map(([key, type, from, fromPool, toPool, ruleId, reason, at, ev]) => ({
        tenant_id: T,
        customer_id: ids.get(key)!,
        type,
        from_user_id: from,
        to_user_id: null,
        from_pool_id: fromPool,
        to_pool_id: toPool,
        actor_id: null,
        reason,
        rule_id: ruleId,
        rule_version: ruleId === null ? null : 1,
        evidence: ev,
        at: t(at),
      })),
    )
    .execute();

  // Another tenant with the same department paths and user ids, and no sweep run yet.
  await seedTenant(db, OTHER, now);
  await db.insertInto('departments').values([['1', null, '别家', '/1/'], ['2', '1', '华东', '/1/2/']].map(([id, parent_id, name, path]) => ({ tenant_id: OTHER, id: id!, parent_id, name: name!, is_region: 0, path: path!, updated_at: now }))).execute();
  await db
    .insertInto('users')
    .values([['mgr-east', '别家经理', 'manager'], ['e1', '别家业务员', 'rep']].map(([id, name, roles]) => ({ tenant_id: OTHER, id: id!, name: name!, mobile: null, title: null, manager_id: null, hired_date: null, active: 1, left_at: null, roles: roles!, created_at: now, updated_at: now })))
    .execute();
  await db.insertInto('user_departments').values([{ tenant_id: OTHER, user_id: 'mgr-east', department_id: '2', is_leader: 1 }, { tenant_id: OTHER, user_id: 'e1', department_id: '2', is_leader: 0 }]).execute();
  return { pools, rules, customers: ids };
}

describe.each(dialects)('team and latest reclaims on %s', (dialect) => {
  let h: Harness;
  let w: World;
  const tokens: Record<string, string> = {};
  const get = (who: string, path: string) => h.request('GET', path, { token: tokens[who] });

  beforeAll(async () => {
    h = await startHarness(dialect, { seed: false, now: NOW });
    w = await seed(h.db);
    for (const id of ['e1', 'mgr-east', 'mgr-south', 'mgr-sh', 'admin01', 'hr01']) tokens[id] = await h.tokenFor(T, id);
    tokens.other = await h.tokenFor(OTHER, 'mgr-east');
  });
  afterAll(() => h.close());

  // e1: a1 due 11-23 + 16 = 12-09, a2 never visited since 11-14 → 11-30 00:00 (the earlier); no_deal 90 days is later.
  const e1 = {
    userId: 'e1',
    name: '张一',
    department: { id: '21', name: '上海一组' },
    customers: 2,
    visitsThisWeek: { verified: 1, suspect: 1, rejected: 1 },
    reclaimed30d: 1,
    nextReclaim: { customerId: 0, customerName: '客户a2', ruleId: 0, kind: 'no_verified_visit', days: 15, dueDate: '2026-11-29T16:00:00.000Z' },
  };
  // e2: a3 visited 11-25 → 12-11 00:00; lost p4 on 11-05 (in the window) and 10-20 (38 days ago, outside).
  const e2 = {
    userId: 'e2',
    name: '王二',
    department: { id: '22', name: '杭州一组' },
    customers: 1,
    visitsThisWeek: { verified: 1, suspect: 0, rejected: 0 },
    reclaimed30d: 1,
    nextReclaim: { customerId: 0, customerName: '客户a3', ruleId: 0, kind: 'no_verified_visit', days: 15, dueDate: '2026-12-10T16:00:00.000Z' },
  };
  // s1: b1 visited 11-24, 10-day rule → 12-05 00:00; lost p3 this morning.
  const s1 = {
    userId: 's1',
    name: '李四',
    department: { id: '31', name: '广州一组' },
    customers: 1,
    visitsThisWeek: { verified: 1, suspect: 0, rejected: 1 },
    reclaimed30d: 1,
    nextReclaim: { customerId: 0, customerName: '客户b1', ruleId: 0, kind: 'no_verified_visit', days: 10, dueDate: '2026-12-04T16:00:00.000Z' },
  };
  const withIds = () => {
    e1.nextReclaim.customerId = w.customers.get('a2')!;
    e1.nextReclaim.ruleId = w.rules.eastVisit;
    e2.nextReclaim.customerId = w.customers.get('a3')!;
    e2.nextReclaim.ruleId = w.rules.eastVisit;
    s1.nextReclaim.customerId = w.customers.get('b1')!;
    s1.nextReclaim.ruleId = w.rules.southVisit;
  };
  const frame = { weekStart: '2026-11-23', reclaimedSince: '2026-10-28T02:00:00.000Z', asOf: '2026-11-27T02:00:00.000Z' };

  it("shows a region manager only their region's active reps, with every figure", async () => {
    withIds();
    const res = await get('mgr-east', '/api/v1/team');
    expect(res.status).toBe(200);
    expect(res.body as TeamResponse).toEqual({ ...frame, items: [e1, e2] });
  });

  it('never shows a 华东 rep to the 华南 manager, and a team leader only their team', async () => {
    withIds();
    expect((await get('mgr-south', '/api/v1/team')).body).toEqual({ ...frame, items: [s1] });
    expect((await get('mgr-sh', '/api/v1/team')).body).toEqual({ ...frame, items: [e1] });
  });

  it('shows an admin every active rep of the tenant and nothing of another tenant', async () => {
    withIds();
    expect((await get('admin01', '/api/v1/team')).body).toEqual({ ...frame, items: [e1, e2, s1] });
    // Same user id and department paths in another tenant: its manager sees only its own rep.
    expect((await get('other', '/api/v1/team')).body).toEqual({
      ...frame,
      items: [{ userId: 'e1', name: '别家业务员', department: { id: '2', name: '华东' }, customers: 0, visitsThisWeek: { verified: 0, suspect: 0, rejected: 0 }, reclaimed30d: 0, nextReclaim: null }],
    });
  });

  it('refuses reps and HR with 403 and says which roles may look', async () => {
    for (const who of ['e1', 'hr01']) {
      const res = await get(who, '/api/v1/team');
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: '没有权限：此操作需要管理员或经理角色。' } });
    }
    expect((await get('e1', '/api/v1/reclaims/latest')).status).toBe(403);
    expect((await get('e1', '/api/v1/team/e1/customers')).status).toBe(403);
  });

  it("lists a team rep's customers most urgent first, and hides reps outside the manager's scope", async () => {
    const res = await get('mgr-east', '/api/v1/team/e1/customers');
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ userId: 'e1', name: '张一' });
    expect(res.body.items.map((c: { name: string; reclaim: { dueDate: string } }) => [c.name, c.reclaim.dueDate])).toEqual([
      ['客户a2', '2026-11-29T16:00:00.000Z'],
      ['客户a1', '2026-12-08T16:00:00.000Z'],
    ]);
    expect((await get('admin01', '/api/v1/team/s1/customers')).body.items.map((c: { name: string }) => c.name)).toEqual(['客户b1']);
    for (const [who, rep] of [['mgr-south', 'e1'], ['mgr-sh', 'e2'], ['mgr-east', 'e3'], ['admin01', 'nobody'], ['other', 'e2']] as const) {
      const miss = await get(who, `/api/v1/team/${rep}/customers`);
      expect([miss.status, miss.body]).toEqual([404, { error: { code: 'not_found', message: '业务员不存在，或你无权查看。' } }]);
    }
  });

  const p = (key: string, owner: [string, string], rule: [number, RuleKind, number], reason: string, from: [number, string], to: [number, string], at: string) => ({
    customerId: w.customers.get(key)!,
    customerName: `客户${key}`,
    formerOwner: { userId: owner[0], name: owner[1] },
    rule: { id: rule[0], kind: rule[1], days: rule[2] },
    reason,
    fromPool: { id: from[0], name: from[1] },
    targetPool: { id: to[0], name: to[1] },
    at,
  });
  const run = { runDate: '2026-11-27', startedAt: '2026-11-26T18:00:00.000Z', finishedAt: '2026-11-26T18:00:05.000Z' };

  it("lists the last run's reclaims from the manager's reps (a rep who left included), never another region's", async () => {
    const east: [number, string] = [w.pools.E, '华东公海'];
    const p1 = p('p1', ['e1', '张一'], [w.rules.eastVisit, 'no_verified_visit', 15], '15 天无有效拜访', east, east, '2026-11-26T18:00:01.000Z');
    const p2 = p('p2', ['e3', '赵三'], [w.rules.eastDeal, 'no_deal', 90], '90 天未成交', east, [w.pools.C, '总公司公海'], '2026-11-26T18:00:02.000Z');
    const p3 = p('p3', ['s1', '李四'], [w.rules.southVisit, 'no_verified_visit', 10], '10 天无有效拜访', [w.pools.S, '华南公海'], [w.pools.S, '华南公海'], '2026-11-26T18:00:03.000Z');
    expect((await get('mgr-east', '/api/v1/reclaims/latest')).body as LatestReclaimsResponse).toEqual({ run, items: [p1, p2] });
    expect((await get('mgr-south', '/api/v1/reclaims/latest')).body).toEqual({ run, items: [p3] });
    expect((await get('mgr-sh', '/api/v1/reclaims/latest')).body).toEqual({ run, items: [p1, p2] });
    expect((await get('admin01', '/api/v1/reclaims/latest')).body).toEqual({ run, items: [p1, p2, p3] });
  });

  it('answers a tenant without a finished run with no run and no items', async () => {
    const res = await get('other', '/api/v1/reclaims/latest');
    expect([res.status, res.body]).toEqual([200, { run: null, items: [] }]);
  });
});
