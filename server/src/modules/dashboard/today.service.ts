import type { Db } from '../../db/create-db';
import { addDays, DAY_MS, localDate, startOfLocalDate } from '../../time';
import { HOARD_WINDOW_DAYS, type DayRow } from './dashboard';
import { ledgerBetween, ledgerOfCustomers, visitsBetween, visitsOfCustomers, visitVerdicts, visitVerdictsBetween, type LedgerRow, type VisitRow } from './dashboard.repository';
import { readCheckpointRow, storedCheckpointDay, writeCheckpointRow } from './checkpoint.repository';
import { blankRow, bump, countLedgerRow, HOUR_MS, ledgerLookups, type PoolInfo, type StockBase } from './day-rows.service';

/**
 * Today's day rows, live and exact, without reading the whole day on every request: an intraday checkpoint holds what
 * the day so far adds up to, and a request adds what came after it.
 *
 * What a ledger row adds to its day (flows, waits, bounces, reclaims, stock moves) depends only on the row and the
 * customer's earlier rows, and the ledger is append-only: those shares are summed once into the checkpoint. What a
 * check-in adds depends on verdicts, which change after the check-in (a reused photo or a short stay lowers them), so
 * for check-ins the checkpoint keeps only the facts that cannot change — the pool the customer was in, when it was
 * given to the visitor, which of the visitor's other check-ins came before it since — and every request judges them
 * with the verdicts as they are then. The sum is what day-rows.service.ts computeDayRows gives for the same instant;
 * the tests and the bench check that.
 */

/**
 * How far behind the clock a checkpoint stops. A ledger row or check-in is stamped when its request starts and becomes
 * visible when its transaction commits; one stamped before the checkpoint's end but committed after the checkpoint was
 * read would be missed. Requests (lock waits included, 50 s at most on InnoDB) finish well within this.
 */
export const CHECKPOINT_LAG_MS = 5 * 60_000;
/** A checkpoint older than this is rebuilt by the next request, so the part read per request stays small. */
export const CHECKPOINT_MAX_AGE_MS = 15 * 60_000;

const WINDOW_MS = HOARD_WINDOW_DAYS * DAY_MS;

type Verdict = VisitRow['verdict'];

/** A check-in's facts that no later write changes. */
export interface VisitFact {
  id: number;
  at: number;
  /** The pool the customer was in at check-in (its latest ledger row then); counts the visit. */
  poolId: number | null;
  /** The visitor's latest gain of the customer up to the check-in, if any. */
  gain: { at: number; poolId: number | null } | null;
  /** The visitor's other check-ins at the customer since that gain and before this one: any verified one makes this not the first. */
  earlier: number[];
}

/** A claim whose hoarding window closes in the stretch: its pool and the claimer's check-ins at the customer within the window. */
export interface HoardFact {
  poolId: number | null;
  visits: number[];
}

/** What ledger rows stamped in [from, to) add to each pool, and the facts of the check-ins and closing windows in it. */
export interface Stretch {
  from: number;
  to: number;
  /** Per pool id: the flows (stock fields hold net moves). Pools are not filtered: any request's pools are read from it. */
  parts: Map<number, DayRow>;
  visits: VisitFact[];
  hoards: HoardFact[];
  /** The facts' check-ins from before the stretch (their verdicts are read by id; the stretch's own by time). */
  older: number[];
  /** Verdicts as read with the stretch (used for a stretch read by the request itself). */
  verdicts: Map<number, Verdict>;
}

/** Today so far, up to `stretch.to`, as read at `builtAt`. */
export interface Checkpoint {
  day: string;
  dayStart: number;
  builtAt: number;
  stretch: Stretch;
}

const partOf = (parts: Map<number, DayRow>, poolId: number | null): DayRow | undefined => {
  if (poolId === null) return undefined;
  let part = parts.get(poolId);
  if (!part) parts.set(poolId, (part = blankRow('', { id: poolId, name: '', regionId: null, maxOwnedPerRep: 0, dailyClaimLimit: 0, reps: 0 })));
  return part;
};

const groupBy = <R extends { customer_id: number }>(rows: R[]): Map<number, R[]> => {
  const out = new Map<number, R[]>();
  for (const r of rows) {
    const list = out.get(r.customer_id);
    if (list) list.push(r);
    else out.set(r.customer_id, [r]);
  }
  return out;
};

/**
 * Reads the stretch [from, to) of a day: its ledger rows with the customers' past, its check-ins, and the claims whose
 * hoarding window closes in it (claimed one window earlier), with the check-ins those need. Same rules as computeDayRows.
 */
