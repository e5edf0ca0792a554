import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { OwnershipEventType } from '../pool/pool.table';
import type { DayRow } from './dashboard';
import type { DashboardSnapshotsTable } from './dashboard.table';

/** A pool as the dashboard needs it, with its member departments' paths. */
export interface PoolContextRow {
  id: number;
  name: string;
  maxOwnedPerRep: number;
  dailyClaimLimit: number;
  departmentPaths: string[];
}

/** The tenant's pools, their member departments' paths, the region departments, and active reps (role rep) per pool. */
export async function poolContext(db: Db, tenantId: string) {
  const [pools, poolDepts, departments, reps] = await Promise.all([
    db.selectFrom('pools').select(['id', 'name', 'max_owned_per_rep', 'daily_claim_limit']).where('tenant_id', '=', tenantId).orderBy('id').execute(),
    db.selectFrom('pool_departments').select(['pool_id', 'department_id']).where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('departments').select(['id', 'name', 'path', 'is_region']).where('tenant_id', '=', tenantId).execute(),
    db
      .selectFrom('pool_members as m')
      .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'))
      .select(['m.pool_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.tenant_id', '=', tenantId)
      .where('u.active', '=', 1)
      // Reps only: managers and HR are pool members too, but they do not claim.
      .where('u.roles', 'like', '%rep%')
      .groupBy('m.pool_id')
      .execute(),
  ]);
  const pathOf = new Map(departments.map((d) => [d.id, d.path]));
  return {
    pools: pools.map<PoolContextRow>((p) => ({
      id: p.id,
      name: p.name,
      maxOwnedPerRep: p.max_owned_per_rep,
      dailyClaimLimit: p.daily_claim_limit,
      departmentPaths: poolDepts.filter((d) => d.pool_id === p.id).map((d) => pathOf.get(d.department_id)).filter((x): x is string => x !== undefined),
    })),
    regions: departments.filter((d) => d.is_region === 1).map((d) => ({ id: d.id, name: d.name, path: d.path })),
    reps: new Map(reps.map((r) => [r.pool_id, Number(r.n)])),
  };
}

/** Customer ids per IN list, and how many lists are read at once (the lookups are index probes; both cores help). */
const PAGE_IDS = 500;
const PAGES_AT_ONCE = 4;

/** Runs `read` over the distinct ids in pages of PAGE_IDS, PAGES_AT_ONCE at a time; results in page order. */
async function inPages<R>(customerIds: Iterable<number>, read: (ids: number[]) => Promise<R>): Promise<R[]> {
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  const pages: number[][] = [];
  for (let i = 0; i < ids.length; i += PAGE_IDS) pages.push(ids.slice(i, i + PAGE_IDS));
  const out: R[] = new Array(pages.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < pages.length; i = next++) out[i] = await read(pages[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(PAGES_AT_ONCE, pages.length) }, lane));
  return out;
}

/** A ledger row as the day rows need it. */
export interface LedgerRow {
  id: number;
  customer_id: number;
  type: OwnershipEventType;
  from_user_id: string | null;
  to_user_id: string | null;
  from_pool_id: number | null;
  to_pool_id: number | null;
  rule_id: number | null;
  at: number;
}

const ledgerColumns = ['id', 'customer_id', 'type', 'from_user_id', 'to_user_id', 'from_pool_id', 'to_pool_id', 'rule_id', 'at'] as const;
const toLedgerRow = (r: Omit<LedgerRow, 'at'> & { at: number | string }): LedgerRow => ({ ...r, at: Number(r.at) });

/** Ledger rows with `at` in [from, to), through the (tenant, at) index. */
export async function ledgerBetween(db: Db, tenantId: string, from: number, to: number): Promise<LedgerRow[]> {
  const rows = await db.selectFrom('ownership_events').select(ledgerColumns).where('tenant_id', '=', tenantId).where('at', '>=', from).where('at', '<', to).execute();
  return rows.map(toLedgerRow);
}

/**
 * The whole ledger of some customers, in id order, through the (tenant, customer, id) index: what a day's events need
 * of their past (when the customer entered the pool, its previous owners, who it was given to before a visit).
 * Fetched as plain index ranges rather than correlated subqueries, whose index choice MariaDB gets wrong on big tables.
 */
