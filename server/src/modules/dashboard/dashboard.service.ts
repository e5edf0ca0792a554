import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { addDays, localDate, startOfLocalDate } from '../../time';
import { departmentPaths, findUser, userNames } from '../org/org.repository';
import { findTenantById } from '../tenants/tenants.repository';
import { dashboardThresholds, defaultTenantSettings, type DashboardThresholds } from '../tenants/tenants';
import {
  dashboardError,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  type DashboardQuery,
  type DashboardResponse,
  type DayRow,
  type PoolFigures,
  type RegionFigures,
} from './dashboard';
import { poolContext, readSnapshots } from './dashboard.repository';
import { computeDayRows, daysBetween, stockAt, type PoolInfo, type Stock, type StockBase } from './day-rows.service';
import { combineSums, figuresOfSums, sumRows, userIdsOfSums } from './figures';
import { todayRows } from './today.service';

/** What the pools outside any region (or spanning several) are grouped under. */
export const NO_REGION_NAME = '跨区 / 公司级';

/** The tenant's pools with their region and reps, and the region departments. */
export interface TenantPools {
  pools: PoolInfo[];
  regions: Map<string, { name: string; path: string }>;
  /** Member department paths per pool (what scope is decided on). */
  paths: Map<number, string[]>;
}

/**
 * Which region a pool belongs to: the region department (is_region) nearest above each of its member departments.
 * A pool whose departments all lie in one region belongs to it; a pool spanning regions, or with a department outside
 * every region (the company pool), belongs to none and is shown under 跨区 / 公司级 — its customers are not split
 * between regions, because the pool is one queue that every member region draws from.
 */
export async function tenantPools(db: Db, tenantId: string): Promise<TenantPools> {
  const ctx = await poolContext(db, tenantId);
  const regionByPath = new Map(ctx.regions.map((r) => [r.path, r.id]));
  const regionOfPath = (path: string): string | null => {
    const ids = path.split('/').filter(Boolean);
    for (let i = ids.length; i > 0; i--) {
      const id = regionByPath.get(`/${ids.slice(0, i).join('/')}/`);
      if (id !== undefined) return id;
    }
    return null;
  };
  const pools = ctx.pools.map<PoolInfo>((p) => {
    const regions = new Set(p.departmentPaths.map(regionOfPath));
    const only = regions.size === 1 ? [...regions][0]! : null;
    return { id: p.id, name: p.name, regionId: only, maxOwnedPerRep: p.maxOwnedPerRep, dailyClaimLimit: p.dailyClaimLimit, reps: ctx.reps.get(p.id) ?? 0 };
  });
  return {
    pools,
    regions: new Map(ctx.regions.map((r) => [r.id, { name: r.name, path: r.path }])),
    paths: new Map(ctx.pools.map((p) => [p.id, p.departmentPaths])),
  };
}

/**
 * The pools an actor may see: admins all; a manager those whose member departments all lie in the subtrees they lead
 * (DESIGN §1: manager = leader of a department, scope = its subtree), so a 华东 manager never sees a 华南 pool, nor
 * the company pool that 华南 shares.
 */
export async function visiblePoolIds(db: Db, actor: Pick<Actor, 'tenantId' | 'userId' | 'roles'>, tp: TenantPools): Promise<Set<number>> {
  if (actor.roles.includes('admin')) return new Set(tp.pools.map((p) => p.id));
  if (!actor.roles.includes('manager')) return new Set();
  const me = await findUser(db, actor.tenantId, actor.userId);
  const led = me ? await departmentPaths(db, actor.tenantId, me.leaderOf) : [];
  return new Set(tp.pools.filter((p) => {
    const paths = tp.paths.get(p.id) ?? [];
    return paths.length > 0 && paths.every((path) => led.some((root) => path.startsWith(root)));
  }).map((p) => p.id));
}

/** The tenant's thresholds, validated; a stored value that fails validation falls back to the defaults. */
export function thresholdsOf(settings: { dashboard?: unknown }): DashboardThresholds {
  const parsed = dashboardThresholds.safeParse(settings.dashboard);
  return parsed.success ? parsed.data : defaultTenantSettings.dashboard!;
}

