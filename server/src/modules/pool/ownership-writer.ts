import { sql, type ExpressionBuilder } from 'kysely';
import { isMysql, type Db } from '../../db/create-db';
import type { Database } from '../../db/database';
import type { Grant } from './ownership-rules';
import type { OwnershipEventType } from './pool.table';

/** What the customer must look like for the change to apply; checked by the same UPDATE that applies it. */
export type OwnershipExpectation =
  | { status: 'pool'; allowReservation?: number }
  | { status: 'owned'; ownerId: string; allowReservation?: number };

/** One granted change of hands (the decision is ownership-rules.ts's; this module only writes it). */
export interface OwnershipChange {
  tenantId: string;
  customerId: number;
  type: OwnershipEventType;
  expect: OwnershipExpectation;
  /** The new owner, or null to put the customer in a pool. */
  toUserId: string | null;
  /** The pool the customer belongs to afterwards. */
  toPoolId: number;
  fromPoolId: number | null;
  actorId: string | null;
  reason?: string | null;
  ruleId?: number | null;
  ruleVersion?: number | null;
  evidence?: unknown;
  /** When the customer goes back to a pool: the prior owner may not claim it again before this instant. */
  priorOwnerBlockedUntil?: number | null;
  /** A claim counts against the new owner's daily quota of this tenant-local day (`claim_counters`). */
  quotaDay?: string;
  /** The customer row ceases to exist (merged into another): the ledger row takes it to no pool. */
  gone?: boolean;
  now: number;
}

/**
 * The change a grant of the one decision (ownership-rules.ts) writes: the update expects the owner the decision saw,
 * and the ledger row carries the grant's actor, reason and evidence unless the caller's `ledger` says more (its evidence
 * is merged under the grant's).
 */
export function changeOf(
  tenantId: string,
  customerId: number,
  grant: Grant,
  now: number,
  ledger: { actorId?: string; reason?: string | null; evidence?: Record<string, unknown> } = {},
): OwnershipChange {
  const allowReservation = grant.allowReservation ?? undefined;
  return {
    tenantId,
    customerId,
    type: grant.type,
    expect: grant.fromUserId === null ? { status: 'pool', allowReservation } : { status: 'owned', ownerId: grant.fromUserId, allowReservation },
    toUserId: grant.toUserId,
    fromPoolId: grant.fromPoolId,
    toPoolId: grant.toPoolId,
    actorId: ledger.actorId ?? grant.actorId,
    reason: ledger.reason ?? grant.reason,
    evidence: grant.evidence || ledger.evidence ? { ...ledger.evidence, ...grant.evidence } : undefined,
    priorOwnerBlockedUntil: grant.priorOwnerBlockedUntil,
    quotaDay: grant.quotaDay ?? undefined,
    now,
  };
}

/** A customer row created straight into someone's hands (or a pool): only its ledger row is written here. */
export interface CreationChange {
  tenantId: string;
  customerId: number;
  toUserId: string | null;
  toPoolId: number;
  actorId: string | null;
  reason?: string | null;
  evidence?: unknown;
  now: number;
}

/** The one shape of a ledger row (`ownership_events`), whoever writes it. */
function ledgerRow(c: OwnershipChange) {
  return {
    tenant_id: c.tenantId,
    customer_id: c.customerId,
    type: c.type,
    from_user_id: c.expect.status === 'owned' ? c.expect.ownerId : null,
    to_user_id: c.toUserId,
    from_pool_id: c.fromPoolId,
    to_pool_id: c.gone ? null : c.toPoolId,
    actor_id: c.actorId,
    reason: c.reason ?? null,
    rule_id: c.ruleId ?? null,
    rule_version: c.ruleVersion ?? null,
    evidence: c.evidence === undefined ? null : JSON.stringify(c.evidence),
    at: c.now,
  };
}

/** The one INSERT of the ledger: one row per change, every row built by `ledgerRow`. */
async function insertLedgerRows(db: Db, changes: OwnershipChange[]): Promise<void> {
  if (changes.length > 0) await db.insertInto('ownership_events').values(changes.map(ledgerRow)).execute();
}

/** The conditional UPDATE of one change: affects the row only while the customer still matches `expect`. */
function updateOf(trx: Db, change: OwnershipChange) {
  const { expect } = change;
  const fromUserId = expect.status === 'owned' ? expect.ownerId : null;
  const toPool = change.toUserId === null;
  // The owner keeps the customer (its pool was archived): only the pool changes; owned_since, which the reclaim rules
  // count from, stands.
  const keepsOwner = fromUserId !== null && change.toUserId === fromUserId;
  let update = trx
    .updateTable('customers')
    .set(
      keepsOwner
        ? { pool_id: change.toPoolId, updated_at: change.now }
        : {
            status: toPool ? 'pool' : 'owned',
            owner_id: change.toUserId,
            pool_id: change.toPoolId,
            owned_since: toPool ? null : change.now,
            pool_entered_at: toPool ? change.now : null,
            updated_at: change.now,
            reserved_by_assignment_id: null,
            ...(toPool && fromUserId ? { prior_owner_id: fromUserId, prior_owner_blocked_until: change.priorOwnerBlockedUntil ?? null } : {}),
          },
    )
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', change.customerId)
    .where('status', '=', expect.status);
  update = fromUserId === null ? update.where('owner_id', 'is', null) : update.where('owner_id', '=', fromUserId);
  return expect.allowReservation === undefined
    ? update.where('reserved_by_assignment_id', 'is', null)
    : update.where((eb) => eb.or([eb('reserved_by_assignment_id', 'is', null), eb('reserved_by_assignment_id', '=', expect.allowReservation!)]));
}

