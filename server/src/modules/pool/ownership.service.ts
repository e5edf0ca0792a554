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

/**
 * The single place that changes who owns a customer (DESIGN §3 invariant 2). It applies the change with one
 * conditional UPDATE (status, owner and reservation re-checked in the statement, so of two racing writers exactly one
 * wins) and, only if that UPDATE took effect, appends exactly one ledger row. Call it inside a transaction.
 * Returns false, writing nothing, when the customer no longer matches `expect`.
 */
export async function changeOwnership(trx: Db, change: OwnershipChange): Promise<boolean> {
  const { expect } = change;
  const fromUserId = expect.status === 'owned' ? expect.ownerId : null;
  const toPool = change.toUserId === null;
  let update = trx
    .updateTable('customers')
    .set({
      status: toPool ? 'pool' : 'owned',
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
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await appendLedger(trx, { ...change, fromUserId });
  return true;
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
