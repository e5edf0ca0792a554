import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import type { DashboardResponse, Figures, PoolFigures } from '../dashboard';
import { readSnapshots } from '../dashboard.repository';
import { tenantPools } from '../dashboard.service';
import { computeDayRows, stockAt } from '../day-rows.service';
import { sendDashboardDigests } from '../digest.service';
import { dashboardCheckpointJob } from '../jobs/dashboard-checkpoint.job';
import { dashboardSnapshotJob } from '../jobs/dashboard-snapshot.job';
import { snapshotTenant } from '../snapshots.service';
import { checkpointFor, forgetCheckpoints } from '../today.service';
import { applyScenario, RULE_ID, seedOrg, t, T, type Org } from './scenario';
import { runFire } from '../../../jobs/scheduler';
import { startOfLocalDate } from '../../../time';
import { dashboardThresholds } from '../../tenants/tenants';

/** The test's "now": Friday 2026-11-27 10:00 Shanghai, after the only event of the day (c7 claimed at 08:00). */
const NOW = t('11-27 10:00');
const zone = 'Asia/Shanghai';

/** Everything but the per-day series, for comparing the figures worked out by hand. */
const core = ({ series: _s, ...f }: Figures & { series?: unknown }) => f;
const strip = (p: PoolFigures) => {
  const { series: _s, poolId: _p, name: _n, ...f } = p;
  return f;
};

// Pool 华东公海 over 11-20 … 11-26, worked out by hand from scenario.ts:
// end stock: pool {c2, c7, c8} = 3, owned {c1, c3, c4, c6} = 4; one active rep (e1; e2 left), cap 5 → room 5 − 4 = 1,
// ratio 3 / 1 = 3 ≥ 1 → understaffed; 2 claims a day.
// in: created c5, released c4 ×2, reclaimed c2 (rule 7), departed c6 = 5; out: claimed c1, c4 ×2, assigned c6,
// escalated c5 = 5. Waits (whole days): c1 19 (11-01 10:00 → 11-20 10:00), c4 0 (21 h), c4 0 (23 h), c5 4 (4 d 12 h),
// c6 2 (2 d 19 h) → [0, 0, 2, 4, 19], median 2. First verified visits: c1 5 h (10:00 → 15:30), c3 146 h
// (11-15 10:00 → 11-21 12:00) → median 75.5. Hoarding: windows closing 11-20 … 11-26 are claims of 11-13 … 11-19:
// c2 (e2, never visited) and c3 (e1, suspect visit 11-16) → 1 of 2. Visits: verified c1, c3, c1, rejected c4 → 3 / 0 / 1.
// Reclaims: e2 lost c2 → 1 per rep. Bounces: c4 e1 → e2 → e1 on 11-24 → 1, pair e1|e2.
const east: Omit<PoolFigures, 'series' | 'poolId' | 'name'> = {
  poolSize: 3,
  owned: 4,
  activeReps: 1,
  customersPerRep: 4,
  saturation: {
    remainingCapacity: 1,
    dailyClaimCapacity: 2,
    ratio: 3,
    verdict: 'understaffed',
    reason: '公海有 3 个客户，1 名业务员还能再领 1 个（每天最多 2 个），是可领容量的 3 倍（≥ 1 倍为人手不足）：客户在堆积，请增派业务员。',
  },
  inflow: { created: 1, released: 2, reclaimed: 1, departed: 1, escalated: 0, other: 0, total: 5, byRule: [{ ruleId: RULE_ID, count: 1 }] },
  outflow: { claimed: 3, assigned: 1, escalated: 1, other: 0, total: 5 },
  medianDaysInPool: 2,
  waits: 5,
  medianHoursToFirstVerifiedVisit: 75.5,
  firstVerifiedVisits: 2,
  hoarding: { claims: 2, unvisited: 1, share: 0.5 },
  visits: { total: 4, verified: 3, suspect: 0, rejected: 1, verifiedShare: 0.75, suspectShare: 0, rejectedShare: 0.25 },
  reclaims: { reclaimed: 1, perRep: 1, topReps: [{ userId: 'e2', name: '王二', count: 1 }] },
  bounces: { count: 1, topPairs: [{ userIds: ['e1', 'e2'], names: ['张一', '王二'], count: 1 }] },
};

