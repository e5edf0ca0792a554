import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../db/create-db';
import { claimContextSql } from './pool.repository';
import type { OwnershipEventType } from './pool.table';

/** What the customer must look like for the change to apply; checked by the same UPDATE that applies it. */
export type OwnershipExpectation =
  | { status: 'pool'; allowReservation?: number }
  | { status: 'owned'; ownerId: string; allowReservation?: number };

export interface OwnershipChange {
  tenantId: string;
  customerId: number;
  type: OwnershipEventType;
  expect: OwnershipExpectation;
  /** The new owner, or null to put the customer in a pool. */
  toUserId: string | null;
  /** The pool the customer belongs to afterwards. */
  toPoolId: number;
  fromPoolId: number;
  actorId: string | null;
  reason?: string | null;
  ruleId?: number | null;
  ruleVersion?: number | null;
  evidence?: unknown;
  /** When the customer goes back to a pool: the prior owner may not claim it again before this instant. */
  priorOwnerBlockedUntil?: number | null;
  now: number;
}

interface OwnershipWrites {
  /** The conditional UPDATE: affects one row when the customer still matches `expect`, none otherwise. */
  update: CompiledQuery;
  /** The ledger row, guarded to insert only when the customer now looks as the update left it. */
  ledger: CompiledQuery;
}

/** The two statements of an ownership change; both paths below send exactly these. */
function ownershipWrites(db: Db, change: OwnershipChange): OwnershipWrites {
  const { expect } = change;
  const fromUserId = expect.status === 'owned' ? expect.ownerId : null;
  const toPool = change.toUserId === null;
  const status = toPool ? ('pool' as const) : ('owned' as const);
  let update = db
    .updateTable('customers')
    .set({
      status,
      owner_id: change.toUserId,
      pool_id: change.toPoolId,
      owned_since: toPool ? null : change.now,
      pool_entered_at: toPool ? change.now : null,
      updated_at: change.now,
      reserved_by_assignment_id: null,
      ...(toPool && fromUserId
        ? { prior_owner_id: fromUserId, prior_owner_blocked_until: change.priorOwnerBlockedUntil ?? null }
        : {}),
    })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', change.customerId)
    .where('status', '=', expect.status);
  update = fromUserId === null ? update.where('owner_id', 'is', null) : update.where('owner_id', '=', fromUserId);
  update =
    expect.allowReservation === undefined
      ? update.where('reserved_by_assignment_id', 'is', null)
      : update.where((eb) =>
          eb.or([
            eb('reserved_by_assignment_id', 'is', null),
            eb('reserved_by_assignment_id', '=', expect.allowReservation!),
          ]),
        );
  const v = <T>(value: T) => sql<T>`${value}`;
  let guard = db
    .selectFrom('customers')
    .select([
      v(change.tenantId).as('tenant_id'),
      v(change.customerId).as('customer_id'),
      v(change.type).as('type'),
      v(fromUserId).as('from_user_id'),
      v(change.toUserId).as('to_user_id'),
      v(change.fromPoolId).as('from_pool_id'),
      v(change.toPoolId).as('to_pool_id'),
      v(change.actorId).as('actor_id'),
      v(change.reason ?? null).as('reason'),
      v(change.ruleId ?? null).as('rule_id'),
      v(change.ruleVersion ?? null).as('rule_version'),
      v(change.evidence === undefined ? null : JSON.stringify(change.evidence)).as('evidence'),
      v(change.now).as('at'),
    ])
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', change.customerId)
    .where('status', '=', status)
    .where('updated_at', '=', change.now)
    .where('pool_id', '=', change.toPoolId);
  guard = change.toUserId === null ? guard.where('owner_id', 'is', null) : guard.where('owner_id', '=', change.toUserId);
  const ledger = db
    .insertInto('ownership_events')
    .columns(['tenant_id', 'customer_id', 'type', 'from_user_id', 'to_user_id', 'from_pool_id', 'to_pool_id', 'actor_id', 'reason', 'rule_id', 'rule_version', 'evidence', 'at'])
    .expression(guard);
  return { update: update.compile(), ledger: ledger.compile() };
}