export async function readStretch(db: Db, tenantId: string, from: number, to: number): Promise<Stretch> {
  const stretch: Stretch = { from, to, parts: new Map(), visits: [], hoards: [], older: [], verdicts: new Map() };
  if (from >= to) return stretch;
  const [ledger, windows, visits] = await Promise.all([ledgerBetween(db, tenantId, from, to), ledgerBetween(db, tenantId, from - WINDOW_MS, to - WINDOW_MS), visitsBetween(db, tenantId, from, to)]);
  const claims = windows.filter((e) => e.type === 'claimed');
  const [history, theirVisits] = await Promise.all([
    ledgerOfCustomers(db, tenantId, [...ledger.filter((e) => (e.type !== 'created' && e.to_user_id !== null) || e.type === 'escalated').map((e) => e.customer_id), ...visits.map((v) => v.customer_id)]),
    // Every check-in's customer, not only the verified ones: a verdict read now may differ from the one judged later.
    visitsOfCustomers(db, tenantId, [...claims.map((c) => c.customer_id), ...visits.map((v) => v.customer_id)]),
  ]);
  const ledgerOf = groupBy(history);
  const visitsOf = groupBy(theirVisits);
  const { before, latestAt } = ledgerLookups(ledgerOf);

  for (const e of ledger) {
    const outOf = partOf(stretch.parts, e.from_pool_id);
    const into = partOf(stretch.parts, e.to_pool_id);
    if (outOf) outOf[e.from_user_id !== null ? 'owned' : 'poolSize'] -= 1;
    if (into) into[e.to_user_id !== null ? 'owned' : 'poolSize'] += 1;
    countLedgerRow(e, into, outOf, before);
  }
  for (const v of visits) {
    const gain = latestAt(v.customer_id, v.checked_in_at, (e) => e.to_user_id === v.user_id);
    stretch.visits.push({
      id: v.id,
      at: v.checked_in_at,
      poolId: latestAt(v.customer_id, v.checked_in_at, () => true)?.to_pool_id ?? null,
      gain: gain ? { at: gain.at, poolId: gain.to_pool_id } : null,
      earlier: gain
        ? (visitsOf.get(v.customer_id) ?? [])
            .filter((w) => w.user_id === v.user_id && w.checked_in_at >= gain.at && (w.checked_in_at < v.checked_in_at || (w.checked_in_at === v.checked_in_at && w.id < v.id)))
            .map((w) => w.id)
        : [],
    });
  }
  for (const c of claims) {
    const seen = (visitsOf.get(c.customer_id) ?? []).filter((w) => w.user_id === c.to_user_id && w.checked_in_at >= c.at && w.checked_in_at < c.at + WINDOW_MS);
    stretch.hoards.push({ poolId: c.to_pool_id, visits: seen.map((w) => w.id) });
  }
  const cited = new Set([...stretch.visits.flatMap((f) => f.earlier), ...stretch.hoards.flatMap((h) => h.visits)]);
  stretch.older = theirVisits.filter((w) => w.checked_in_at < from && cited.has(w.id)).map((w) => w.id);
  for (const w of [...visits, ...theirVisits]) stretch.verdicts.set(w.id, w.verdict);
  return stretch;
}

/** Builds the checkpoint of `day` up to `upTo` (read now, at `builtAt`). */
export async function buildCheckpoint(db: Db, tenant: { id: string; timeZone: string }, day: string, upTo: number, builtAt: number): Promise<Checkpoint> {
  const dayStart = startOfLocalDate(day, tenant.timeZone);
  const dayEnd = startOfLocalDate(addDays(day, 1), tenant.timeZone);
  const stretch = await readStretch(db, tenant.id, dayStart, Math.min(dayEnd, Math.max(dayStart, upTo)));
  // Its verdicts go stale; a request reads them afresh.
  stretch.verdicts = new Map();
  return { day, dayStart, builtAt, stretch };
}

/** Whether a checkpoint may answer for `day` at `now`: the same day (and zone), read no later than now, and fresh enough. */
export function checkpointUsable(cp: Checkpoint, day: string, dayStart: number, now: number): boolean {
  return cp.day === day && cp.dayStart === dayStart && cp.builtAt <= now && now - cp.builtAt <= CHECKPOINT_MAX_AGE_MS;
}

/**
 * Today's rows of `pools` at `now` from a checkpoint (null: none, the whole day is read) plus the rest of the day read
 * now, with today's end-of-day stock walked from `stockBase` (the start of today, or its end). The checkpoint's
 * check-ins are judged with the verdicts as they are now.
 */
