import type { Db } from '../../db/create-db';
import { addDays, DAY_MS, startOfLocalDate } from '../../time';
import { HOARD_WINDOW_DAYS, type DayRow } from './dashboard';
import { ledgerBetween, ledgerOfCustomers, stockMovesSince, stockNow, visitsBetween, visitsOfCustomers, type LedgerRow, type VisitRow } from './dashboard.repository';

export const HOUR_MS = 3_600_000;

/** A pool as a day row records it: its region and what its reps can take. */
export interface PoolInfo {
  id: number;
  name: string;
  regionId: string | null;
  maxOwnedPerRep: number;
  dailyClaimLimit: number;
  reps: number;
}

/** Customers in each pool (unowned) and owned in it. */
export type Stock = Map<number, { poolSize: number; owned: number }>;

/** The stock a range is walked from: at the start of its first day, or at the end of its last. */
export interface StockBase {
  at: 'start' | 'end';
  counts: Stock;
}

/** The local dates from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The stock at an instant: today's counts, minus what the ledger moved since (exact as long as the ledger is). */
export async function stockAt(db: Db, tenantId: string, at: number): Promise<Stock> {
  const [now, moves] = await Promise.all([stockNow(db, tenantId), stockMovesSince(db, tenantId, at)]);
  const stock: Stock = new Map();
  const slot = (poolId: number) => {
    let s = stock.get(poolId);
    if (!s) stock.set(poolId, (s = { poolSize: 0, owned: 0 }));
    return s;
  };
  for (const r of now) slot(r.pool_id)[r.status === 'pool' ? 'poolSize' : 'owned'] += r.n;
  for (const m of moves) {
    // Undo each move: back into where it came from, out of where it went.
    if (m.fromPoolId !== null) slot(m.fromPoolId)[m.fromOwned ? 'owned' : 'poolSize'] += m.n;
    if (m.toPoolId !== null) slot(m.toPoolId)[m.toOwned ? 'owned' : 'poolSize'] -= m.n;
  }
  return stock;
}

export const bump = (o: Record<string, number>, key: string | number, by = 1) => {
  o[String(key)] = (o[String(key)] ?? 0) + by;
};

/** A pool's day row with every flow at zero (stock to be filled in). */
export function blankRow(day: string, p: PoolInfo): DayRow {
  return {
    day,
    poolId: p.id,
    regionId: p.regionId,
    poolSize: 0,
    owned: 0,
    reps: p.reps,
    maxOwnedPerRep: p.maxOwnedPerRep,
    dailyClaimLimit: p.dailyClaimLimit,
    inCreated: 0,
    inReleased: 0,
    inReclaimed: 0,
    inDeparted: 0,
    inEscalated: 0,
    inOther: 0,
    outClaimed: 0,
    outAssigned: 0,
    outEscalated: 0,
    outOther: 0,
    reclaimedByRule: {},
    waitDays: {},
    firstVisitHours: {},
    hoardClaims: 0,
    hoardUnvisited: 0,
    visitsVerified: 0,
    visitsSuspect: 0,
    visitsRejected: 0,
    repReclaims: {},
    bounces: 0,
    bouncePairs: {},
  };
}

/**
 * Whether a ledger row changes the membership of its pools: into its to-pool when the customer is in that pool
 * (unowned) afterwards, out of its from-pool when it was in that pool (unowned) before — unless it stays in the same
 * pool unowned (a merge's survivor waiting in the pool). Exactly what the stock replay moves (`poolSize`), so a day's
 * inflow − outflow is the change in its pool size, whatever the row's type.
 */
export function poolFlowsOf(e: Pick<LedgerRow, 'from_user_id' | 'to_user_id' | 'from_pool_id' | 'to_pool_id'>): { into: boolean; out: boolean } {
  const wasIn = e.from_pool_id !== null && e.from_user_id === null;
  const isIn = e.to_pool_id !== null && e.to_user_id === null;
  const stays = wasIn && isIn && e.from_pool_id === e.to_pool_id;
  return { into: isIn && !stays, out: wasIn && !stays };
}

/**
 * What one ledger row adds to the flows of the rows of its day it moves into (`into`, its to-pool) and out of
 * (`outOf`, its from-pool), given the customer's earlier rows (`before`: newest first). It reads nothing later than the
 * row itself, so a row's share never changes once written: what lets today be summed from a checkpoint plus the rows
 * after it (today.service.ts). Whether it flows at all is poolFlowsOf's; its type only names the flow, and a type
 * without a name of its own (a transfer to or from a pool, an archived pool's move, an appeal restore, a merge) counts
 * as other (`inOther`, `outOther`).
 */
