import fc from 'fast-check';
import type { OwnershipEventType } from '../../pool/pool.table';
import type { DayRow } from '../dashboard';
import type { LedgerRow } from '../dashboard.repository';
import { blankRow, countLedgerRow, poolFlowsOf, type PoolInfo } from '../day-rows.service';
import { sumRows } from '../figures';

/**
 * The dashboard's flows add up: for every pool and day, inflow − outflow is the pool size at the day's end minus the
 * day before. The ledger rows are shaped as the writers shape them (ownership-writer.ts `ledgerRow`, `recordMerge`;
 * the decisions of ownership-rules.ts), the stock is replayed from the customers' states, not from the ledger.
 */

const POOLS = [1, 2, 3];
const REPS = ['r1', 'r2', 'r3'];
const DAY_MS = 86_400_000;
const info = (id: number): PoolInfo => ({ id, name: `p${id}`, regionId: null, maxOwnedPerRep: 10, dailyClaimLimit: 5, reps: 1 });

/** A customer as the customers table holds it. */
interface State {
  owner: string | null;
  pool: number;
}

type Kind = 'create' | 'createOwned' | 'claim' | 'assign' | 'release' | 'reclaim' | 'escalate' | 'depart' | 'transfer' | 'move' | 'restore' | 'merge';
const KINDS: Kind[] = ['create', 'createOwned', 'claim', 'assign', 'release', 'reclaim', 'escalate', 'depart', 'transfer', 'move', 'restore', 'merge'];

interface Op {
  kind: Kind;
  /** Which customer (modulo those that exist), which pool and which rep it goes to, and whether to a rep at all. */
  c: number;
  other: number;
  pool: number;
  rep: number;
  toRep: boolean;
  /** Hours after the previous row. */
  hours: number;
}

/** The ledger rows of a sequence of operations, each as the writer would record it, and the customers' state after each row. */
function play(ops: Op[]): { ledger: LedgerRow[]; states: Map<number, State>[] } {
  const customers = new Map<number, State>();
  const ledger: LedgerRow[] = [];
  const states: Map<number, State>[] = [];
  let at = 0;
  let nextCustomer = 1;
  /** Writes the row on `customerId` and leaves customer `changes` (the merged record, for a merge) as `to` says (null: gone). */
  const write = (customerId: number, type: OwnershipEventType, from: State | null, to: State | null, changes = customerId) => {
    ledger.push({
      id: ledger.length + 1,
      customer_id: customerId,
      type,
      from_user_id: from?.owner ?? null,
      to_user_id: to?.owner ?? null,
      from_pool_id: from?.pool ?? null,
      to_pool_id: to?.pool ?? null,
      rule_id: type === 'reclaimed' ? 9 : null,
      at,
    });
    if (to) customers.set(changes, to);
    else customers.delete(changes);
    states.push(new Map(customers));
  };
  for (const op of ops) {
    at += op.hours * 3_600_000;
    const ids = [...customers.keys()];
    const id = ids.length === 0 ? undefined : ids[op.c % ids.length]!;
    const s = id === undefined ? undefined : customers.get(id)!;
    const pool = POOLS[op.pool % POOLS.length]!;
    const rep = REPS[op.rep % REPS.length]!;
    if (op.kind === 'create' || op.kind === 'createOwned' || !s || id === undefined) {
      write(nextCustomer++, 'created', null, { owner: op.kind === 'createOwned' ? rep : null, pool });
      continue;
    }
    switch (op.kind) {
      case 'claim':
        if (s.owner === null) write(id, 'claimed', s, { owner: rep, pool: s.pool });
        break;
      case 'assign':
        // Assigned out of the pool, possibly into another pool's hands.
        if (s.owner === null) write(id, 'assigned', s, { owner: rep, pool });
        break;
      case 'release':
        if (s.owner !== null) write(id, 'released', s, { owner: null, pool: s.pool });
        break;
      case 'reclaim':
        if (s.owner !== null) write(id, 'reclaimed', s, { owner: null, pool });
        break;
      case 'escalate':
        if (s.owner === null && pool !== s.pool) write(id, 'escalated', s, { owner: null, pool });
        break;
      case 'depart':
        if (s.owner !== null) write(id, 'left_with_employee', s, { owner: op.toRep ? rep : null, pool: s.pool });
        break;
      case 'transfer':
        // POST /customers/transfer: to a rep (an owned customer: transferred; a pool customer: assigned) or to a pool
        // (toPoolId, no rep: transferred, from a rep or from another pool — or the same one).
        if (op.toRep) write(id, s.owner === null ? 'assigned' : 'transferred', s, { owner: rep, pool });
        else write(id, 'transferred', s, { owner: null, pool });
        break;
      case 'move':
        // The pool is archived: its customers move to another pool, owners keeping theirs.
        if (pool !== s.pool) write(id, 'moved', s, { owner: s.owner, pool });
        break;
      case 'restore':
        // An appeal accepted: the customer goes back from the pool to the rep.
        if (s.owner === null) write(id, 'appeal_restored', s, { owner: rep, pool: s.pool });
        break;
      case 'merge': {
        const other = ids[op.other % ids.length]!;
        if (other === id) break;
        // recordMerge: on the survivor, the merged record leaving its owner or pool for nowhere, then the survivor staying.
        write(id, 'merged', customers.get(other)!, null, other);
        write(id, 'merged', s, s);
        break;
      }
    }
  }
  return { ledger, states };
}