export async function todayRowsFrom(
  db: Db,
  tenant: { id: string; timeZone: string },
  pools: PoolInfo[],
  day: string,
  checkpoint: Checkpoint | null,
  stockBase: StockBase | Promise<StockBase>,
): Promise<DayRow[]> {
  const dayStart = startOfLocalDate(day, tenant.timeZone);
  const dayEnd = startOfLocalDate(addDays(day, 1), tenant.timeZone);
  const cp = checkpoint && checkpoint.day === day && checkpoint.dayStart === dayStart ? checkpoint.stretch : null;
  const upTo = cp ? cp.to : dayStart;
  // Current verdicts: the check-ins read now, the checkpoint's by time (today's) and by id (older ones it cites).
  const [rest, heldVerdicts, olderVerdicts, stock] = await Promise.all([
    readStretch(db, tenant.id, upTo, dayEnd),
    cp && cp.to > dayStart ? visitVerdictsBetween(db, tenant.id, dayStart, cp.to) : Promise.resolve(new Map<number, Verdict>()),
    cp && cp.older.length > 0 ? visitVerdicts(db, tenant.id, cp.older) : Promise.resolve(new Map<number, Verdict>()),
    stockBase,
  ]);
  const verdicts = new Map([...rest.verdicts, ...heldVerdicts, ...olderVerdicts]);

  const rows = new Map(pools.map((p) => [p.id, blankRow(day, p)]));
  const rowOf = (poolId: number | null) => (poolId === null ? undefined : rows.get(poolId));
  const stretches = cp ? [cp, rest] : [rest];
  for (const s of stretches) {
    for (const [poolId, part] of s.parts) {
      const row = rows.get(poolId);
      if (row) addFlows(row, part);
    }
  }
  // A checkpoint's check-in deleted since is not counted (a live read would not see it); the rest's are all current.
  const visits = [...(cp ? cp.visits.filter((f) => heldVerdicts.has(f.id)) : []), ...rest.visits];
  for (const f of visits) {
    const verdict = verdicts.get(f.id)!;
    const row = rowOf(f.poolId);
    if (row) {
      if (verdict === 'verified') row.visitsVerified += 1;
      else if (verdict === 'suspect') row.visitsSuspect += 1;
      else row.visitsRejected += 1;
    }
    // The visitor's first verified check-in since the customer was given to them.
    const first = f.gain && verdict === 'verified' && !f.earlier.some((id) => verdicts.get(id) === 'verified');
    const gainRow = f.gain ? rowOf(f.gain.poolId) : undefined;
    if (first && gainRow) bump(gainRow.firstVisitHours, Math.floor((f.at - f.gain!.at) / HOUR_MS));
  }
  for (const s of stretches) {
    for (const h of s.hoards) {
      const row = rowOf(h.poolId);
      if (!row) continue;
      row.hoardClaims += 1;
      // Visited: a check-in by the claimer within the window that was not rejected (a deleted one counts for nothing).
      if (!h.visits.some((id) => (verdicts.get(id) ?? 'rejected') !== 'rejected')) row.hoardUnvisited += 1;
    }
  }
  for (const p of pools) {
    const row = rows.get(p.id)!;
    const base = stock.counts.get(p.id) ?? { poolSize: 0, owned: 0 };
    row.poolSize = base.poolSize;
    row.owned = base.owned;
    if (stock.at === 'start') {
      for (const s of stretches) {
        row.poolSize += s.parts.get(p.id)?.poolSize ?? 0;
        row.owned += s.parts.get(p.id)?.owned ?? 0;
      }
    }
  }
  return [...rows.values()];
}

const mergeInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, c] of Object.entries(from)) into[k] = (into[k] ?? 0) + c;
};

/** Adds a part's ledger flows to a row (not its stock, nor the check-in figures, which facts decide). */
function addFlows(row: DayRow, part: DayRow): void {
  row.inCreated += part.inCreated;
  row.inReleased += part.inReleased;
  row.inReclaimed += part.inReclaimed;
  row.inDeparted += part.inDeparted;
  row.inEscalated += part.inEscalated;
  row.outClaimed += part.outClaimed;
  row.outAssigned += part.outAssigned;
  row.outEscalated += part.outEscalated;
  row.inOther += part.inOther;
  row.outOther += part.outOther;
  row.bounces += part.bounces;
  mergeInto(row.reclaimedByRule, part.reclaimedByRule);
  mergeInto(row.waitDays, part.waitDays);
  mergeInto(row.repReclaims, part.repReclaims);
  mergeInto(row.bouncePairs, part.bouncePairs);
}