/** The requested range, checked: local dates, from ≤ to ≤ today, at most MAX_RANGE_DAYS days. */
export function resolveRange(q: Pick<DashboardQuery, 'from' | 'to'>, today: string): { from: string; to: string; days: number } {
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (to > today) throw dashboardError('invalid_range', `结束日期 ${to} 晚于今天（${today}），请选择今天或更早的日期。`);
  if (from > to) throw dashboardError('invalid_range', `开始日期 ${from} 晚于结束日期 ${to}，请调换或重新选择。`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
  if (days > MAX_RANGE_DAYS) throw dashboardError('invalid_range', `一次最多查看 ${MAX_RANGE_DAYS} 天，你选择了 ${days} 天；请缩短范围。`);
  return { from, to, days };
}

const stockOf = (rows: DayRow[]): Stock => new Map(rows.map((r) => [r.poolId, { poolSize: r.poolSize, owned: r.owned }]));

/**
 * The day rows of [from, to]: past days from the snapshots (one indexed range read), days without a snapshot
 * reconstructed from the ledger, and today live (today.service.ts: the tenant's intraday checkpoint plus what came
 * after it) — its stock walked on from yesterday's snapshot when there is one (else from today's counts), its ledger
 * and visit queries running while the snapshots are read.
 */
export async function rowsForRange(db: Db, tenant: { id: string; timeZone: string }, pools: PoolInfo[], from: string, to: string, now: number): Promise<DayRow[]> {
  const zone = tenant.timeZone;
  const today = localDate(now, zone);
  const yesterday = addDays(today, -1);
  const pastTo = to < today ? to : yesterday;
  const known = new Set(pools.map((p) => p.id));
  // Yesterday too when only today is asked for: its end-of-day stock is where today's starts.
  const readFrom = to === today && from === today ? yesterday : from;
  const stored = readFrom <= pastTo ? readSnapshots(db, tenant.id, readFrom, pastTo).then((rows) => rows.filter((r) => known.has(r.poolId))) : Promise.resolve([]);
  const live =
    to !== today
      ? Promise.resolve([])
      : todayRows(
          db,
          tenant,
          pools,
          today,
          now,
          stored.then(async (rows): Promise<StockBase> => {
            const before = rows.filter((r) => r.day === yesterday);
            return pools.every((p) => before.some((r) => r.poolId === p.id))
              ? { at: 'start', counts: stockOf(before) }
              : { at: 'end', counts: await stockAt(db, tenant.id, startOfLocalDate(addDays(today, 1), zone)) };
          }),
        );
  const past = stored.then(async (rows) => {
    const out = rows.filter((r) => r.day >= from);
    if (from > pastTo) return out;
    const have = new Set(rows.map((r) => r.day));
    const missing = daysBetween(from, pastTo).filter((d) => !have.has(d));
    if (missing.length === 0) return out;
    const first = missing[0]!;
    const last = missing[missing.length - 1]!;
    const counts = await stockAt(db, tenant.id, startOfLocalDate(addDays(last, 1), zone));
    const wanted = new Set(missing);
    return [...out, ...(await computeDayRows(db, tenant.id, zone, pools, first, last, { at: 'end', counts })).filter((r) => wanted.has(r.day))];
  });
  const [pastRows, liveRows] = await Promise.all([past, live]);
  return [...pastRows, ...liveRows];
}

/** `GET /api/v1/dashboard/pools`: every figure per region and pool over the range, scoped to what the actor may see. */
export async function dashboardPools(deps: { db: Db; clock: Clock }, actor: Actor, q: DashboardQuery): Promise<DashboardResponse> {
  const { db } = deps;
  const now = deps.clock.now();
  const [tenant, tp] = await Promise.all([findTenantById(db, actor.tenantId), tenantPools(db, actor.tenantId)]);
  if (!tenant) throw notFound('企业');
  const zone = tenant.timeZone;
  const today = localDate(now, zone);
  const range = resolveRange(q, today);
  const visible = await visiblePoolIds(db, actor, tp);
  let pools = tp.pools.filter((p) => visible.has(p.id));
  if (q.regionId !== undefined) {
    pools = pools.filter((p) => p.regionId === q.regionId);
    if (pools.length === 0) throw notFound('大区');
  }
  const thresholds = thresholdsOf(tenant.settings);
  const rows = pools.length === 0 ? [] : await rowsForRange(db, tenant, pools, range.from, range.to, now);
  // Each pool's rows are added up once; its region and the total combine the pools' sums.
  const rowsOf = new Map(pools.map((p) => [p.id, [] as DayRow[]]));
  for (const r of rows) rowsOf.get(r.poolId)?.push(r);
  const sums = new Map(pools.map((p) => [p.id, sumRows(rowsOf.get(p.id)!)]));
  const total = combineSums([...sums.values()]);
  const names = await userNames(db, tenant.id, userIdsOfSums(total));
  const regionIds = [...new Set(pools.map((p) => p.regionId))].sort((a, b) => (a === null ? 1 : b === null ? -1 : (tp.regions.get(a)?.name ?? a).localeCompare(tp.regions.get(b)?.name ?? b, 'zh')));
  const regions = regionIds.map<RegionFigures>((regionId) => {
    const members = pools.filter((p) => p.regionId === regionId).sort((a, b) => a.name.localeCompare(b.name, 'zh') || a.id - b.id);
    const poolFigures = members.map<PoolFigures>((p) => ({ poolId: p.id, name: p.name, ...figuresOfSums(sums.get(p.id)!, thresholds, names) }));
    return {
      regionId,
      name: regionId === null ? NO_REGION_NAME : (tp.regions.get(regionId)?.name ?? regionId),
      ...figuresOfSums(combineSums(members.map((p) => sums.get(p.id)!)), thresholds, names),
      pools: poolFigures,
    };
  });
  return {
    range,
    timeZone: zone,
    generatedAt: new Date(now).toISOString(),
    live: range.to === today ? { day: today, asOf: new Date(now).toISOString() } : null,
    thresholds,
    regions,
    totals: figuresOfSums(total, thresholds, names),
  };
}