/** Day rows of every pool and day the ledger covers, counted row by row as computeDayRows counts them. */
function dayRows(ledger: LedgerRow[]): DayRow[][] {
  const days = Math.floor((ledger[ledger.length - 1]?.at ?? 0) / DAY_MS) + 1;
  const rows = Array.from({ length: days }, (_, d) => POOLS.map((p) => blankRow(String(d), info(p))));
  const before = (customerId: number, id: number) => ledger.filter((e) => e.customer_id === customerId && e.id < id).reverse();
  for (const e of ledger) {
    const day = rows[Math.floor(e.at / DAY_MS)]!;
    const of = (poolId: number | null) => (poolId === null ? undefined : day[POOLS.indexOf(poolId)]);
    countLedgerRow(e, of(e.to_pool_id), of(e.from_pool_id), before);
  }
  return rows;
}

const inflow = (r: DayRow) => r.inCreated + r.inReleased + r.inReclaimed + r.inDeparted + r.inEscalated + (r.inOther ?? 0);
const outflow = (r: DayRow) => r.outClaimed + r.outAssigned + r.outEscalated + (r.outOther ?? 0);

/** Pool sizes (unowned customers per pool) at the end of each day, from the customers' states. */
function poolSizes(ledger: LedgerRow[], states: Map<number, State>[], days: number): number[][] {
  const sizes: number[][] = [];
  let current = new Map<number, State>();
  let i = 0;
  for (let d = 0; d < days; d++) {
    while (i < ledger.length && ledger[i]!.at < (d + 1) * DAY_MS) current = states[i++]!;
    sizes.push(POOLS.map((p) => [...current.values()].filter((s) => s.owner === null && s.pool === p).length));
  }
  return sizes;
}

/** Every (pool, day) whose flows do not add up to the change in its size, with the figures. */
function imbalances(ops: Op[]) {
  const { ledger, states } = play(ops);
  const rows = dayRows(ledger);
  const sizes = poolSizes(ledger, states, rows.length);
  const wrong: { day: number; pool: number; inflow: number; outflow: number; change: number }[] = [];
  rows.forEach((day, d) =>
    day.forEach((r, k) => {
      const change = sizes[d]![k]! - (d === 0 ? 0 : sizes[d - 1]![k]!);
      if (inflow(r) - outflow(r) !== change) wrong.push({ day: d, pool: POOLS[k]!, inflow: inflow(r), outflow: outflow(r), change });
    }),
  );
  return { ledger, rows, wrong };
}

const op = (kind: Kind, o: Partial<Op> = {}): Op => ({ kind, c: 0, other: 0, pool: 0, rep: 0, toRep: false, hours: 1, ...o });