/**
 * The single place that changes who owns a customer (DESIGN §3 invariant 2). It applies the change with one
 * conditional UPDATE (status, owner and reservation re-checked in the statement, so of two racing writers exactly one
 * wins) and, only if that UPDATE took effect, appends exactly one ledger row. Call it inside a transaction.
 * Returns false, writing nothing, when the customer no longer matches `expect`.
 */
export async function changeOwnership(trx: Db, change: OwnershipChange): Promise<boolean> {
  const writes = ownershipWrites(trx, change);
  const result = await trx.executeQuery(writes.update);
  if (Number(result.numAffectedRows ?? 0) !== 1) return false;
  await trx.executeQuery(writes.ledger);
  return true;
}

/** What a claim sends besides the customer: who, when, the tenant-local day of the quota, and the ledger evidence. */
export interface OneTripClaim {
  tenantId: string;
  customerId: number;
  userId: string;
  now: number;
  /** The tenant-local calendar day the daily quota counts. */
  day: string;
  evidence?: unknown;
}

/** What the database decided, with the customer and its pool as they were under the lock (after the change if any). */
export interface OneTripClaimResult {
  /** The customer joined with its pool (columns of `claimContextSql`), or undefined when there is no such customer. */
  row: Record<string, unknown> | undefined;
  /** The customer was free, the rep a member, the pool without a claim radius and with a positive daily limit. */
  eligible: boolean;
  /** The quota counter took the claim (0 when the daily limit was reached). */
  slotTaken: boolean;
  /** Customers the rep owned in the pool before this claim (all, and at the customer's level), counted under the lock. */
  owned: number;
  ownedAtLevel: number;
  /** The customer changed hands and the ledger row is written: committed. */
  claimed: boolean;
}

/**
 * The statements of claimInOneRoundTrip, with the parameters each takes in brackets. MariaDB spends about as long
 * starting a statement as running a small one, so they are few: aggregates make every `select … into` yield exactly
 * one row (NULLs for a missing customer or pool), so no variable keeps a value from an earlier claim on the connection.
 */