/** A change that takes a free, unreserved pool customer into someone's hands (what every claim is). */
const isPlainTake = (c: OwnershipChange) => c.expect.status === 'pool' && c.expect.allowReservation === undefined && c.toUserId !== null;

/**
 * The conditional UPDATE of several plain takes of one tenant as one statement: the same conditions as `updateOf`, with
 * the new owner, pool and instant chosen per row by its id. The caller compares the affected rows with the count.
 */
function takeAllUpdate(trx: Db, changes: OwnershipChange[]) {
  // CASE id WHEN … THEN … ELSE <the column> END: a row the list does not name (none: the WHERE is the same list) keeps its value.
  const perRow = <C extends 'owner_id' | 'pool_id' | 'owned_since' | 'updated_at'>(
    eb: ExpressionBuilder<Database, 'customers'>,
    column: C,
    value: (c: OwnershipChange) => NonNullable<Database['customers'][C]> & (string | number),
  ) => {
    let expr = eb.case('id').when(changes[0]!.customerId).then(value(changes[0]!));
    for (const c of changes.slice(1)) expr = expr.when(c.customerId).then(value(c));
    return expr.else(eb.ref(column)).end();
  };
  return trx
    .updateTable('customers')
    .set((eb) => ({
      status: 'owned' as const,
      owner_id: perRow(eb, 'owner_id', (c) => c.toUserId!),
      pool_id: perRow(eb, 'pool_id', (c) => c.toPoolId),
      owned_since: perRow(eb, 'owned_since', (c) => c.now),
      pool_entered_at: null,
      updated_at: perRow(eb, 'updated_at', (c) => c.now),
      reserved_by_assignment_id: null,
    }))
    .where('tenant_id', '=', changes[0]!.tenantId)
    .where(
      'id',
      'in',
      changes.map((c) => c.customerId),
    )
    .where('status', '=', 'pool')
    .where('owner_id', 'is', null)
    .where('reserved_by_assignment_id', 'is', null);
}

/** The quota counter increments of the applied claims, one upsert per rep, pool and day. */
async function countClaims(trx: Db, applied: OwnershipChange[]): Promise<void> {
  const counts = new Map<string, { tenant_id: string; user_id: string; pool_id: number; day: string; claims: number }>();
  for (const c of applied) {
    if (c.quotaDay === undefined || c.toUserId === null) continue;
    const key = `${c.toUserId}\u0000${c.toPoolId}\u0000${c.quotaDay}`;
    const row = counts.get(key) ?? { tenant_id: c.tenantId, user_id: c.toUserId, pool_id: c.toPoolId, day: c.quotaDay, claims: 0 };
    row.claims++;
    counts.set(key, row);
  }
  if (counts.size === 0) return;
  const insert = trx.insertInto('claim_counters').values([...counts.values()]);
  await (isMysql(trx)
    ? insert.onDuplicateKeyUpdate({ claims: sql<number>`claims + values(claims)` })
    : insert.onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'pool_id', 'day']).doUpdateSet({ claims: sql<number>`claim_counters.claims + excluded.claims` }))
  ).execute();
}

/**
 * The single writer of ownership (DESIGN §3 invariant 2): applies granted changes inside the caller's transaction —
 * each a conditional UPDATE of the customer row (status, owner and reservation re-checked by the statement, so of two
 * racing writers exactly one wins), then exactly one ledger row per applied change, then the quota counters of the
 * applied claims. A single change is a list of one. Returns, per change, whether it applied; one that found the customer
 * changed writes nothing. `mustApply` (for callers that locked and re-checked the rows first) turns any such miss into an
 * error, so the caller's transaction rolls back instead of committing half a batch.
 */
export async function applyOwnershipChanges(trx: Db, changes: OwnershipChange[], options: { mustApply?: boolean } = {}): Promise<boolean[]> {
  const applied: boolean[] = [];
  if (options.mustApply && changes.length > 1 && changes.every(isPlainTake)) {
    // Locked rows all taken from the pool (a claim batch): one UPDATE for all of them, checked by its row count below.
    const result = await takeAllUpdate(trx, changes).executeTakeFirst();
    const updated = Number(result.numUpdatedRows);
    changes.forEach(() => applied.push(updated === changes.length));
  } else {
    for (const change of changes) {
      const result = await updateOf(trx, change).executeTakeFirst();
      applied.push(Number(result.numUpdatedRows) === 1);
    }
  }
  const done = changes.filter((_, i) => applied[i]);
  if (options.mustApply && done.length !== changes.length) {
    throw new Error(`ownership writer changed ${done.length} of ${changes.length} locked customers`);
  }
  await insertLedgerRows(trx, done);
  await countClaims(trx, done);
  return applied;
}