export async function ledgerOfCustomers(db: Db, tenantId: string, customerIds: Iterable<number>): Promise<LedgerRow[]> {
  const pages = await inPages(customerIds, (ids) =>
    db.selectFrom('ownership_events').select(ledgerColumns).where('tenant_id', '=', tenantId).where('customer_id', 'in', ids).orderBy('customer_id').orderBy('id').execute(),
  );
  return pages.flat().map(toLedgerRow);
}

/** A visit as the day rows need it. */
export interface VisitRow {
  id: number;
  customer_id: number;
  user_id: string;
  verdict: 'verified' | 'suspect' | 'rejected';
  checked_in_at: number;
}

const visitColumns = ['id', 'customer_id', 'user_id', 'verdict', 'checked_in_at'] as const;
const toVisitRow = (r: Omit<VisitRow, 'checked_in_at'> & { checked_in_at: number | string }): VisitRow => ({ ...r, checked_in_at: Number(r.checked_in_at) });

/** Check-ins with `checked_in_at` in [from, to), through the (tenant, checked_in_at) index. */
export async function visitsBetween(db: Db, tenantId: string, from: number, to: number): Promise<VisitRow[]> {
  const rows = await db.selectFrom('visits').select(visitColumns).where('tenant_id', '=', tenantId).where('checked_in_at', '>=', from).where('checked_in_at', '<', to).execute();
  return rows.map(toVisitRow);
}

/** Every check-in at some customers, through the (tenant, customer, checked_in_at) index. */
export async function visitsOfCustomers(db: Db, tenantId: string, customerIds: Iterable<number>): Promise<VisitRow[]> {
  const pages = await inPages(customerIds, (ids) => db.selectFrom('visits').select(visitColumns).where('tenant_id', '=', tenantId).where('customer_id', 'in', ids).execute());
  return pages.flat().map(toVisitRow);
}

/** The current verdict of some check-ins, by id (primary-key probes): what a checkpoint's facts are judged with. */
export async function visitVerdicts(db: Db, tenantId: string, ids: Iterable<number>): Promise<Map<number, VisitRow['verdict']>> {
  const pages = await inPages(ids, (page) => db.selectFrom('visits').select(['id', 'verdict']).where('tenant_id', '=', tenantId).where('id', 'in', page).execute());
  return new Map(pages.flat().map((r) => [r.id, r.verdict]));
}

/** The current verdict of every check-in with `checked_in_at` in [from, to), by id (only the two columns are read). */
export async function visitVerdictsBetween(db: Db, tenantId: string, from: number, to: number): Promise<Map<number, VisitRow['verdict']>> {
  const rows = await db.selectFrom('visits').select(['id', 'verdict']).where('tenant_id', '=', tenantId).where('checked_in_at', '>=', from).where('checked_in_at', '<', to).execute();
  return new Map(rows.map((r) => [r.id, r.verdict]));
}