export const ONE_TRIP_CLAIM_SQL = [
  'start transaction',
  // [userId, now, tenantId, customerId] Locks the customer row, and only it.
  `select max(pool_id), max(level),
     coalesce(max(status = 'pool' and owner_id is null and reserved_by_assignment_id is null
       and not (prior_owner_id <=> ? and coalesce(prior_owner_blocked_until, 0) > ?)), 0)
   into @pool, @level, @free
   from customers where tenant_id = ? and id = ? for update`,
  // [userId, tenantId] The pool's limits (read without a lock), and whether the fast path decides this claim.
  `select max(p.daily_claim_limit), max(p.max_owned_per_rep), max(p.cap_excludes_won),
     max(cast(json_extract(p.max_owned_per_level, concat('$.', json_quote(@level))) as signed)),
     coalesce(max(@free and pm.user_id is not null and p.claim_radius_m is null and p.daily_claim_limit > 0), 0)
   into @limit, @cap, @excl_won, @level_cap, @go
   from pools p left join pool_members pm on pm.tenant_id = p.tenant_id and pm.pool_id = p.id and pm.user_id = ?
   where p.tenant_id = ? and p.id = @pool`,
  // [tenantId, userId, day] The quota: 1 inserted, 2 counted, 0 when the limit is reached (FOUND_ROWS is off).
  `insert into claim_counters (tenant_id, user_id, pool_id, day, claims) select ?, ?, @pool, ?, 1 from dual where @go
   on duplicate key update claims = if(claims < @limit, claims + 1, claims)`,
  // [tenantId, userId] The quota's answer, and the cap counted before the change under the rep's counter lock.
  `select if(@go, row_count(), 0), count(*), coalesce(sum(level = @level), 0),
     if(@go, row_count(), 0) > 0 and count(*) < @cap and (@level_cap is null or coalesce(sum(level = @level), 0) < @level_cap)
   into @slot, @owned, @owned_level, @cap_ok
   from customers where tenant_id = ? and owner_id = ? and pool_id = @pool and (@excl_won = 0 or last_deal_won_at is null) and @go`,
  // [tenantId, userId, day] Over the cap: the quota gives the claim back.
  'update claim_counters set claims = claims - 1 where tenant_id = ? and user_id = ? and pool_id = @pool and day = ? and @slot > 0 and not @cap_ok',
  // [userId, now, now, tenantId, customerId]
  `update customers set status = 'owned', owner_id = ?, owned_since = ?, pool_entered_at = null, updated_at = ?, reserved_by_assignment_id = null
   where tenant_id = ? and id = ? and @cap_ok`,
  // [tenantId, customerId, userId, userId, evidence, now] Exactly one ledger row with the change.
  `insert into ownership_events (tenant_id, customer_id, type, from_user_id, to_user_id, from_pool_id, to_pool_id, actor_id, reason, rule_id, rule_version, evidence, at)
   select ?, ?, 'claimed', null, ?, @pool, @pool, ?, null, null, null, ?, ? from dual where @cap_ok`,
  // [userId, tenantId, customerId] The customer and pool as this transaction leaves them, with what was decided.
  claimContextSql('@go as one_trip_go, @slot as one_trip_slot, @owned as one_trip_owned, @owned_level as one_trip_owned_level, @cap_ok as one_trip_cap_ok'),
  'commit',
].join(';\n');

/**
 * A claim on MySQL/MariaDB in a single round trip: every check that needs the locks is made by the database between
 * the statements, through session variables, and the batch always ends with COMMIT because every write in it is
 * conditional on the checks before it. Lock order as everywhere: the customer row, then the rep's counter row.
 * The rep's counter row serialises the cap and quota checks of that rep in that pool (DESIGN §4.1). Customers the fast
 * path cannot decide (a claim radius needs the caller's fix, a daily limit of 0) come back `eligible: false`, untouched.
 * Why one trip: under a storm the event loop is busy, and every extra round trip holds the customer's lock across it.
 */
export async function claimInOneRoundTrip(db: Db, c: OneTripClaim): Promise<OneTripClaimResult> {
  const evidence = c.evidence === undefined ? null : JSON.stringify(c.evidence);
  const parameters = [
    ...[c.userId, c.now, c.tenantId, c.customerId],
    ...[c.userId, c.tenantId],
    ...[c.tenantId, c.userId, c.day],
    ...[c.tenantId, c.userId],
    ...[c.tenantId, c.userId, c.day],
    ...[c.userId, c.now, c.now, c.tenantId, c.customerId],
    ...[c.tenantId, c.customerId, c.userId, c.userId, evidence, c.now],
    ...[c.userId, c.tenantId, c.customerId],
  ];
  return db.connection().execute(async (conn) => {
    let results: unknown[];
    try {
      results = (await conn.executeQuery(CompiledQuery.raw(ONE_TRIP_CLAIM_SQL, parameters))).rows as unknown[];
    } catch (err) {
      // A statement failed (a deadlock, a lock wait timeout): the batch stopped inside the transaction.
      await sql.raw('rollback').execute(conn);
      throw err;
    }
    const found = (results[results.length - 2] as Record<string, unknown>[])[0];
    if (found === undefined) return { row: undefined, eligible: false, slotTaken: false, owned: 0, ownedAtLevel: 0, claimed: false };
    const { one_trip_go, one_trip_slot, one_trip_owned, one_trip_owned_level, one_trip_cap_ok, ...row } = found;
    return {
      row,
      eligible: Number(one_trip_go) === 1,
      slotTaken: Number(one_trip_slot) > 0,
      owned: Number(one_trip_owned),
      ownedAtLevel: Number(one_trip_owned_level),
      claimed: Number(one_trip_cap_ok) === 1,
    };
  });
}

