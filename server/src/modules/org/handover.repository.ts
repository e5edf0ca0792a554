import type { Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { PendingHandoversTable } from './handover.table';

export type PendingHandoverRow = Selectable<PendingHandoversTable>;

const numeric = (row: PendingHandoverRow): PendingHandoverRow => ({ ...row, id: Number(row.id), customers: Number(row.customers), due_at: Number(row.due_at), created_at: Number(row.created_at) });

/** The leaver's handover still waiting for a successor, if any. */
export async function openHandoverOf(db: Db, tenantId: string, userId: string): Promise<PendingHandoverRow | undefined> {
  const row = await db.selectFrom('pending_handovers').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('status', '=', 'open').executeTakeFirst();
  return row && numeric(row);
}

export async function insertHandover(db: Db, row: Pick<PendingHandoverRow, 'tenant_id' | 'user_id' | 'manager_id' | 'customers' | 'due_at' | 'created_at'>): Promise<number> {
  const result = await db
    .insertInto('pending_handovers')
    .values({ ...row, status: 'open', resolved_at: null, resolved_by: null, to_user_id: null })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/**
 * Open handovers of the tenant with the leaver's name, the nearest deadline first, at most `limit`; with `paths`, only
 * leavers who sit in one of those department subtrees (a manager's scope, as the handover itself checks it).
 */
export async function openHandovers(db: Db, tenantId: string, paths: string[] | null, limit: number): Promise<(PendingHandoverRow & { user_name: string })[]> {
  if (paths !== null && paths.length === 0) return [];
  let query = db
    .selectFrom('pending_handovers as h')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'h.tenant_id').onRef('u.id', '=', 'h.user_id'))
    .selectAll('h')
    .select('u.name as user_name')
    .where('h.tenant_id', '=', tenantId)
    .where('h.status', '=', 'open');
  if (paths !== null) {
    query = query.where('h.user_id', 'in', (eb) =>
      eb
        .selectFrom('user_departments as ud')
        .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
        .select('ud.user_id')
        .where('ud.tenant_id', '=', tenantId)
        .where((w) => w.or(paths.map((p) => w('d.path', 'like', `${p}%`)))),
    );
  }
  const rows = await query.orderBy('h.due_at').orderBy('h.id').limit(limit).execute();
  return rows.map((r) => ({ ...numeric(r), user_name: r.user_name }));
}

/** Open handovers of the tenant whose time is up at `now`, oldest first. */
export async function dueHandovers(db: Db, tenantId: string, now: number): Promise<PendingHandoverRow[]> {
  const rows = await db.selectFrom('pending_handovers').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'open').where('due_at', '<=', now).orderBy('id').execute();
  return rows.map(numeric);
}

/** Closes an open handover (handed over by someone, or sent to the pool); false when it was closed meanwhile. */
export async function resolveHandover(db: Db, tenantId: string, id: number, r: { status: 'handed_over' | 'to_pool'; at: number; by: string | null; toUserId: string | null }): Promise<boolean> {
  const result = await db
    .updateTable('pending_handovers')
    .set({ status: r.status, resolved_at: r.at, resolved_by: r.by, to_user_id: r.toUserId })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How many customers the user owns. */
export async function countOwnedBy(db: Db, tenantId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('owner_id', '=', userId)
    .where('status', '=', 'owned')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