/** One change, applied or not (see applyOwnershipChanges). */
export async function applyOwnershipChange(trx: Db, change: OwnershipChange): Promise<boolean> {
  const [applied] = await applyOwnershipChanges(trx, [change]);
  return applied!;
}

/** The ledger row of customers created into someone's hands or a pool (`created`), in the creating transaction. */
export async function recordCreations(trx: Db, created: CreationChange[]): Promise<void> {
  await insertLedgerRows(trx, created.map((c) => ({ ...c, type: 'created', expect: { status: 'pool' }, fromPoolId: null })));
}

/** Where a record of a merge stood: its owner (null in a pool) and pool. */
export interface MergeSide {
  ownerId: string | null;
  poolId: number;
}

/**
 * The ledger rows of a merge, on the survivor (the caller moved the merged record's rows to it and deletes its row):
 * first the merged record leaving its owner or pool for nowhere, then the survivor staying where it was, so the ledger
 * still replays to the survivor's owner and pool, and the stock it replays loses exactly the merged record.
 */
export async function recordMerge(
  trx: Db,
  m: { tenantId: string; survivorId: number; merged: MergeSide; survivor: MergeSide; actorId: string; reason: string; evidence: unknown; now: number },
): Promise<void> {
  const side = (s: MergeSide): OwnershipExpectation => (s.ownerId === null ? { status: 'pool' } : { status: 'owned', ownerId: s.ownerId });
  const row = { tenantId: m.tenantId, customerId: m.survivorId, type: 'merged' as const, actorId: m.actorId, reason: m.reason, evidence: m.evidence, now: m.now };
  await insertLedgerRows(trx, [
    { ...row, expect: side(m.merged), toUserId: null, fromPoolId: m.merged.poolId, toPoolId: m.merged.poolId, gone: true },
    { ...row, expect: side(m.survivor), toUserId: m.survivor.ownerId, fromPoolId: m.survivor.poolId, toPoolId: m.survivor.poolId },
  ]);
}

/** A change of hands that happened before its customer rows were written as they are now (the demo's history). */
export interface PastChange {
  tenantId: string;
  customerId: number;
  type: OwnershipEventType;
  fromUserId: string | null;
  toUserId: string | null;
  fromPoolId: number | null;
  toPoolId: number;
  actorId: string | null;
  reason: string | null;
  at: number;
}

/** The ledger rows of past changes, as they happened, in the one row shape; the caller writes the customer rows. */
export async function recordHistory(db: Db, past: PastChange[]): Promise<void> {
  await insertLedgerRows(db, past.map((c) => ({ ...c, expect: c.fromUserId === null ? { status: 'pool' } : { status: 'owned', ownerId: c.fromUserId }, now: c.at })));
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
 * The set-based form of the writer for the reclaim sweep (DESIGN §4.3): one conditional UPDATE for a page of customers
 * the caller has locked and re-checked, re-checking the due condition once more in the statement (`stillDue`), then
 * exactly one ledger row each, in the same row shape as every other change. Throws when the UPDATE did not change
 * exactly those rows — the caller's transaction then rolls back and nothing is half-done.
 */
export async function applySweepPage(
  trx: Db,
  page: {
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
  const { changes } = page;
  if (changes.length === 0) return;
  const reclaim = page.type === 'reclaimed';
  const result = await trx
    .updateTable('customers')
    .set((eb) => ({
      // First: MySQL assigns left to right, so prior_owner_id must read owner_id before it is cleared.
      ...(reclaim ? { prior_owner_id: eb.ref('owner_id'), prior_owner_blocked_until: page.priorOwnerBlockedUntil } : {}),
      status: 'pool' as const,
      owner_id: null,
      pool_id: page.toPoolId,
      owned_since: null,
      pool_entered_at: page.now,
      updated_at: page.now,
    }))
    .where('tenant_id', '=', page.tenantId)
    .where(
      'id',
      'in',
      changes.map((c) => c.customerId),
    )
    .where('status', '=', reclaim ? 'owned' : 'pool')
    .where(page.stillDue)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== changes.length) {
    throw new Error(`ownership batch changed ${result.numUpdatedRows} of ${changes.length} locked customers`);
  }
  await insertLedgerRows(
    trx,
    changes.map((c) => ({
      tenantId: page.tenantId,
      customerId: c.customerId,
      type: page.type,
      expect: c.fromUserId === null ? { status: 'pool' } : { status: 'owned', ownerId: c.fromUserId },
      toUserId: null,
      fromPoolId: c.fromPoolId,
      toPoolId: page.toPoolId,
      actorId: null,
      reason: c.reason,
      ruleId: page.ruleId,
      ruleVersion: page.ruleVersion,
      evidence: c.evidence,
      now: page.now,
    })),
  );
}
