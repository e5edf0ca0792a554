import type { Db } from '../db/create-db';

/** One remembered request: who sent which key. */
export interface IdempotencyKeyRef {
  tenantId: string;
  userId: string;
  key: string;
}

const whereKey = (db: Db, ref: IdempotencyKeyRef) =>
  db.selectFrom('idempotency_keys').where('tenant_id', '=', ref.tenantId).where('user_id', '=', ref.userId).where('idem_key', '=', ref.key);

/** Records the first use of a key (status still unknown); throws the unique violation when the key is known. */
export async function insertIdempotencyKey(db: Db, ref: IdempotencyKeyRef, requestHash: string, now: number): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ tenant_id: ref.tenantId, user_id: ref.userId, idem_key: ref.key, request_hash: requestHash, created_at: now })
    .execute();
}

export async function findIdempotencyKey(db: Db, ref: IdempotencyKeyRef) {
  return whereKey(db, ref).select(['request_hash', 'status_code', 'response_body', 'created_at']).executeTakeFirst();
}

export async function forgetIdempotencyKey(db: Db, ref: IdempotencyKeyRef): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('tenant_id', '=', ref.tenantId).where('user_id', '=', ref.userId).where('idem_key', '=', ref.key).execute();
}

/** Stores the answer to replay; only for the row this request created (`created_at`), never one that replaced it. */
export async function recordIdempotentAnswer(db: Db, ref: IdempotencyKeyRef, createdAt: number, status: number, body: string | null): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: status, response_body: body })
    .where('tenant_id', '=', ref.tenantId)
    .where('user_id', '=', ref.userId)
    .where('idem_key', '=', ref.key)
    .where('created_at', '=', createdAt)
    .execute();
}

/**
 * Deletes the oldest keys created before `cutoff`, about `limit` at a time (rows sharing the boundary instant go
 * together), through the created_at index on both dialects (SQLite has no DELETE … LIMIT); returns how many.
 */
export async function deleteIdempotencyKeysBefore(db: Db, cutoff: number, limit: number): Promise<number> {
  const edge = await db
    .selectFrom('idempotency_keys')
    .select('created_at')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .offset(limit - 1)
    .limit(1)
    .executeTakeFirst();
  const bound = edge === undefined ? cutoff : Math.min(cutoff, Number(edge.created_at) + 1);
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', bound).executeTakeFirst();
  return Number(result.numDeletedRows);
}