/** Appends one ledger row. Only changeOwnership and customer creation call this. */
export async function appendLedger(
  trx: Db,
  e: Omit<OwnershipChange, 'expect' | 'priorOwnerBlockedUntil' | 'fromPoolId'> & { fromUserId: string | null; fromPoolId: number | null },
): Promise<void> {
  await trx
    .insertInto('ownership_events')
    .values({
      tenant_id: e.tenantId,
      customer_id: e.customerId,
      type: e.type,
      from_user_id: e.fromUserId,
      to_user_id: e.toUserId,
      from_pool_id: e.fromPoolId,
      to_pool_id: e.toPoolId,
      actor_id: e.actorId,
      reason: e.reason ?? null,
      rule_id: e.ruleId ?? null,
      rule_version: e.ruleVersion ?? null,
      evidence: e.evidence === undefined ? null : JSON.stringify(e.evidence),
      at: e.now,
    })
    .execute();
}

/** One customer a sweep takes back (or moves up the pool chain), as it was when locked. */
export interface BatchedChange {
  customerId: number;
  fromUserId: string | null;
  fromPoolId: number;
  reason: string;
  evidence: unknown;
}

/**
 * The set-based form of the ownership change for the sweep (DESIGN §4.3): one conditional UPDATE for a page of
 * customers the caller has locked and re-checked, re-checking the due condition once more in the statement
 * (`stillDue`), then exactly one ledger row each. Throws when the UPDATE did not change exactly those rows — the
 * caller's transaction then rolls back and nothing is half-done. Call inside a transaction.
 */
export async function changeOwnershipInBatch(
  trx: Db,
  batch: {
    tenantId: string;
    type: 'reclaimed' | 'escalated';
    changes: BatchedChange[];
    toPoolId: number;
    ruleId: number | null;
    ruleVersion: number | null;
    /** Reclaims: the prior owner may not claim back before this instant. */
    priorOwnerBlockedUntil: number | null;
    now: number;
    stillDue: (eb: any) => any;
  },
): Promise<void> {
  const { changes } = batch;
  if (changes.length === 0) return;
  const ids = changes.map((c) => c.customerId);
  const reclaim = batch.type === 'reclaimed';
  const result = await trx
    .updateTable('customers')
    .set((eb) => ({
      // First: MySQL assigns left to right, so prior_owner_id must read owner_id before it is cleared.
      ...(reclaim ? { prior_owner_id: eb.ref('owner_id'), prior_owner_blocked_until: batch.priorOwnerBlockedUntil } : {}),
      status: 'pool' as const,
      owner_id: null,
      pool_id: batch.toPoolId,
      owned_since: null,
      pool_entered_at: batch.now,
      updated_at: batch.now,
    }))
    .where('tenant_id', '=', batch.tenantId)
    .where('id', 'in', ids)
    .where('status', '=', reclaim ? 'owned' : 'pool')
    .where(batch.stillDue)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== changes.length) {
    throw new Error(`ownership batch changed ${result.numUpdatedRows} of ${changes.length} locked customers`);
  }
  await trx
    .insertInto('ownership_events')
    .values(
      changes.map((c) => ({
        tenant_id: batch.tenantId,
        customer_id: c.customerId,
        type: batch.type,
        from_user_id: c.fromUserId,
        to_user_id: null,
        from_pool_id: c.fromPoolId,
        to_pool_id: batch.toPoolId,
        actor_id: null,
        reason: c.reason,
        rule_id: batch.ruleId,
        rule_version: batch.ruleVersion,
        evidence: JSON.stringify(c.evidence),
        at: batch.now,
      })),
    )
    .execute();
}
