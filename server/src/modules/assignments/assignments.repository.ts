import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { AssignmentItemState, AssignmentItemsTable, AssignmentRequestsTable, AssignmentStatus } from './assignments.table';

export type AssignmentRow = Selectable<AssignmentRequestsTable>;

/** The fields of the requested customers that decide whether they can be reserved. */
export async function customersByIds(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('customers')
    .select(['id', 'name', 'address', 'level', 'status', 'owner_id', 'pool_id', 'reserved_by_assignment_id', 'last_deal_won_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export async function insertRequest(trx: Db, row: Insertable<AssignmentRequestsTable>): Promise<number> {
  // No RETURNING on MySQL: both dialects report the new id as insertId.
  const result = await trx.insertInto('assignment_requests').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/**
 * Reserves for the assignment those of `ids` that are in the pool and unreserved, with one conditional UPDATE, and
 * returns the ids it now holds: re-read, so a claim that won a customer in between is simply not among them.
 */
export async function reserveCustomers(trx: Db, tenantId: string, assignmentId: number, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  await trx
    .updateTable('customers')
    .set({ reserved_by_assignment_id: assignmentId })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('status', '=', 'pool')
    .where('reserved_by_assignment_id', 'is', null)
    .execute();
  const held = await trx
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('reserved_by_assignment_id', '=', assignmentId)
    .execute();
  return held.map((r) => r.id);
}

/** Lets go of the assignment's hold on these customers (only where it still holds them). */
export async function releaseCustomers(trx: Db, tenantId: string, assignmentId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('customers')
    .set({ reserved_by_assignment_id: null })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('reserved_by_assignment_id', '=', assignmentId)
    .execute();
}

export async function insertItems(trx: Db, rows: Insertable<AssignmentItemsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('assignment_items').values(rows.slice(i, i + 500)).execute();
}

export async function setItemState(trx: Db, tenantId: string, assignmentId: number, customerIds: number[], state: AssignmentItemState, note: string | null = null): Promise<void> {
  if (customerIds.length === 0) return;
  await trx
    .updateTable('assignment_items')
    .set({ state, note })
    .where('tenant_id', '=', tenantId)
    .where('assignment_id', '=', assignmentId)
    .where('customer_id', 'in', customerIds)
    .execute();
}

/** The request's customers in the order HR listed them, with what the API shows of each. */
export async function itemsOf(db: Db, tenantId: string, assignmentIds: number[]) {
  if (assignmentIds.length === 0) return [];
  return db
    .selectFrom('assignment_items as i')
    .leftJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.id', '=', 'i.customer_id'))
    .select(['i.assignment_id', 'i.customer_id', 'i.state', 'i.note', 'c.name', 'c.level', 'c.pool_id', 'c.address', 'c.last_deal_won_at'])
    .where('i.tenant_id', '=', tenantId)
    .where('i.assignment_id', 'in', assignmentIds)
    .orderBy('i.assignment_id')
    .orderBy('i.customer_id')
    .execute();
}

export async function findRequest(db: Db, tenantId: string, id: number): Promise<AssignmentRow | undefined> {
  return db.selectFrom('assignment_requests').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findRequestByInstance(db: Db, tenantId: string, instanceId: string): Promise<AssignmentRow | undefined> {
  return db
    .selectFrom('assignment_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('approval_instance_id', '=', instanceId)
    .executeTakeFirst();
}

/** Whether a pending request has been created since `since` whose approval id is not written yet. */
export async function hasUnnumberedPending(db: Db, tenantId: string, since: number): Promise<boolean> {
  const row = await db
    .selectFrom('assignment_requests')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('approval_instance_id', 'is', null)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return row !== undefined;
}

export async function setInstanceId(db: Db, tenantId: string, id: number, instanceId: string): Promise<void> {
  await db.updateTable('assignment_requests').set({ approval_instance_id: instanceId }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/**
 * Moves a pending request to its result; false when it was no longer pending. The status check in the UPDATE is what
 * makes duplicate and out-of-order results harmless: only the first one finds it pending.
 */
export async function decideRequest(trx: Db, tenantId: string, id: number, status: Exclude<AssignmentStatus, 'pending'>, now: number): Promise<boolean> {
  const result = await trx
    .updateTable('assignment_requests')
    .set({ status, decided_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setOutcome(trx: Db, tenantId: string, id: number, outcome: unknown): Promise<void> {
  await trx.updateTable('assignment_requests').set({ outcome: JSON.stringify(outcome) }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function listRequests(db: Db, tenantId: string, q: { status?: AssignmentStatus; beforeId?: number; limit: number }): Promise<AssignmentRow[]> {
  let query = db.selectFrom('assignment_requests').selectAll().where('tenant_id', '=', tenantId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** Pending requests whose hold has run out. */
export async function expiredPending(db: Db, tenantId: string, now: number): Promise<AssignmentRow[]> {
  return db
    .selectFrom('assignment_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .orderBy('id')
    .execute();
}

/** The names of the departments that members of these pools come from, by pool (for the approval form's 区域). */
export async function poolDepartmentNames(db: Db, tenantId: string, poolIds: number[]): Promise<Map<number, string[]>> {
  const names = new Map<number, string[]>();
  if (poolIds.length === 0) return names;
  const rows = await db
    .selectFrom('pool_departments as pd')
    .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'pd.tenant_id').onRef('d.id', '=', 'pd.department_id'))
    .select(['pd.pool_id', 'd.name'])
    .where('pd.tenant_id', '=', tenantId)
    .where('pd.pool_id', 'in', poolIds)
    .orderBy('d.id')
    .execute();
  for (const r of rows) names.set(r.pool_id, [...(names.get(r.pool_id) ?? []), r.name]);
  return names;
}

/** Users holding a role in the tenant (e.g. every HR user for the new-hire prompt). */
export async function activeUsersWithRole(db: Db, tenantId: string, role: string): Promise<string[]> {
  const rows = await db.selectFrom('users').select(['id', 'roles']).where('tenant_id', '=', tenantId).where('active', '=', 1).orderBy('id').execute();
  return rows.filter((r) => r.roles.split(',').includes(role)).map((r) => r.id);
}

/** The names of a user's departments, for forms and messages. */
export async function departmentNamesOf(db: Db, tenantId: string, departmentIds: string[]): Promise<string[]> {
  if (departmentIds.length === 0) return [];
  const rows = await db.selectFrom('departments').select('name').where('tenant_id', '=', tenantId).where('id', 'in', departmentIds).orderBy('id').execute();
  return rows.map((r) => r.name);
}

/** What a starter pack needs of candidate pool customers: display fields, level, and whether they are reserved. */
export async function starterCandidates(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = [];
  for (let i = 0; i < ids.length; i += 1000) {
    rows.push(
      ...(await db
        .selectFrom('customers')
        .select(['id', 'name', 'address', 'level', 'pool_id', 'lat', 'lng', 'status', 'reserved_by_assignment_id', 'pool_entered_at'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids.slice(i, i + 1000))
        .execute()),
    );
  }
  return rows;
}

/** Of these customers, those that had two or more different owners since `since` (they bounced between reps). */
export async function bouncedCustomers(db: Db, tenantId: string, ids: number[], since: number): Promise<Set<number>> {
  const bounced = new Set<number>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .selectFrom('ownership_events')
      .select('customer_id')
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'in', ids.slice(i, i + 1000))
      .where('at', '>=', since)
      .where('to_user_id', 'is not', null)
      .groupBy('customer_id')
      .having((eb) => eb.fn.count('to_user_id').distinct(), '>=', 2)
      .execute();
    for (const r of rows) bounced.add(r.customer_id);
  }
  return bounced;
}

/** The centre of the customers owned by the active members of these departments, or null when they own none. */
export async function teamCustomerCentre(db: Db, tenantId: string, departmentIds: string[]): Promise<{ lat: number; lng: number } | null> {
  if (departmentIds.length === 0) return null;
  const row = await db
    .selectFrom('customers as c')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'c.tenant_id').onRef('u.id', '=', 'c.owner_id'))
    .select((eb) => [eb.fn.avg<number>('c.lat').as('lat'), eb.fn.avg<number>('c.lng').as('lng'), eb.fn.countAll<number>().as('n')])
    .where('c.tenant_id', '=', tenantId)
    .where('c.status', '=', 'owned')
    .where('u.active', '=', 1)
    .where('c.owner_id', 'in', (eb) =>
      eb.selectFrom('user_departments').select('user_id').where('tenant_id', '=', tenantId).where('department_id', 'in', departmentIds),
    )
    .executeTakeFirst();
  return row && Number(row.n) > 0 ? { lat: Number(row.lat), lng: Number(row.lng) } : null;
}

/** The centre of the pool customers of these pools, or null when they are empty. */
export async function poolCustomerCentre(db: Db, tenantId: string, poolIds: number[]): Promise<{ lat: number; lng: number } | null> {
  if (poolIds.length === 0) return null;
  const row = await db
    .selectFrom('customers')
    .select((eb) => [eb.fn.avg<number>('lat').as('lat'), eb.fn.avg<number>('lng').as('lng'), eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('pool_id', 'in', poolIds)
    .where('status', '=', 'pool')
    .executeTakeFirst();
  return row && Number(row.n) > 0 ? { lat: Number(row.lat), lng: Number(row.lng) } : null;
}