describe('the dashboard’s pool flows', () => {
  it('count each way in and out with no name of its own as other, and rows that keep pool membership as nothing', () => {
    // Customer 1 in pool 1, customer 2 in pool 2 (1 h, 2 h), then on day 1 (25 h on) …
    const ops: Op[] = [
      op('create', { pool: 0 }),
      op('create', { pool: 1 }),
      // Customer 1 transferred from pool 1 to pool 2 (a pool customer between pools): out of 1, into 2.
      op('transfer', { c: 0, pool: 1, hours: 25 }),
      // … moved back to pool 1 when pool 2 is archived: out of 2, into 1.
      op('move', { c: 0, pool: 0 }),
      // … restored on appeal to r2: out of 1.
      op('restore', { c: 0, rep: 1 }),
      // … transferred from r2 to pool 3: into 3.
      op('transfer', { c: 0, pool: 2 }),
      // … transferred within pool 3 to pool 3: nothing.
      op('transfer', { c: 0, pool: 2 }),
      // Customer 2 (pool 2) merged into customer 1 (pool 3): the merged record leaves pool 2; the survivor stays in 3.
      op('merge', { c: 0, other: 1 }),
      // A new customer 3 owned by r1 in pool 1, moved to pool 2 with its owner, and transferred owner to owner: nothing.
      op('createOwned', { pool: 0 }),
      op('move', { c: 1, pool: 1 }),
      op('transfer', { c: 1, toRep: true, rep: 2, pool: 1 }),
    ];
    const { ledger, rows, wrong } = imbalances(ops);
    expect(ledger.map((e) => e.type)).toEqual(['created', 'created', 'transferred', 'moved', 'appeal_restored', 'transferred', 'transferred', 'merged', 'merged', 'created', 'moved', 'transferred']);
    const flows = (r: DayRow) => [r.inOther, r.outOther];
    expect(rows[1]!.map(flows)).toEqual([
      [1, 2],
      [1, 2],
      [1, 0],
    ]);
    expect(rows[1]!.map((r) => inflow(r) - outflow(r))).toEqual([-1, -1, 1]);
    expect(wrong).toEqual([]);
    // The figures' totals carry them, and the series' net flow is the change in pool size.
    const s = sumRows(rows[1]!);
    expect([s.counts.inOther, s.counts.outOther]).toEqual([3, 4]);
    expect([...s.series.values()].map((p) => [p.inflow, p.outflow])).toEqual([[3, 4]]);
  });

  it('decides membership from the pools and owners of a row, not its type', () => {
    expect(poolFlowsOf({ from_user_id: null, to_user_id: null, from_pool_id: 1, to_pool_id: 2 })).toEqual({ into: true, out: true });
    expect(poolFlowsOf({ from_user_id: null, to_user_id: null, from_pool_id: 1, to_pool_id: 1 })).toEqual({ into: false, out: false });
    expect(poolFlowsOf({ from_user_id: 'r1', to_user_id: 'r1', from_pool_id: 1, to_pool_id: 2 })).toEqual({ into: false, out: false });
    expect(poolFlowsOf({ from_user_id: 'r1', to_user_id: null, from_pool_id: 1, to_pool_id: null })).toEqual({ into: false, out: false });
    expect(poolFlowsOf({ from_user_id: null, to_user_id: null, from_pool_id: 2, to_pool_id: null })).toEqual({ into: false, out: true });
    expect(poolFlowsOf({ from_user_id: null, to_user_id: 'r2', from_pool_id: 2, to_pool_id: 3 })).toEqual({ into: false, out: true });
  });

  it('add up to the change in pool size for every pool and day, over random sequences of every kind of row', () => {
    const opArb = fc.record({
      kind: fc.constantFrom(...KINDS),
      c: fc.nat(20),
      other: fc.nat(20),
      pool: fc.nat(2),
      rep: fc.nat(2),
      toRep: fc.boolean(),
      hours: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
        expect(imbalances(ops).wrong).toEqual([]);
      }),
      { numRuns: 300, seed: 19 },
    );
  });
});
