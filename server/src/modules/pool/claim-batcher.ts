import { CompiledQuery, sql, type Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { GroupCommit, retryLockConflicts } from '../../db/group-commit';
import type { CustomersTable } from '../customers/customers.table';
import { claimWrites, type ClaimWin } from './ownership.service';
import type { Pool } from './pool';
import { toPool } from './pool.repository';
import type { PoolsTable } from './pool.table';

/** One claim as a batch sees it. */
export interface BatchClaim {
  tenantId: string;
  customerId: number;
  userId: string;
  now: number;
  /** The tenant-local calendar day the daily quota counts; a batch holds claims of one tenant and one day. */
  day: string;
  evidence?: unknown;
}

export interface ClaimContext {
  customer: Selectable<CustomersTable>;
  pool: Pool;
  /** The claiming rep is a member of the pool. */
  member: boolean;
}

/** What the batch decided for one claim. */
export interface BatchClaimResult {
  /** The customer as the batch left it when this claim's turn came (earlier claims of the batch applied), or undefined. */
  context: ClaimContext | undefined;
  /** The rep is an active user, read under a shared lock on their user row; an inactive rep's claim is refused. */
  claimantActive: boolean;
  /** The customer was free, the rep a member, and the pool one the batch decides (no claim radius, a positive daily limit). */
  eligible: boolean;
  /** Claims the rep had made in the pool that day before this one, read under the rep's counter lock. */
  claimsToday: number;
  /** Customers the rep owned in the pool before this claim (all, and at the customer's level when it has a level cap). */
  owned: number;
  ownedAtLevel: number;
  /** The customer changed hands, with its ledger row and quota count: committed. */
  claimed: boolean;
}

/** Most claims in one batch (they share one transaction, so one slow batch delays all of them). */
const MAX_BATCH = 64;
/** Batches of a tenant and day running at once, each on its own connection; claims arriving meanwhile wait for the next. */
const MAX_IN_FLIGHT = 2;

const key = (userId: string, poolId: number) => `${userId}\u0000${poolId}`;
const marks = (n: number) => new Array<string>(n).fill('?').join(', ');

/** How much of a rep's holding in a pool counts towards the cap, in total and per level. */
interface Holding {
  all: number;
  open: number;
  levels: Map<string, { all: number; open: number }>;
}

/**
 * The reads of a batch, sent as one round trip: the claiming reps' active flags under a shared lock (marking one left
 * waits for the batch to commit, and the departure then finds what the batch gave them), the customers locked
 * (ascending id, as InnoDB walks the IN list), their pools and the reps' memberships, then the counter row of every
 * member rep in the customer's pool for the day upserted (so locked, in key order) and read, and what the reps own, read
 * under those locks. Lock order as everywhere: user rows, then customer rows, then counter rows, so batches and single
 * claims cannot deadlock each other.
 */
function readStatements(tenantId: string, day: string, claims: BatchClaim[]): CompiledQuery {
  const ids = [...new Set(claims.map((c) => c.customerId))];
  const users = [...new Set(claims.map((c) => c.userId))];
  const pairs = claims.map(() => '(?, ?)').join(', ');
  const text = [
    'start transaction',
    `select id, active from users where tenant_id = ? and id in (${marks(users.length)}) lock in share mode`,
    `select * from customers where tenant_id = ? and id in (${marks(ids.length)}) for update`,
    `select * from pools where tenant_id = ? and id in (select pool_id from customers where tenant_id = ? and id in (${marks(ids.length)}))`,
    `select pool_id, user_id from pool_members where tenant_id = ? and user_id in (${marks(users.length)})`,
    `insert into claim_counters (tenant_id, user_id, pool_id, day, claims)
       select c.tenant_id, pm.user_id, c.pool_id, ?, 0
       from customers c inner join pool_members pm on pm.tenant_id = c.tenant_id and pm.pool_id = c.pool_id
       where c.tenant_id = ? and c.id in (${marks(ids.length)}) and pm.user_id in (${marks(users.length)}) and (c.id, pm.user_id) in (${pairs})
       order by pm.user_id, c.pool_id
     on duplicate key update claims = claims`,
    `select user_id, pool_id, claims from claim_counters where tenant_id = ? and user_id in (${marks(users.length)}) and day = ?`,
    `select owner_id, pool_id, level, count(*) as n, coalesce(sum(last_deal_won_at is null), 0) as open
     from customers where tenant_id = ? and owner_id in (${marks(users.length)}) group by owner_id, pool_id, level`,
  ].join(';\n');
  const parameters = [
    ...[tenantId, ...users],
    ...[tenantId, ...ids],
    ...[tenantId, tenantId, ...ids],
    ...[tenantId, ...users],
    ...[day, tenantId, ...ids, ...users, ...claims.flatMap((c) => [c.customerId, c.userId])],
    ...[tenantId, ...users, day],
    ...[tenantId, ...users],
  ];
  return CompiledQuery.raw(text, parameters);
}

/** Decides the claims of a batch in arrival order from what its reads returned, as if they had run one after another. */
function decide(claims: BatchClaim[], results: unknown[]): { results: BatchClaimResult[]; wins: ClaimWin[] } {
  const [, userRows, customerRows, poolRows, memberRows, , counterRows, holdingRows] = results as Record<string, any>[][];
  const active = new Set(userRows!.filter((r) => Number(r.active) === 1).map((r) => r.id as string));
  const customers = new Map(customerRows!.map((r) => [Number(r.id), r as Selectable<CustomersTable>]));
  const pools = new Map(poolRows!.map((r) => [Number(r.id), toPool(r as Selectable<PoolsTable>)]));
  const members = new Set(memberRows!.map((r) => key(r.user_id, Number(r.pool_id))));
  const counters = new Map(counterRows!.map((r) => [key(r.user_id, Number(r.pool_id)), Number(r.claims)]));
  const holdings = new Map<string, Holding>();
  for (const r of holdingRows!) {
    const k = key(r.owner_id, Number(r.pool_id));
    const h = holdings.get(k) ?? { all: 0, open: 0, levels: new Map() };
    const n = Number(r.n);
    const open = Number(r.open);
    h.all += n;
    h.open += open;
    const atLevel = h.levels.get(r.level) ?? { all: 0, open: 0 };
    atLevel.all += n;
    atLevel.open += open;
    h.levels.set(r.level, atLevel);
    holdings.set(k, h);
  }
  const wins: ClaimWin[] = [];
  const decided = claims.map((c): BatchClaimResult => {
    const row = customers.get(c.customerId);
    const pool = row && pools.get(row.pool_id);
    const none = { claimantActive: true, eligible: false, claimsToday: 0, owned: 0, ownedAtLevel: 0, claimed: false };
    if (!active.has(c.userId)) return { context: undefined, ...none, claimantActive: false };
    if (!row || !pool) return { context: undefined, ...none };
    const member = members.has(key(c.userId, pool.id));
    const context = { customer: row, pool, member };
    const cooling = row.prior_owner_id === c.userId && (row.prior_owner_blocked_until ?? 0) > c.now;
    const free = row.status === 'pool' && row.owner_id === null && row.reserved_by_assignment_id === null && !cooling;
    if (!(free && member && pool.claimRadiusM === null && pool.dailyClaimLimit > 0)) return { context, ...none };
    const k = key(c.userId, pool.id);
    const claimsToday = counters.get(k) ?? 0;
    const holding = holdings.get(k) ?? { all: 0, open: 0, levels: new Map() };
    const counted = (h: { all: number; open: number } | undefined) => (h ? (pool.capExcludesWon ? h.open : h.all) : 0);
    const owned = counted(holding);
    const levelCap = pool.maxOwnedPerLevel[row.level];
    const ownedAtLevel = levelCap === undefined ? 0 : counted(holding.levels.get(row.level));
    const result = { context, claimantActive: true, eligible: true, claimsToday, owned, ownedAtLevel, claimed: false };
    if (claimsToday >= pool.dailyClaimLimit || owned >= pool.maxOwnedPerRep || (levelCap !== undefined && ownedAtLevel >= levelCap)) return result;

    // The claim wins: later claims of the batch see the customer owned and the rep's counts one higher.
    counters.set(k, claimsToday + 1);
    const open = row.last_deal_won_at === null ? 1 : 0;
    const atLevel = holding.levels.get(row.level) ?? { all: 0, open: 0 };
    holding.levels.set(row.level, { all: atLevel.all + 1, open: atLevel.open + open });
    holdings.set(k, { ...holding, all: holding.all + 1, open: holding.open + open });
    const claimed = { ...row, status: 'owned' as const, owner_id: c.userId, owned_since: c.now, pool_entered_at: null, updated_at: c.now, reserved_by_assignment_id: null };
    customers.set(c.customerId, claimed);
    wins.push({ customerId: c.customerId, userId: c.userId, poolId: pool.id, day: c.day, evidence: c.evidence, now: c.now });
    return { ...result, context: { ...context, customer: claimed }, claimed: true };
  });
  return { results: decided, wins };
}

/** The won claims added to the reps' quota counters (rows the batch's read created and locked). */
function counterIncrements(tenantId: string, wins: ClaimWin[]): { sql: string; parameters: unknown[] } {
  const counts = new Map<string, { userId: string; poolId: number; day: string; n: number }>();
  for (const w of wins) {
    const k = key(w.userId, w.poolId);
    const c = counts.get(k) ?? { userId: w.userId, poolId: w.poolId, day: w.day, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  const rows = [...counts.values()];
  return {
    sql: `insert into claim_counters (tenant_id, user_id, pool_id, day, claims) values ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}
      on duplicate key update claims = claims + values(claims)`,
    parameters: rows.flatMap((r) => [tenantId, r.userId, r.poolId, r.day, r.n]),
  };
}

/**
 * Claims on MySQL/MariaDB, decided and committed together: one transaction and two round trips for every claim
 * waiting when a connection is free (DESIGN §4.1, under the same locks as a single claim). Under a storm the commit,
 * the statement starts and the packet parsing are shared by dozens of claims instead of paid by each; alone, a claim
 * runs at once in a batch of one. All claims of a batch are of one tenant and one quota day.
 */
export async function runClaimBatch(db: Db, claims: BatchClaim[]): Promise<BatchClaimResult[]> {
  const { tenantId, day } = claims[0]!;
  if (claims.some((c) => c.tenantId !== tenantId || c.day !== day)) throw new Error('a claim batch holds one tenant and one day');
  return db.connection().execute((conn) =>
    retryLockConflicts(conn, async () => {
      const reads = (await conn.executeQuery(readStatements(tenantId, day, claims))).rows as unknown[];
      const { results, wins } = decide(claims, reads);
      if (wins.length === 0) {
        await sql.raw('commit').execute(conn);
        return results;
      }
      const writes = claimWrites(tenantId, wins);
      const counted = counterIncrements(tenantId, wins);
      const text = `${writes.sql};\n${counted.sql};\ncommit`;
      const done = (await conn.executeQuery(CompiledQuery.raw(text, [...writes.parameters, ...counted.parameters]))).rows as unknown[];
      const updated = Number((done[0] as { affectedRows?: number }).affectedRows);
      // Cannot happen while the rows stay locked from the read; if it ever did, the ledger would disagree: say so loudly.
      if (updated !== wins.length) throw new Error(`claim batch changed ${updated} of ${wins.length} locked customers`);
      return results;
    }),
  );
}

const batchers = new WeakMap<Db, GroupCommit<BatchClaim, BatchClaimResult>>();

/**
 * The claim batches of a database handle (one per handle, so per process): claims of one tenant and quota day that
 * arrive together, or while two batches of theirs are running, are decided together.
 */
export function claimBatcher(db: Db): GroupCommit<BatchClaim, BatchClaimResult> {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new GroupCommit({
      keyOf: (c) => `${c.tenantId}\u0000${c.day}`,
      maxInFlight: MAX_IN_FLIGHT,
      maxBatch: MAX_BATCH,
      run: (claims) => runClaimBatch(db, claims),
    });
    batchers.set(db, batcher);
  }
  return batcher;
}