export function countLedgerRow(e: LedgerRow, into: DayRow | undefined, outOf: DayRow | undefined, before: (customerId: number, id: number) => LedgerRow[]): void {
  const flows = poolFlowsOf(e);
  if (into && flows.into) {
    switch (e.type) {
      case 'created':
        into.inCreated += 1;
        break;
      case 'released':
        into.inReleased += 1;
        break;
      case 'reclaimed':
        into.inReclaimed += 1;
        bump(into.reclaimedByRule, e.rule_id ?? 0);
        break;
      case 'left_with_employee':
        into.inDeparted += 1;
        break;
      case 'escalated':
        into.inEscalated += 1;
        break;
      default:
        into.inOther += 1;
    }
  }
  if (outOf && flows.out) {
    switch (e.type) {
      case 'claimed':
        outOf.outClaimed += 1;
        break;
      case 'assigned':
        outOf.outAssigned += 1;
        break;
      case 'escalated':
        outOf.outEscalated += 1;
        break;
      default:
        outOf.outOther += 1;
    }
  }
  // The rep who lost it to the rules, counted where the customer was owned.
  if (e.type === 'reclaimed' && outOf && e.from_user_id !== null) bump(outOf.repReclaims, e.from_user_id);
  // Leaving the pool (claimed or assigned out of it, or moved up the cascade): how long since it entered, i.e.
  // since the customer's previous ledger row.
  if (outOf && e.from_user_id === null && (e.type === 'claimed' || e.type === 'assigned' || e.type === 'escalated')) {
    const entered = before(e.customer_id, e.id)[0];
    if (entered) bump(outOf.waitDays, Math.floor((e.at - entered.at) / DAY_MS));
  }
  // A gain that returns the customer to the owner before the previous one (A → B → A). A row that leaves the owner as
  // it was (a merge's survivor, an archived pool's move) is no gain.
  if (into && e.to_user_id !== null && e.type !== 'created' && e.from_user_id !== e.to_user_id) {
    const owners = before(e.customer_id, e.id).filter((p) => p.to_user_id !== null);
    const [prev1, prev2] = [owners[0]?.to_user_id, owners[1]?.to_user_id];
    if (prev1 !== undefined && prev1 !== e.to_user_id && prev2 === e.to_user_id) {
      into.bounces += 1;
      bump(into.bouncePairs, [e.to_user_id, prev1].sort().join('|'));
    }
  }
}

/**
 * Computes the day rows of [fromDay, toDay] for `pools` from the ledger and the visits (DESIGN §3: the ledger replays
 * to every owner, so it also replays every day's flows), with the end-of-day stock walked from `stockBase`: the stock
 * at the start of `fromDay` (`at: 'start'`) or at the end of `toDay` (`at: 'end'`), which may be a promise. The same function fills the
 * snapshots, backfills them and computes today live, so a snapshot and a live computation of a day agree by
 * construction; the tests check both against hand-worked figures. Reads the ledger by time ranges only.
 */
