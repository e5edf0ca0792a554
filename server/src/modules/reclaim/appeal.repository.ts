import type { Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { AppealsTable, AppealStatus } from './appeal.table';

export type AppealRow = Selectable<AppealsTable>;

/** An appeal with what its list shows: the customer's name and the reclaim's instant and reason. */
export type AppealListRow = AppealRow & { customer_name: string; reclaimed_at: number; reclaim_reason: string | null };

/** The customer's latest ledger row (the one an appeal must be against). */
export async function lastOwnershipEvent(db: Db, tenantId: string, customerId: number) {
  return db
    .selectFrom('ownership_events')
    .select(['id', 'type', 'from_user_id', 'at'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findAppealByReclaim(db: Db, tenantId: string, reclaimEventId: number): Promise<AppealRow | undefined> {
  return db.selectFrom('appeals').selectAll().where('tenant_id', '=', tenantId).where('reclaim_event_id', '=', reclaimEventId).executeTakeFirst();
}

export async function insertAppeal(db: Db, row: Omit<AppealRow, 'id' | 'decided_by' | 'decided_at' | 'decision_note'>): Promise<number> {
  const result = await db.insertInto('appeals').values({ ...row, decided_by: null, decided_at: null, decision_note: null }).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** Appeals with their customer and reclaim; `userIds` narrows to those reps (a manager's scope), undefined means all. */
export async function listAppeals(db: Db, tenantId: string, filter: { status?: AppealStatus; userIds?: string[]; ids?: number[]; customerId?: number }): Promise<AppealListRow[]> {
  if (filter.userIds?.length === 0 || filter.ids?.length === 0) return [];
  let q = db
    .selectFrom('appeals as a')
    .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'a.tenant_id').onRef('c.id', '=', 'a.customer_id'))
    .innerJoin('ownership_events as e', (j) => j.onRef('e.tenant_id', '=', 'a.tenant_id').onRef('e.id', '=', 'a.reclaim_event_id'))
    .selectAll('a')
    .select(['c.name as customer_name', 'e.at as reclaimed_at', 'e.reason as reclaim_reason'])
    .where('a.tenant_id', '=', tenantId);
  if (filter.status !== undefined) q = q.where('a.status', '=', filter.status);
  if (filter.userIds !== undefined) q = q.where('a.user_id', 'in', filter.userIds);
  if (filter.ids !== undefined) q = q.where('a.id', 'in', filter.ids);
  if (filter.customerId !== undefined) q = q.where('a.customer_id', '=', filter.customerId);
  return (await q.orderBy('a.id', 'desc').limit(500).execute()).map((r) => ({ ...r, id: Number(r.id), customer_id: Number(r.customer_id), reclaim_event_id: Number(r.reclaim_event_id) }));
}

export async function findAppeal(db: Db, tenantId: string, id: number): Promise<AppealRow | undefined> {
  const row = await db.selectFrom('appeals').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row && { ...row, id: Number(row.id), customer_id: Number(row.customer_id), reclaim_event_id: Number(row.reclaim_event_id) };
}

/** Records the decision on an open appeal; false when it was decided meanwhile. */
export async function decideAppealRow(db: Db, tenantId: string, id: number, d: { status: 'accepted' | 'declined'; by: string; at: number; note: string | null }): Promise<boolean> {
  const result = await db
    .updateTable('appeals')
    .set({ status: d.status, decided_by: d.by, decided_at: d.at, decision_note: d.note })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Customers reclaimed from `userId` since `since` whose latest ledger row is still that reclaim (so still appealable,
 * window aside), newest first, with the appeal filed against it if any.
 */
export async function reclaimedFrom(db: Db, tenantId: string, userId: string, since: number) {
  const rows = await db
    .selectFrom('ownership_events as e')
    .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'e.tenant_id').onRef('c.id', '=', 'e.customer_id'))
    .leftJoin('appeals as a', (j) => j.onRef('a.tenant_id', '=', 'e.tenant_id').onRef('a.reclaim_event_id', '=', 'e.id'))
    .select(['e.id as event_id', 'e.customer_id', 'e.at', 'e.reason', 'c.name as customer_name', 'a.id as appeal_id', 'a.status as appeal_status', 'a.decision_note'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.type', '=', 'reclaimed')
    .where('e.from_user_id', '=', userId)
    .where('e.at', '>=', since)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('ownership_events as later').select('later.id').whereRef('later.tenant_id', '=', 'e.tenant_id').whereRef('later.customer_id', '=', 'e.customer_id').whereRef('later.id', '>', 'e.id'))),
    )
    .orderBy('e.id', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({ ...r, event_id: Number(r.event_id), customer_id: Number(r.customer_id), at: Number(r.at), appeal_id: r.appeal_id === null ? null : Number(r.appeal_id) }));
}
