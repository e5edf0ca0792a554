import type { Db } from '../../db/create-db';

/** A customer a transfer selected, with its owner as read before the locks (the decision re-reads it under them). */
export interface TransferCandidate {
  id: number;
  name: string;
  ownerId: string | null;
}

/** The tenant's customers among `ids` (unknown ids are left out), by id. */
export async function transferCandidates(db: Db, tenantId: string, ids: number[]): Promise<TransferCandidate[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('customers').select(['id', 'name', 'owner_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, ownerId: r.owner_id }));
}

/**
 * Up to `limit` customers `userId` owns, by id, after `afterId`. A customer reserved by an HR assignment in flight is
 * included: the decision refuses it (`reserved`) rather than leaving it behind unannounced.
 */
export async function customersOwnedBy(db: Db, tenantId: string, userId: string, limit: number, afterId = 0): Promise<TransferCandidate[]> {
  const rows = await db
    .selectFrom('customers')
    .select(['id', 'name', 'owner_id'])
    .where('tenant_id', '=', tenantId)
    .where('owner_id', '=', userId)
    .where('status', '=', 'owned')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, ownerId: r.owner_id }));
}
