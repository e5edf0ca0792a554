import { sql, type CompiledQuery } from 'kysely';
import type { Db } from '../../db/create-db';
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

/** A claim a batch decided to grant (claim-batcher.ts). */
export interface ClaimWin {
  customerId: number;
  userId: string;
  poolId: number;
  /** The tenant-local day of the rep's quota counter. */
  day: string;
  evidence?: unknown;
  now: number;
}

/**
 * The ownership writes of a claim batch, as statements to send in its transaction: one UPDATE giving every won
 * customer to its rep (the pool state re-checked in the statement; the caller compares the affected rows), then
 * exactly one ledger row each. The customers must be locked and re-checked by the caller in the same transaction.
 */
export function claimWrites(tenantId: string, wins: ClaimWin[]): { sql: string; parameters: unknown[] } {
  const cases = wins.map(() => 'when ? then ?').join(' ');
  const ids = wins.map((w) => w.customerId);
  const byId = (value: (w: ClaimWin) => unknown) => wins.flatMap((w) => [w.customerId, value(w)]);
  const update = `update customers set status = 'owned', owner_id = case id ${cases} end, owned_since = case id ${cases} end,
      pool_entered_at = null, updated_at = case id ${cases} end, reserved_by_assignment_id = null
    where tenant_id = ? and id in (${ids.map(() => '?').join(', ')}) and status = 'pool' and owner_id is null and reserved_by_assignment_id is null`;
  const ledger = `insert into ownership_events (tenant_id, customer_id, type, from_user_id, to_user_id, from_pool_id, to_pool_id, actor_id, reason, rule_id, rule_version, evidence, at)
    values ${wins.map(() => "(?, ?, 'claimed', null, ?, ?, ?, ?, null, null, null, ?, ?)").join(', ')}`;
  return {
    sql: `${update};\n${ledger}`,
    parameters: [
      ...byId((w) => w.userId),
      ...byId((w) => w.now),
      ...byId((w) => w.now),
      tenantId,
      ...ids,
      ...wins.flatMap((w) => [tenantId, w.customerId, w.userId, w.poolId, w.poolId, w.userId, w.evidence === undefined ? null : JSON.stringify(w.evidence), w.now]),
    ],
  };
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