export async function computeDayRows(
  db: Db,
  tenantId: string,
  zone: string,
  pools: PoolInfo[],
  fromDay: string,
  toDay: string,
  stockBase: StockBase | Promise<StockBase>,
): Promise<DayRow[]> {
  const days = daysBetween(fromDay, toDay);
  const starts = days.map((d) => startOfLocalDate(d, zone));
  const rangeStart = starts[0]!;
  const rangeEnd = startOfLocalDate(addDays(toDay, 1), zone);
  /** Index of the day containing `ms`, or -1 outside the range. */
  const dayOf = (ms: number): number => {
    if (ms < rangeStart || ms >= rangeEnd) return -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const byPool = new Map(pools.map((p) => [p.id, p]));
  const rows = days.map((day) => new Map(pools.map((p) => [p.id, blankRow(day, p)])));
  const rowOf = (ms: number, poolId: number | null): DayRow | undefined => {
    const i = dayOf(ms);
    return i < 0 || poolId === null ? undefined : rows[i]!.get(poolId);
  };
  const deltas = days.map(() => new Map<number, { poolSize: number; owned: number }>());
  const move = (i: number, poolId: number, owned: boolean, by: number) => {
    if (!byPool.has(poolId)) return;
    let d = deltas[i]!.get(poolId);
    if (!d) deltas[i]!.set(poolId, (d = { poolSize: 0, owned: 0 }));
    d[owned ? 'owned' : 'poolSize'] += by;
  };

  // Claims are judged for hoarding on the day their window closes: those of the week before the range count too.
  const windowMs = HOARD_WINDOW_DAYS * DAY_MS;
  const [recent, visits, stock] = await Promise.all([ledgerBetween(db, tenantId, rangeStart - windowMs, rangeEnd), visitsBetween(db, tenantId, rangeStart, rangeEnd), stockBase]);
  const ledger = recent.filter((e) => e.at >= rangeStart);
  const claims = recent.filter((e) => e.type === 'claimed' && e.at + windowMs >= rangeStart && e.at + windowMs < rangeEnd);
  const verified = visits.filter((v) => v.verdict === 'verified');
  // The past of every customer these rows touch, and the visits the hoarding and first-visit checks look at.
  const [history, theirVisits] = await Promise.all([
    // Only rows that leave the pool or give the customer to someone look back; releases, reclaims and creations do not.
    ledgerOfCustomers(db, tenantId, [...ledger.filter((e) => (e.type !== 'created' && e.to_user_id !== null) || e.type === 'escalated').map((e) => e.customer_id), ...visits.map((v) => v.customer_id)]),
    visitsOfCustomers(db, tenantId, [...claims.map((c) => c.customer_id), ...verified.map((v) => v.customer_id)]),
  ]);
  const ledgerOf = new Map<number, LedgerRow[]>();
  for (const e of history) {
    const list = ledgerOf.get(e.customer_id);
    if (list) list.push(e);
    else ledgerOf.set(e.customer_id, [e]);
  }
  const visitsOf = new Map<number, VisitRow[]>();
  for (const v of theirVisits) {
    const list = visitsOf.get(v.customer_id);
    if (list) list.push(v);
    else visitsOf.set(v.customer_id, [v]);
  }
  const { before, latestAt } = ledgerLookups(ledgerOf);

  for (const e of ledger) {
    const i = dayOf(e.at);
    if (e.from_pool_id !== null) move(i, e.from_pool_id, e.from_user_id !== null, -1);
    if (e.to_pool_id !== null) move(i, e.to_pool_id, e.to_user_id !== null, 1);
    const into = rowOf(e.at, e.to_pool_id);
    const outOf = rowOf(e.at, e.from_pool_id);
    countLedgerRow(e, into, outOf, before);
  }
  for (const v of verified) {
    // The owner's first verified visit since the customer was given to them (claimed, assigned, …).
    const gain = latestAt(v.customer_id, v.checked_in_at, (e) => e.to_user_id === v.user_id);
    if (!gain) continue;
    const earlier = (visitsOf.get(v.customer_id) ?? []).some(
      (w) => w.user_id === v.user_id && w.verdict === 'verified' && w.checked_in_at >= gain.at && (w.checked_in_at < v.checked_in_at || (w.checked_in_at === v.checked_in_at && w.id < v.id)),
    );
    const row = rowOf(v.checked_in_at, gain.to_pool_id);
    if (!earlier && row) bump(row.firstVisitHours, Math.floor((v.checked_in_at - gain.at) / HOUR_MS));
  }
  for (const c of claims) {
    // Counted on the day its window closes, so a day's figure is final once the day is over.
    const row = rowOf(c.at + windowMs, c.to_pool_id);
    if (!row) continue;
    row.hoardClaims += 1;
    const visited = (visitsOf.get(c.customer_id) ?? []).some((w) => w.user_id === c.to_user_id && w.verdict !== 'rejected' && w.checked_in_at >= c.at && w.checked_in_at < c.at + windowMs);
    if (!visited) row.hoardUnvisited += 1;
  }
  for (const v of visits) {
    // Counted for the pool the customer was in at the time.
    const row = rowOf(v.checked_in_at, latestAt(v.customer_id, v.checked_in_at, () => true)?.to_pool_id ?? null);
    if (!row) continue;
    if (v.verdict === 'verified') row.visitsVerified += 1;
    else if (v.verdict === 'suspect') row.visitsSuspect += 1;
    else row.visitsRejected += 1;
  }

  // End-of-day stock, walked forwards from the start or backwards from the end.
  const running = new Map(pools.map((p) => [p.id, { ...(stock.counts.get(p.id) ?? { poolSize: 0, owned: 0 }) }]));
  const order = stock.at === 'start' ? days.map((_, i) => i) : days.map((_, i) => days.length - 1 - i);
  for (const i of order) {
    for (const p of pools) {
      const r = running.get(p.id)!;
      const d = deltas[i]!.get(p.id) ?? { poolSize: 0, owned: 0 };
      if (stock.at === 'start') {
        r.poolSize += d.poolSize;
        r.owned += d.owned;
      }
      const row = rows[i]!.get(p.id)!;
      row.poolSize = r.poolSize;
      row.owned = r.owned;
      if (stock.at === 'end') {
        r.poolSize -= d.poolSize;
        r.owned -= d.owned;
      }
    }
  }
  return rows.flatMap((m) => [...m.values()]);
}

/** Look-ups into customers' ledger histories (each customer's rows in ledger order), shared with the intraday checkpoint. */
export function ledgerLookups(ledgerOf: Map<number, LedgerRow[]>) {
  return {
    /** The customer's ledger rows before `id`, newest first. */
    before: (customerId: number, id: number) => (ledgerOf.get(customerId) ?? []).filter((e) => e.id < id).reverse(),
    /** The customer's newest ledger row at or before `at` (by id, as the ledger orders them) that passes `test`. */
    latestAt: (customerId: number, at: number, test: (e: LedgerRow) => boolean) => {
      const list = ledgerOf.get(customerId) ?? [];
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.at <= at && test(list[i]!)) return list[i];
      return undefined;
    },
  };
}
