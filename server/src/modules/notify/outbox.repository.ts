import type { Insertable } from 'kysely';
import { isMysql, type Db } from '../../db/create-db';
import type { OutboxTable } from './outbox.table';

/** Rows per INSERT: well under both dialects' limits on bound parameters. */
const insertChunk = 200;

/**
 * Inserts outbox rows, skipping any whose (tenant, dedupe key) exists — INSERT IGNORE / INSERT OR IGNORE, so a
 * duplicate never aborts the caller's transaction. Returns how many were new. Rows go in dedupe-key order so two
 * transactions writing overlapping keys take their locks in the same order (no deadlock on MySQL).
 */
export async function insertOutboxRows(trx: Db, rows: Insertable<OutboxTable>[]): Promise<number> {
  const sorted = [...rows].sort((a, b) => (a.tenant_id === b.tenant_id ? cmp(a.dedupe_key, b.dedupe_key) : cmp(a.tenant_id, b.tenant_id)));
  let inserted = 0;
  for (let start = 0; start < sorted.length; start += insertChunk) {
    const values = sorted.slice(start, start + insertChunk);
    const query = isMysql(trx) ? trx.insertInto('outbox').ignore() : trx.insertInto('outbox').orIgnore();
    const result = await query.values(values).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pending rows whose time has come, oldest first (any tenant). */
export async function dueOutboxRows(db: Db, now: number, limit: number) {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'tenant_id', 'dedupe_key', 'target', 'message', 'attempts', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), next_attempt_at: Number(r.next_attempt_at) }));
}

/** The version of a pending row a dispatcher saw; its conditional writes succeed only if nobody moved it since. */
export interface SeenRow {
  id: number;
  attempts: number;
  next_attempt_at: number;
}

/**
 * Claims a row seen as due: counts the attempt and pushes `next_attempt_at` to `leaseUntil`, only if the row is still
 * exactly as seen. Of two dispatchers that saw the same row, one changes it and the other's condition no longer holds
 * (MySQL re-reads the locked row before deciding), so only one sends. A claimer that dies leaves the row due again
 * at `leaseUntil`.
 */
export async function claimOutboxRow(db: Db, row: SeenRow, leaseUntil: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
    .where('id', '=', row.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', row.attempts)
    .where('next_attempt_at', '=', row.next_attempt_at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a pending row, as seen, to a later time without counting an attempt (a robot with no free slot). */
export async function deferOutboxRow(db: Db, row: SeenRow, until: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ next_attempt_at: until })
    .where('id', '=', row.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', row.attempts)
    .where('next_attempt_at', '=', row.next_attempt_at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back a claim that sent nothing: the attempt is uncounted and the row due at `until`. */
export async function releaseOutboxClaim(db: Db, id: number, claimedAttempts: number, until: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '-', 1), next_attempt_at: until }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', claimedAttempts)
    .execute();
}

/** Marks a row delivered. Not conditioned on the claim: once the platform has it, nobody should send it again. */
export async function markOutboxSent(db: Db, id: number, now: number): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', sent_at: now, last_error: null }).where('id', '=', id).where('status', '=', 'pending').execute();
}

/** Records a failed attempt: due again at `at`, or dead. Only while the claim is still this dispatcher's. */
export async function markOutboxFailed(db: Db, id: number, claimedAttempts: number, failure: { status: 'pending' | 'dead'; at: number; error: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: failure.status, next_attempt_at: failure.at, last_error: failure.error.slice(0, 1000) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', claimedAttempts)
    .execute();
}

/** The tenant's dead letters, newest first. */
export async function listDeadOutboxRows(db: Db, tenantId: string, limit: number) {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'dedupe_key', 'target', 'message', 'attempts', 'last_error', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), created_at: Number(r.created_at) }));
}

/** Puts one dead letter of the tenant back in the queue, due now, with its attempts reset; false when there is none. */
export async function reviveDeadOutboxRow(db: Db, tenantId: string, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The robot's latest send number, and when the send `back` places before it was made (undefined when there is none). */
export async function robotSendWindow(db: Db, tenantId: string, robotKey: string, back: number): Promise<{ lastSeq: number; sentAtBack: number | undefined }> {
  const last = await db
    .selectFrom('outbox_robot_sends')
    .select('seq')
    .where('tenant_id', '=', tenantId)
    .where('robot_key', '=', robotKey)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const lastSeq = last ? Number(last.seq) : 0;
  if (lastSeq - back < 1) return { lastSeq, sentAtBack: undefined };
  const earlier = await db
    .selectFrom('outbox_robot_sends')
    .select('sent_at')
    .where('tenant_id', '=', tenantId)
    .where('robot_key', '=', robotKey)
    .where('seq', '=', lastSeq - back)
    .executeTakeFirst();
  return { lastSeq, sentAtBack: earlier ? Number(earlier.sent_at) : undefined };
}

/**
 * Records send number `seq` of the robot; false when another dispatcher took that number first. Numbers older than
 * `keep` behind it are deleted: the window never looks further back.
 */
export async function insertRobotSend(db: Db, row: { tenantId: string; robotKey: string; seq: number; sentAt: number }, keep: number): Promise<boolean> {
  const values = { tenant_id: row.tenantId, robot_key: row.robotKey, seq: row.seq, sent_at: row.sentAt };
  const query = isMysql(db) ? db.insertInto('outbox_robot_sends').ignore() : db.insertInto('outbox_robot_sends').orIgnore();
  const result = await query.values(values).executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
  await db
    .deleteFrom('outbox_robot_sends')
    .where('tenant_id', '=', row.tenantId)
    .where('robot_key', '=', row.robotKey)
    .where('seq', '<=', row.seq - keep)
    .execute();
  return true;
}

/**
 * Robot rows whose token is still in plain text (written before tokens were sealed), any tenant and status, a page at a
 * time by id. Sealed targets spell `"bot":{"key"`, plain ones `"bot":{"token"` (JSON.stringify keeps insertion order).
 */
export async function plainRobotOutboxRows(db: Db, afterId: number, limit: number): Promise<{ id: number; target: string }[]> {
  return db
    .selectFrom('outbox')
    .select(['id', 'target'])
    .where('target', 'like', '{"kind":"bot","bot":{"token"%')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Replaces a row's target, only if it is still the one read (a dispatcher never changes targets; this is belt and braces). */
export async function replaceOutboxTarget(db: Db, id: number, from: string, to: string): Promise<void> {
  await db.updateTable('outbox').set({ target: to }).where('id', '=', id).where('target', '=', from).execute();
}