// 华南公海: s1c claimed by s1 on 11-21 10:00 after 20 days in the pool; rejected visit 11-21, verified 11-22 10:00 (24 h).
// End stock 1 in the pool, 1 owned; one rep, cap 200 → room 199, ratio 1 / 199 = 0.005 ≤ 0.25 → saturated.
const south: Omit<PoolFigures, 'series' | 'poolId' | 'name'> = {
  poolSize: 1,
  owned: 1,
  activeReps: 1,
  customersPerRep: 1,
  saturation: {
    remainingCapacity: 199,
    dailyClaimCapacity: 20,
    ratio: 0.005,
    verdict: 'saturated',
    reason: '公海只剩 1 个客户，1 名业务员还能再领 199 个（每天最多 20 个），只有可领容量的 0.005 倍（≤ 0.25 倍为饱和）：区域已饱和。',
  },
  inflow: { created: 0, released: 0, reclaimed: 0, departed: 0, escalated: 0, other: 0, total: 0, byRule: [] },
  outflow: { claimed: 1, assigned: 0, escalated: 0, other: 0, total: 1 },
  medianDaysInPool: 20,
  waits: 1,
  medianHoursToFirstVerifiedVisit: 24,
  firstVerifiedVisits: 1,
  hoarding: { claims: 0, unvisited: 0, share: null },
  visits: { total: 2, verified: 1, suspect: 0, rejected: 1, verifiedShare: 0.5, suspectShare: 0, rejectedShare: 0.5 },
  reclaims: { reclaimed: 0, perRep: 0, topReps: [] },
  bounces: { count: 0, topPairs: [] },
};

// 总公司公海 (department 1: outside any region): c5 escalated in on 11-25; reps e1 and s1 (cap 50 → room 100).
const company: Omit<PoolFigures, 'series' | 'poolId' | 'name'> = {
  poolSize: 1,
  owned: 0,
  activeReps: 2,
  customersPerRep: 0,
  saturation: {
    remainingCapacity: 100,
    dailyClaimCapacity: 20,
    ratio: 0.01,
    verdict: 'saturated',
    reason: '公海只剩 1 个客户，2 名业务员还能再领 100 个（每天最多 20 个），只有可领容量的 0.01 倍（≤ 0.25 倍为饱和）：区域已饱和。',
  },
  inflow: { created: 0, released: 0, reclaimed: 0, departed: 0, escalated: 1, other: 0, total: 1, byRule: [] },
  outflow: { claimed: 0, assigned: 0, escalated: 0, other: 0, total: 0 },
  medianDaysInPool: null,
  waits: 0,
  medianHoursToFirstVerifiedVisit: null,
  firstVerifiedVisits: 0,
  hoarding: { claims: 0, unvisited: 0, share: null },
  visits: { total: 0, verified: 0, suspect: 0, rejected: 0, verifiedShare: null, suspectShare: null, rejectedShare: null },
  reclaims: { reclaimed: 0, perRep: 0, topReps: [] },
  bounces: { count: 0, topPairs: [] },
};