/** Customers per pool and status now. */
export async function stockNow(db: Db, tenantId: string): Promise<{ pool_id: number; status: 'pool' | 'owned'; n: number }[]> {
  const rows = await db
    .selectFrom('customers')
    .select(['pool_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['pool_id', 'status'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/**
 * What the ledger did to the stock from `since` on, summed per (from pool, from status, to pool, to status): an
 * event moves a customer out of its old place (none for `created`) into its new one.
 */
export async function stockMovesSince(db: Db, tenantId: string, since: number) {
  const rows = await db
    .selectFrom('ownership_events')
    .select((eb) => [
      'from_pool_id',
      'to_pool_id',
      sql<number>`case when from_user_id is null then 0 else 1 end`.as('from_owned'),
      sql<number>`case when to_user_id is null then 0 else 1 end`.as('to_owned'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('at', '>=', since)
    .groupBy(['from_pool_id', 'to_pool_id', sql`case when from_user_id is null then 0 else 1 end`, sql`case when to_user_id is null then 0 else 1 end`])
    .execute();
  return rows.map((r) => ({ fromPoolId: r.from_pool_id, toPoolId: r.to_pool_id, fromOwned: Number(r.from_owned) === 1, toOwned: Number(r.to_owned) === 1, n: Number(r.n) }));
}

/** The instant of the tenant's first ledger row, or null. */
export async function firstLedgerAt(db: Db, tenantId: string): Promise<number | null> {
  const row = await db.selectFrom('ownership_events').select((eb) => eb.fn.min('at').as('at')).where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

const json = (value: string): Record<string, number> => JSON.parse(value) as Record<string, number>;

function fromRow(r: Selectable<DashboardSnapshotsTable>): DayRow {
  return {
    day: r.day,
    poolId: r.pool_id,
    regionId: r.region_id,
    poolSize: r.pool_size,
    owned: r.owned,
    reps: r.reps,
    maxOwnedPerRep: r.max_owned_per_rep,
    dailyClaimLimit: r.daily_claim_limit,
    inCreated: r.in_created,
    inReleased: r.in_released,
    inReclaimed: r.in_reclaimed,
    inDeparted: r.in_departed,
    inEscalated: r.in_escalated,
    outClaimed: r.out_claimed,
    outAssigned: r.out_assigned,
    outEscalated: r.out_escalated,
    inOther: r.in_other,
    outOther: r.out_other,
    reclaimedByRule: json(r.reclaimed_by_rule),
    waitDays: json(r.wait_days),
    firstVisitHours: json(r.first_visit_hours),
    hoardClaims: r.hoard_claims,
    hoardUnvisited: r.hoard_unvisited,
    visitsVerified: r.visits_verified,
    visitsSuspect: r.visits_suspect,
    visitsRejected: r.visits_rejected,
    repReclaims: json(r.rep_reclaims),
    bounces: r.bounces,
    bouncePairs: json(r.bounce_pairs),
  };
}

function toRow(tenantId: string, d: DayRow, now: number): Insertable<DashboardSnapshotsTable> {
  return {
    tenant_id: tenantId,
    day: d.day,
    pool_id: d.poolId,
    region_id: d.regionId,
    pool_size: d.poolSize,
    owned: d.owned,
    reps: d.reps,
    max_owned_per_rep: d.maxOwnedPerRep,
    daily_claim_limit: d.dailyClaimLimit,
    in_created: d.inCreated,
    in_released: d.inReleased,
    in_reclaimed: d.inReclaimed,
    in_departed: d.inDeparted,
    in_escalated: d.inEscalated,
    out_claimed: d.outClaimed,
    out_assigned: d.outAssigned,
    out_escalated: d.outEscalated,
    in_other: d.inOther,
    out_other: d.outOther,
    reclaimed_by_rule: JSON.stringify(d.reclaimedByRule),
    wait_days: JSON.stringify(d.waitDays),
    first_visit_hours: JSON.stringify(d.firstVisitHours),
    hoard_claims: d.hoardClaims,
    hoard_unvisited: d.hoardUnvisited,
    visits_verified: d.visitsVerified,
    visits_suspect: d.visitsSuspect,
    visits_rejected: d.visitsRejected,
    rep_reclaims: JSON.stringify(d.repReclaims),
    bounces: d.bounces,
    bounce_pairs: JSON.stringify(d.bouncePairs),
    created_at: now,
  };
}

/** Stored snapshot rows of [fromDay, toDay] (one primary-key range), optionally of some pools only. */
export async function readSnapshots(db: Db, tenantId: string, fromDay: string, toDay: string, poolIds?: number[]): Promise<DayRow[]> {
  if (poolIds !== undefined && poolIds.length === 0) return [];
  let q = db.selectFrom('dashboard_snapshots').selectAll().where('tenant_id', '=', tenantId).where('day', '>=', fromDay).where('day', '<=', toDay);
  if (poolIds !== undefined) q = q.where('pool_id', 'in', poolIds);
  return (await q.orderBy('day').orderBy('pool_id').execute()).map(fromRow);
}

/** The days of [fromDay, toDay] that have snapshot rows. */
export async function snapshotDays(db: Db, tenantId: string, fromDay: string, toDay: string): Promise<Set<string>> {
  const rows = await db.selectFrom('dashboard_snapshots').select('day').distinct().where('tenant_id', '=', tenantId).where('day', '>=', fromDay).where('day', '<=', toDay).execute();
  return new Set(rows.map((r) => r.day));
}

/** Replaces the snapshot rows of the days in `rows` (a rerun writes the same rows again). Call in a transaction. */
export async function replaceSnapshots(trx: Db, tenantId: string, rows: DayRow[], now: number): Promise<void> {
  const days = [...new Set(rows.map((r) => r.day))];
  for (let i = 0; i < days.length; i += 200) {
    await trx.deleteFrom('dashboard_snapshots').where('tenant_id', '=', tenantId).where('day', 'in', days.slice(i, i + 200)).execute();
  }
  for (let i = 0; i < rows.length; i += 200) {
    await trx.insertInto('dashboard_snapshots').values(rows.slice(i, i + 200).map((r) => toRow(tenantId, r, now))).execute();
  }
}
