import type { Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { readCreationFacts, readOwnershipFacts, type FactRows, type FactsItem } from '../../db/dialect/ownership-facts';
import type { CustomersTable } from '../customers/customers.table';
import type { Pool } from './pool';
import { toPool } from './pool.repository';
import type { PoolsTable } from './pool.table';
import { applyGrant, customerAfter, type CustomerState, type Grant, type Party, type RepCounts } from './ownership-rules';

export type CustomerRow = Selectable<CustomersTable>;

const key = (userId: string, poolId: number) => `${userId}\u0000${poolId}`;

/** What one holding counts towards a cap: all customers, or only the not-won ones. */
interface Holding {
  all: number;
  open: number;
  levels: Map<string, { all: number; open: number }>;
}

/** The customer row as the rules read it. */
export function stateOf(row: CustomerRow): CustomerState {
  return {
    status: row.status,
    ownerId: row.owner_id,
    poolId: row.pool_id,
    level: row.level,
    won: row.last_deal_won_at !== null,
    reservedByAssignmentId: row.reserved_by_assignment_id,
    priorOwnerId: row.prior_owner_id,
    priorOwnerBlockedUntil: row.prior_owner_blocked_until,
  };
}

/**
 * The facts of a batch of ownership changes, read under their locks (db/dialect/*\/ownership-facts.ts), kept current
 * as the batch decides: `granted` moves a customer and the receiver's counts on, so the next change of the batch is
 * decided as if the earlier ones had committed.
 */
export class OwnershipFacts {
  private readonly users = new Map<string, { name: string; active: boolean }>();
  private readonly customers = new Map<number, CustomerRow>();
  private readonly states = new Map<number, CustomerState>();
  private readonly pools = new Map<number, Pool>();
  private readonly members = new Set<string>();
  private readonly counts = new Map<string, RepCounts>();

  private constructor(private readonly day: string) {}

  /** Reads the facts of `items`, in the caller's transaction. */
  static async read(db: Db, tenantId: string, day: string, items: FactsItem[]): Promise<OwnershipFacts> {
    return OwnershipFacts.of(await readOwnershipFacts(db, tenantId, day, items), items, day);
  }

  /**
   * The facts of a customer `userId` is about to create in `poolId` (in the caller's transaction): the pool, the creator
   * as a receiver and their counts there, under the same lock a claim of theirs in that pool takes.
   */
  static async readCreation(db: Db, tenantId: string, day: string, userId: string, poolId: number): Promise<OwnershipFacts> {
    return OwnershipFacts.of(await readCreationFacts(db, tenantId, day, userId, poolId), [{ customerId: -1, userId }], day);
  }

  private static of(rows: FactRows, items: FactsItem[], day: string): OwnershipFacts {
    const facts = new OwnershipFacts(day);
    for (const r of rows.users) facts.users.set(String(r.id), { name: String(r.name ?? ''), active: Number(r.active) === 1 });
    for (const r of rows.customers) {
      const row = { ...(r as unknown as CustomerRow), id: Number(r.id), pool_id: Number(r.pool_id) };
      facts.customers.set(row.id, row);
      facts.states.set(row.id, stateOf(row));
    }
    for (const r of rows.pools) facts.pools.set(Number(r.id), toPool(r as unknown as Selectable<PoolsTable>));
    for (const r of rows.members) facts.members.add(key(String(r.user_id), Number(r.pool_id)));
    const claims = new Map(rows.counters.map((r) => [key(String(r.user_id), Number(r.pool_id)), Number(r.claims)]));
    const holdings = new Map<string, Holding>();
    for (const r of rows.holdings) {
      const k = key(String(r.owner_id), Number(r.pool_id));
      const h = holdings.get(k) ?? { all: 0, open: 0, levels: new Map() };
      const n = Number(r.n);
      const open = Number(r.open);
      h.all += n;
      h.open += open;
      const atLevel = h.levels.get(String(r.level)) ?? { all: 0, open: 0 };
      h.levels.set(String(r.level), { all: atLevel.all + n, open: atLevel.open + open });
      holdings.set(k, h);
    }
    // Counts as the pool's cap reads them, for every receiver in every pool the batch touches.
    for (const item of items) {
      if (item.userId === null) continue;
      for (const pool of facts.pools.values()) {
        const k = key(item.userId, pool.id);
        if (facts.counts.has(k)) continue;
        const h = holdings.get(k);
        const counted = (x: { all: number; open: number } | undefined) => (x ? (pool.capExcludesWon ? x.open : x.all) : 0);
        const ownedByLevel: Record<string, number> = {};
        for (const [level, x] of h?.levels ?? []) ownedByLevel[level] = counted(x);
        facts.counts.set(k, { owned: counted(h), ownedByLevel, claimsToday: claims.get(k) ?? 0, day });
      }
    }
    return facts;
  }

  /** The customer row as the batch has it now, or undefined when it does not exist (in this tenant). */
  row(customerId: number): CustomerRow | undefined {
    return this.customers.get(customerId);
  }

  state(customerId: number): CustomerState | null {
    return this.states.get(customerId) ?? null;
  }

  pool(poolId: number): Pool | null {
    return this.pools.get(poolId) ?? null;
  }

  /** A receiver as the rules see them: active (read under the shared lock) and a member of `poolId`. */
  party(userId: string, poolId: number): Party {
    const user = this.users.get(userId);
    return { id: userId, name: user?.name ?? userId, active: user?.active ?? false, member: this.members.has(key(userId, poolId)) };
  }

  countsOf(userId: string, poolId: number): RepCounts {
    return this.counts.get(key(userId, poolId)) ?? { owned: 0, ownedByLevel: {}, claimsToday: 0, day: this.day };
  }

  /** Applies a grant to the facts: the customer moves, the receiver's and the giver's counts follow. */
  granted(customerId: number, grant: Grant, now: number): void {
    const before = this.states.get(customerId) ?? null;
    this.states.set(customerId, customerAfter(before, grant));
    const row = this.customers.get(customerId);
    if (row) {
      const toPool = grant.toUserId === null;
      const keepsOwner = grant.fromUserId !== null && grant.toUserId === grant.fromUserId;
      this.customers.set(customerId, {
        ...row,
        status: toPool ? 'pool' : 'owned',
        owner_id: grant.toUserId,
        pool_id: grant.toPoolId,
        owned_since: toPool ? null : keepsOwner ? row.owned_since : now,
        pool_entered_at: toPool ? now : null,
        updated_at: now,
        reserved_by_assignment_id: null,
      });
    }
    for (const userId of [grant.toUserId, grant.fromUserId]) {
      if (userId === null) continue;
      for (const poolId of new Set([grant.toPoolId, grant.fromPoolId])) {
        const pool = this.pools.get(poolId);
        if (pool) this.counts.set(key(userId, poolId), applyGrant(this.countsOf(userId, poolId), grant, userId, pool));
      }
    }
  }
}