/** Per database handle and tenant: the latest checkpoint (or the one being built, shared by requests meanwhile). */
const checkpoints = new WeakMap<Db, Map<string, Promise<Checkpoint>>>();
/** Handles whose checkpoints were forgotten: they rebuild from the ledger rather than take the stored one. */
const forgotten = new WeakSet<Db>();

/** Builds a checkpoint and stores it for every process (the newer one stays when two build at once). */
async function buildAndStore(db: Db, tenant: { id: string; timeZone: string }, day: string, upTo: number, now: number): Promise<Checkpoint> {
  const cp = await buildCheckpoint(db, tenant, day, upTo, now);
  await writeCheckpointRow(db, tenant.id, cp);
  forgotten.delete(db);
  return cp;
}

/** The stored checkpoint (built by any process) when it may answer, else a new one built and stored. */
async function storedOrBuilt(db: Db, tenant: { id: string; timeZone: string }, day: string, dayStart: number, upTo: number, now: number): Promise<Checkpoint> {
  if (!forgotten.has(db)) {
    const stored = await readCheckpointRow<Checkpoint>(db, tenant.id);
    if (stored && checkpointUsable(stored, day, dayStart, now)) return stored;
  }
  return buildAndStore(db, tenant, day, upTo, now);
}

/**
 * The tenant's checkpoint for `day` at `now`: the one held when usable, else a new one up to CHECKPOINT_LAG_MS before
 * now (built by this request, and shared with requests arriving meanwhile); null early in the day, when the whole day
 * so far is small. Held in this process and stored in `dashboard_checkpoints`: a process that holds none usable takes the
 * stored one when it is usable (whichever instance built it), and stores what it builds.
 */
export async function checkpointFor(db: Db, tenant: { id: string; timeZone: string }, day: string, now: number): Promise<Checkpoint | null> {
  const dayStart = startOfLocalDate(day, tenant.timeZone);
  let held = checkpoints.get(db);
  if (!held) checkpoints.set(db, (held = new Map()));
  const pending = held.get(tenant.id);
  if (pending) {
    const cp = await pending.catch(() => null);
    if (cp && checkpointUsable(cp, day, dayStart, now)) return cp;
  }
  const upTo = now - CHECKPOINT_LAG_MS;
  if (upTo <= dayStart) return null;
  const current = held.get(tenant.id);
  // Another request started a new one while this one waited: share it when it fits.
  if (current && current !== pending) {
    const cp = await current.catch(() => null);
    if (cp && checkpointUsable(cp, day, dayStart, now)) return cp;
  }
  const building = storedOrBuilt(db, tenant, day, dayStart, upTo, now);
  held.set(tenant.id, building);
  building.catch(() => {
    if (held.get(tenant.id) === building) held.delete(tenant.id);
  });
  return building;
}

/**
 * Rebuilds the tenant's checkpoint for today at `now` when one is held here or stored for today (someone looked at the
 * dashboard, on any instance), so requests find a fresh one instead of building it; returns it, or null when there is
 * none or the day is too young.
 */
export async function refreshCheckpoint(db: Db, tenant: { id: string; timeZone: string }, now: number): Promise<Checkpoint | null> {
  let held = checkpoints.get(db);
  const day = localDate(now, tenant.timeZone);
  const looked = held?.has(tenant.id) === true || (!forgotten.has(db) && (await storedCheckpointDay(db, tenant.id)) === day);
  if (!looked) return null;
  const upTo = now - CHECKPOINT_LAG_MS;
  if (upTo <= startOfLocalDate(day, tenant.timeZone)) return null;
  if (!held) checkpoints.set(db, (held = new Map()));
  const building = buildAndStore(db, tenant, day, upTo, now);
  // The held one keeps answering until this one is ready.
  const cp = await building;
  held.set(tenant.id, building);
  return cp;
}

/** Drops the checkpoints held for a database handle (for tests that rewrite the ledger rather than append to it). */
export function forgetCheckpoints(db: Db): void {
  checkpoints.delete(db);
  forgotten.add(db);
}

/** Today's rows of `pools` at `now`, live: the tenant's checkpoint plus the rest of the day. */
export async function todayRows(db: Db, tenant: { id: string; timeZone: string }, pools: PoolInfo[], day: string, now: number, stockBase: StockBase | Promise<StockBase>): Promise<DayRow[]> {
  return todayRowsFrom(db, tenant, pools, day, await checkpointFor(db, tenant, day, now), stockBase);
}
