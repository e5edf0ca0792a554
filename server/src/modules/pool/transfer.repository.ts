import type { Db } from '../../db/create-db';

/** A customer a transfer selected, with its owner as read before the locks (the decision re-reads it under them). */
export interface TransferCandidate {
  id: number;
  name: string;
  ownerId: string | null;
}

/**
 * The tenant's customers among `ids` (unknown ids are left out), by id. With `poolIds`, a customer in a pool (no
 * owner) counts only when its pool is one of them: a manager sees the pools they belong to, not the others.
 */
export async function transferCandidates(db: Db, tenantId: string, ids: number[], poolIds?: readonly number[]): Promise<TransferCandidate[]> {
  if (ids.length === 0) return [];
  let query = db.selectFrom('customers').select(['id', 'name', 'owner_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids);
  if (poolIds !== undefined) {
    query = query.where((eb) => (poolIds.length === 0 ? eb('owner_id', 'is not', null) : eb.or([eb('owner_id', 'is not', null), eb('pool_id', 'in', [...poolIds])])));
  }
  const rows = await query.orderBy('id').execute();
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