describe.each(dialects)('the commander dashboard on %s', (dialect) => {
  let h: Harness;
  let org: Org;
  let admin: string;
  let east_: string;
  let south_: string;
  const get = (token: string, query: string) => h.request('GET', `/api/v1/dashboard/pools${query}`, { token });

  beforeAll(async () => {
    h = await startHarness(dialect, { seed: false, now: NOW });
    org = await seedOrg(h.db, NOW);
    await applyScenario(h.db, org, Number.MAX_SAFE_INTEGER);
    [admin, east_, south_] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'mgr-south')]);
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.clock.set(NOW);
    await h.db.deleteFrom('dashboard_snapshots').execute();
  });

  it('computes every figure of the hand-built week per pool, region and in total (from the ledger, no snapshots yet)', async () => {
    const res = await get(admin, '?from=2026-11-20&to=2026-11-26');
    expect(res.status).toBe(200);
    const d = res.body as DashboardResponse;
    expect(d.range).toEqual({ from: '2026-11-20', to: '2026-11-26', days: 7 });
    expect(d.live).toBeNull();
    expect(d.timeZone).toBe(zone);
    expect(d.thresholds).toEqual({ understaffedRatio: 1, saturatedRatio: 0.25 });
    expect(d.regions.map((r) => [r.regionId, r.name, r.pools.map((p) => p.name)])).toEqual([
      ['2', '华东', ['华东公海']],
      ['3', '华南', ['华南公海']],
      [null, '跨区 / 公司级', ['总公司公海']],
    ]);
    expect(strip(d.regions[0]!.pools[0]!)).toEqual(east);
    expect(strip(d.regions[1]!.pools[0]!)).toEqual(south);
    expect(strip(d.regions[2]!.pools[0]!)).toEqual(company);
    // A region of one pool has that pool's figures.
    const { pools: _p, regionId: _r, name: _n, series: _s, ...eastRegion } = d.regions[0]!;
    expect(eastRegion).toEqual(east);
    // Totals: waits [0, 0, 2, 4, 19, 20] → 3; hours [5, 24, 146] → 24; visits 4 verified, 2 rejected of 6; room 1 + 199 + 100.
    expect(core(d.totals)).toEqual({
      poolSize: 5,
      owned: 5,
      activeReps: 4,
      customersPerRep: 1.25,
      saturation: {
        remainingCapacity: 300,
        dailyClaimCapacity: 42,
        ratio: 0.017,
        verdict: 'saturated',
        reason: '公海只剩 5 个客户，4 名业务员还能再领 300 个（每天最多 42 个），只有可领容量的 0.017 倍（≤ 0.25 倍为饱和）：区域已饱和。',
      },
      inflow: { created: 1, released: 2, reclaimed: 1, departed: 1, escalated: 1, other: 0, total: 6, byRule: [{ ruleId: RULE_ID, count: 1 }] },
      outflow: { claimed: 4, assigned: 1, escalated: 1, other: 0, total: 6 },
      medianDaysInPool: 3,
      waits: 6,
      medianHoursToFirstVerifiedVisit: 24,
      firstVerifiedVisits: 3,
      hoarding: { claims: 2, unvisited: 1, share: 0.5 },
      visits: { total: 6, verified: 4, suspect: 0, rejected: 2, verifiedShare: 0.6667, suspectShare: 0, rejectedShare: 0.3333 },
      reclaims: { reclaimed: 1, perRep: 0.25, topReps: [{ userId: 'e2', name: '王二', count: 1 }] },
      bounces: { count: 1, topPairs: [{ userIds: ['e1', 'e2'], names: ['张一', '王二'], count: 1 }] },
    });
    // 华东公海 day by day: pool 3 at the start of 11-20, then +c4 +c5 −c1, −c4, +c2, +c4 +c6, −c4, −c5, −c6.
    expect(d.regions[0]!.pools[0]!.series).toEqual([
      { day: '2026-11-20', poolSize: 4, owned: 4, inflow: 2, outflow: 1, reclaimed: 0 },
      { day: '2026-11-21', poolSize: 3, owned: 5, inflow: 0, outflow: 1, reclaimed: 0 },
      { day: '2026-11-22', poolSize: 4, owned: 4, inflow: 1, outflow: 0, reclaimed: 1 },
      { day: '2026-11-23', poolSize: 6, owned: 2, inflow: 2, outflow: 0, reclaimed: 0 },
      { day: '2026-11-24', poolSize: 5, owned: 3, inflow: 0, outflow: 1, reclaimed: 0 },
      { day: '2026-11-25', poolSize: 4, owned: 3, inflow: 0, outflow: 1, reclaimed: 0 },
      { day: '2026-11-26', poolSize: 3, owned: 4, inflow: 0, outflow: 1, reclaimed: 0 },
    ]);
  });

  it('reads the same figures from the snapshots once the nightly job has written them', async () => {
    const live = (await get(admin, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse;
    h.clock.set(t('11-27 00:05'));
    const fire = await runFire(h.deps, dashboardSnapshotJob, { now: h.clock.now(), holder: 'test' });
    expect(fire.ran).toContain(T);
    // First run: every day from the first ledger row (09-20) to yesterday (11-26) = 11 + 31 + 26 days.
    expect(await readSnapshots(h.db, T, '2026-09-01', '2026-11-30').then((rows) => new Set(rows.map((r) => r.day)).size)).toBe(68);
    h.clock.set(NOW);
    const stored = (await get(admin, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse;
    expect({ ...stored, generatedAt: '' }).toEqual({ ...live, generatedAt: '' });
    // A second run of the night writes nothing.
    expect((await snapshotTenant(h.db, { id: T, timeZone: zone }, t('11-27 00:06'))).written).toEqual([]);
  });

  it('computes today live: c7 claimed at 08:00 after 56 days in the pool; the same with or without yesterday\'s snapshot', async () => {
    const without = (await get(admin, '?from=2026-11-27&to=2026-11-27')).body as DashboardResponse;
    await snapshotTenant(h.db, { id: T, timeZone: zone }, t('11-27 00:05'));
    const withSnapshot = (await get(admin, '?from=2026-11-27&to=2026-11-27')).body as DashboardResponse;
    expect(withSnapshot).toEqual(without);
    expect(without.live).toEqual({ day: '2026-11-27', asOf: new Date(NOW).toISOString() });
    const pool = without.regions[0]!.pools[0]!;
    // c1's claim of 11-20 10:00 closes its 7-day window today, visited (verified 11-20 15:30).
    expect([pool.poolSize, pool.owned, pool.outflow, pool.inflow.total, pool.medianDaysInPool, pool.hoarding, pool.visits.total]).toEqual([
      2,
      5,
      { claimed: 1, assigned: 0, escalated: 0, other: 0, total: 1 },
      0,
      56,
      { claims: 1, unvisited: 0, share: 0 },
      0,
    ]);
    expect(pool.saturation).toMatchObject({ remainingCapacity: 0, ratio: null, verdict: 'understaffed', reason: '公海有 2 个客户，1 名业务员都已达到持有上限：人手不足，请增派业务员或提高上限。' });
  });

  it('the checkpoint job fires every five minutes in the tenant\'s zone and refreshes the checkpoint a request left', async () => {
    forgetCheckpoints(h.db);
    await get(admin, '?from=2026-11-27&to=2026-11-27');
    const held = await checkpointFor(h.db, { id: T, timeZone: zone }, '2026-11-27', NOW);
    expect([held!.builtAt, held!.stretch.to]).toEqual([NOW, t('11-27 09:55')]);
    h.clock.set(t('11-27 10:05'));
    expect((await runFire(h.deps, dashboardCheckpointJob, { now: h.clock.now(), holder: 'test' })).ran).toContain(T);
    const refreshed = await checkpointFor(h.db, { id: T, timeZone: zone }, '2026-11-27', t('11-27 10:05'));
    expect([refreshed!.builtAt, refreshed!.stretch.to]).toEqual([t('11-27 10:05'), t('11-27 10:00')]);
    // 10:03 is not on the schedule.
    expect((await runFire(h.deps, dashboardCheckpointJob, { now: t('11-27 10:03'), holder: 'test' })).ran).toEqual([]);
  });

  it('scopes managers to the subtrees they lead: 华东 never sees 华南 figures, nor the company pool (HTTP)', async () => {
    const eastView = (await get(east_, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse;
    expect(eastView.regions.map((r) => [r.regionId, r.pools.map((p) => p.poolId)])).toEqual([['2', [org.pools.E]]]);
    expect(core(eastView.totals)).toEqual(east);
    const southView = (await get(south_, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse;
    expect(southView.regions.map((r) => [r.regionId, r.pools.map((p) => p.poolId)])).toEqual([['3', [org.pools.S]]]);
    expect(core(southView.totals)).toEqual(south);
    // Asking for the other region is the same 404 as a region that does not exist.
    const other = await get(east_, '?regionId=3');
    expect(other.status).toBe(404);
    expect(other.body.error).toEqual({ code: 'not_found', message: '大区不存在，或你无权查看。' });
    expect((await get(east_, '?regionId=999')).body.error.code).toBe('not_found');
    // Reps may not open the dashboard at all; the CSV is scoped the same way.
    expect((await get(await h.tokenFor(T, 'e1'), '')).status).toBe(403);
    const csv = await h.request('GET', '/api/v1/dashboard/pools.csv?from=2026-11-20&to=2026-11-26', { token: east_ });
    expect(csv.body).not.toContain('华南');
  });

  it('filters to one region for an admin', async () => {
    const d = (await get(admin, '?from=2026-11-20&to=2026-11-26&regionId=3')).body as DashboardResponse;
    expect(d.regions.map((r) => r.regionId)).toEqual(['3']);
    expect(core(d.totals)).toEqual(south);
  });

  it('uses the tenant\'s thresholds, and the defaults when the stored ones are invalid', async () => {
    const setThresholds = (dashboard: unknown) => h.db.updateTable('tenants').set({ settings: JSON.stringify({ dashboard }) }).where('id', '=', T).execute();
    const verdicts = async () => ((await get(admin, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse).regions.map((r) => [r.saturation.ratio, r.saturation.verdict]);
    try {
      // 华东 3, 华南 0.005, company 0.01: all between 0.001 and 5.
      await setThresholds({ understaffedRatio: 5, saturatedRatio: 0.001 });
      expect(await verdicts()).toEqual([[3, 'balanced'], [0.005, 'balanced'], [0.01, 'balanced']]);
      expect(((await get(admin, '?from=2026-11-20&to=2026-11-26')).body as DashboardResponse).regions[0]!.saturation.reason).toBe(
        '公海有 3 个客户，1 名业务员还能再领 1 个（每天最多 2 个），是可领容量的 3 倍（在 0.001–5 倍之间）：人手与客户大致平衡。',
      );
      // saturated above understaffed makes no sense: the defaults (1, 0.25) apply.
      await setThresholds({ understaffedRatio: 0.1, saturatedRatio: 0.5 });
      expect(await verdicts()).toEqual([[3, 'understaffed'], [0.005, 'saturated'], [0.01, 'saturated']]);
    } finally {
      await setThresholds(undefined);
    }
    expect(dashboardThresholds.safeParse({ understaffedRatio: 0.1, saturatedRatio: 0.5 }).error?.issues.map((i) => i.message)).toEqual(['饱和阈值 saturatedRatio 必须小于人手不足阈值 understaffedRatio']);
  });

  it('refuses bad ranges with 400 and a Chinese message', async () => {
    const cases: [string, string, string][] = [
      ['?from=2026-11-26&to=2026-11-20', 'invalid_range', '开始日期 2026-11-26 晚于结束日期 2026-11-20，请调换或重新选择。'],
      ['?to=2026-11-28', 'invalid_range', '结束日期 2026-11-28 晚于今天（2026-11-27），请选择今天或更早的日期。'],
      ['?from=2025-11-26&to=2026-11-27', 'invalid_range', '一次最多查看 366 天，你选择了 367 天；请缩短范围。'],
      ['?from=2026-02-30', 'invalid_request', '请求参数不正确：开始日期(from)：不是一个存在的日期，请检查年月日'],
      ['?from=11/20/2026', 'invalid_request', '请求参数不正确：开始日期(from)：日期格式应为 YYYY-MM-DD（企业所在时区的日期），例如 2026-11-01'],
    ];
    for (const [query, code, message] of cases) {
      const res = await get(admin, query);
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([400, code, message]);
    }
    // The default: the last 30 days, today included.
    expect(((await get(admin, '')).body as DashboardResponse).range).toEqual({ from: '2026-10-29', to: '2026-11-27', days: 30 });
  });

  it('exports the same figures as CSV', async () => {
    const res = await h.request('GET', '/api/v1/dashboard/pools.csv?from=2026-11-20&to=2026-11-26', { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="gonghai-dashboard-2026-11-20-2026-11-26.csv"');
    const lines = (res.body as string).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 3 * 2 + 1);
    expect(lines[0]!.split(',').slice(0, 12)).toEqual(['开始日期', '结束日期', '大区', '公海', '层级', '公海客户数', '已领取客户数', '业务员数', '人均持有', '剩余可领容量', '每日可领容量', '饱和度比值']);
    expect(lines[2]).toBe(
      '2026-11-20,2026-11-26,华东,华东公海,公海,3,4,1,4,1,2,3,understaffed,公海有 3 个客户，1 名业务员还能再领 1 个（每天最多 2 个），是可领容量的 3 倍（≥ 1 倍为人手不足）：客户在堆积，请增派业务员。,5,1,2,1,1,0,0,5,3,1,1,0,2,75.5,2,1,0.5,4,0.75,0,0.25,1,1,1',
    );
    expect(lines[7]!.startsWith('2026-11-20,2026-11-26,,,全部合计,5,5,4,1.25,300,42,0.017,saturated,')).toBe(true);
  });

  it('sends each manager one morning digest of the biggest changes, once per day', async () => {
    const at = t('11-27 08:30');
    const deps = { db: h.db, publicBaseUrl: 'http://app.test' };
    const tenant = { id: T, timeZone: zone, settings: { releaseReasons: [], departurePolicy: 'pool' as const, assignmentHoldHours: 72 } };
    expect(await sendDashboardDigests(deps, tenant, at)).toBe(2);
    expect(await sendDashboardDigests(deps, tenant, at + 60_000)).toBe(0);
    const rows = await h.db.selectFrom('outbox').select(['dedupe_key', 'target', 'message']).where('tenant_id', '=', T).orderBy('dedupe_key').execute();
    expect(rows.map((r) => [r.dedupe_key, JSON.parse(r.target)])).toEqual([
      ['dashboard-digest:2026-11-26:mgr-east', { kind: 'users', userIds: ['mgr-east'] }],
      ['dashboard-digest:2026-11-26:mgr-south', { kind: 'users', userIds: ['mgr-south'] }],
    ]);
    // 华东公海 went from 4 (end of 11-25) to 3 (c6 assigned); 华南公海 stayed at 1.
    expect(JSON.parse(rows[0]!.message)).toEqual({
      kind: 'card',
      title: '2026-11-26 公海日报：变化最大的 1 处',
      text: '### 2026-11-26 公海日报\n1. **华东公海**：公海 3 个（较前一天 -1），流入 0、流出 1，人手不足\n\n打开「指挥大屏」查看全部区域和趋势。',
      url: 'http://app.test/#/pages/manager/index?from=2026-11-26&to=2026-11-26',
      buttonText: '查看大屏',
    });
    expect(JSON.parse(rows[1]!.message).text).toBe('### 2026-11-26 公海日报\n1. **华南公海**：公海 1 个（较前一天 0），流入 0、流出 0，饱和\n\n打开「指挥大屏」查看全部区域和趋势。');
    await h.db.deleteFrom('outbox').where('tenant_id', '=', T).execute();
  });

  // Last: it rewrites the world night by night and takes a while (no HTTP after it, so no idle keep-alive socket is reused).
  it('a snapshot equals the live computation of its day, and backfilling from the ledger equals the snapshots taken night by night', async () => {
    const { pools } = await tenantPools(h.db, T);
    // Night by night: the world as it was at 00:05 of each day, the job run then (the first night backfills).
    for (let day = 19; day <= 27; day++) {
      const at = t(`11-${day} 00:05`);
      await applyScenario(h.db, org, at);
      await snapshotTenant(h.db, { id: T, timeZone: zone }, at);
    }
    const nightly = await readSnapshots(h.db, T, '2026-09-01', '2026-11-26');
    expect(nightly.length).toBe(68 * 3);
    // Each stored day equals a live computation of it now (from today's customers walked back through the ledger).
    const counts = await stockAt(h.db, T, startOfLocalDate('2026-11-27', zone));
    const live = await computeDayRows(h.db, T, zone, pools, '2026-09-20', '2026-11-26', { at: 'end', counts });
    expect(live).toEqual(expect.arrayContaining(nightly));
    expect(live.length).toBe(nightly.length);
    // A backfill from scratch, today, writes exactly the rows the nights wrote.
    await h.db.deleteFrom('dashboard_snapshots').execute();
    expect((await snapshotTenant(h.db, { id: T, timeZone: zone }, NOW)).written.length).toBe(68);
    expect(await readSnapshots(h.db, T, '2026-09-01', '2026-11-26')).toEqual(nightly);
    await applyScenario(h.db, org, Number.MAX_SAFE_INTEGER);
  });
});
