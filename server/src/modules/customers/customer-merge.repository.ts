import { isMysql, type Db } from '../../db/create-db';
import type { CustomerRow } from './customers.repository';

/** Both customers of a merge, locked until the transaction ends on MySQL (SQLite runs one writer at a time). */
export async function lockCustomers(trx: Db, tenantId: string, ids: number[]): Promise<Map<number, CustomerRow>> {
  let query = trx.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id');
  if (isMysql(trx)) query = query.forUpdate();
  return new Map((await query.execute()).map((r) => [Number(r.id), { ...r, id: Number(r.id), pool_id: Number(r.pool_id) }]));
}

/**
 * Moves everything that hangs off `fromId` to `intoId`: visits and their photos too (their evidence entries keep the
 * merged id they signed; the chained merge vouches for the move). Reminders already sent for the merged record's clocks
 * go: the survivor's clocks are its own. Access points and assignment items keyed by customer move unless the survivor
 * already has the same key.
 */
export async function moveCustomerChildren(trx: Db, tenantId: string, fromId: number, intoId: number): Promise<void> {
  const tables = ['customer_contacts', 'follow_ups', 'deals', 'ownership_events', 'customer_edits', 'visits', 'visit_photos', 'appeals'] as const;
  for (const table of tables) {
    await trx.updateTable(table).set({ customer_id: intoId }).where('tenant_id', '=', tenantId).where('customer_id', '=', fromId).execute();
  }
  await trx.deleteFrom('reclaim_reminders').where('tenant_id', '=', tenantId).where('customer_id', '=', fromId).execute();

  const survivorBssids = (
    await trx.selectFrom('bssid_sightings').select('bssid').where('tenant_id', '=', tenantId).where('customer_id', '=', intoId).execute()
  ).map((r) => r.bssid);
  let sightings = trx.updateTable('bssid_sightings').set({ customer_id: intoId }).where('tenant_id', '=', tenantId).where('customer_id', '=', fromId);
  if (survivorBssids.length > 0) sightings = sightings.where('bssid', 'not in', survivorBssids);
  await sightings.execute();
  await trx.deleteFrom('bssid_sightings').where('tenant_id', '=', tenantId).where('customer_id', '=', fromId).execute();

  const survivorAssignments = (
    await trx.selectFrom('assignment_items').select('assignment_id').where('tenant_id', '=', tenantId).where('customer_id', '=', intoId).execute()
  ).map((r) => Number(r.assignment_id));
  let items = trx.updateTable('assignment_items').set({ customer_id: intoId }).where('tenant_id', '=', tenantId).where('customer_id', '=', fromId);
  if (survivorAssignments.length > 0) items = items.where('assignment_id', 'not in', survivorAssignments);
  await items.execute();
}

/** The first of these customers with a visit still open (the rep is on site), or undefined. */
export async function customerWithOpenVisit(trx: Db, tenantId: string, ids: number[]): Promise<number | undefined> {
  const row = await trx
    .selectFrom('visits')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', 'in', ids)
    .where('status', '=', 'open')
    .orderBy('customer_id')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.customer_id);
}

export async function deleteCustomer(trx: Db, tenantId: string, id: number): Promise<void> {
  await trx.deleteFrom('customers').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Records a merge; returns its id (the `merge` evidence entry's ref_id). */
export async function insertMerge(
  trx: Db,
  m: { tenantId: string; mergedId: number; intoId: number; mergedName: string; actorId: string; at: number },
): Promise<number> {
  const result = await trx
    .insertInto('customer_merges')
    .values({ tenant_id: m.tenantId, merged_id: m.mergedId, into_id: m.intoId, merged_name: m.mergedName, actor_id: m.actorId, at: m.at })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}
