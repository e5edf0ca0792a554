import { sql } from 'kysely';
import { isMysql, type Db } from '../../db/create-db';
import type { Role, User } from './org';

/** The roles column (comma-separated) as a list. */
const rolesOf = (column: string): Role[] => column.split(',').filter(Boolean) as Role[];

/** What a request is allowed by: whether the user still works here, and their roles now. */
export interface UserStanding {
  active: boolean;
  roles: Role[];
}

/** A user's active flag and roles (undefined when the tenant has no such user); the auth middleware reads this. */
export async function findUserStanding(db: Db, tenantId: string, userId: string): Promise<UserStanding | undefined> {
  const row = await db.selectFrom('users').select(['active', 'roles']).where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
  return row && { active: row.active === 1, roles: rolesOf(row.roles) };
}

/**
 * Whether the user is active, read inside the caller's transaction so that a departure cannot land between this read
 * and the commit: on MySQL under a shared lock on the user row (marking them left waits for the commit, and the
 * departure then finds what was given to them), on SQLite because transactions run one at a time. Lock order: the
 * user row before any customer row, as in the claim batch.
 */
export async function isUserActiveLocked(trx: Db, tenantId: string, userId: string): Promise<boolean> {
  let query = trx.selectFrom('users').select('active').where('tenant_id', '=', tenantId).where('id', '=', userId);
  if (isMysql(trx)) query = query.modifyEnd(sql`lock in share mode`);
  const row = await query.executeTakeFirst();
  return row?.active === 1;
}

export async function findUser(db: Db, tenantId: string, userId: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'name', 'roles', 'active', 'manager_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const depts = await db
    .selectFrom('user_departments')
    .select(['department_id', 'is_leader'])
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .orderBy('department_id')
    .execute();
  return {
    id: row.id,
    name: row.name,
    roles: rolesOf(row.roles),
    active: row.active === 1,
    departmentIds: depts.map((d) => d.department_id),
    leaderOf: depts.filter((d) => d.is_leader === 1).map((d) => d.department_id),
    managerId: row.manager_id,
  };
}

export async function userNames(db: Db, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Paths of the given departments: '/1/2/21/'. */
export async function departmentPaths(db: Db, tenantId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('departments')
    .select('path')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => r.path);
}

/** Whether `userId` sits in one of the subtrees rooted at `paths` (a manager's scope). */
export async function userInSubtrees(db: Db, tenantId: string, userId: string, paths: string[]): Promise<boolean> {
  if (paths.length === 0) return false;
  const row = await db
    .selectFrom('user_departments as ud')
    .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
    .select('ud.user_id')
    .where('ud.tenant_id', '=', tenantId)
    .where('ud.user_id', '=', userId)
    .where((eb) => eb.or(paths.map((p) => eb('d.path', 'like', `${p}%`))))
    .executeTakeFirst();
  return row !== undefined;
}

/** A department as the org sync writes it; `is_region` is ours, not the platform's, so it is never overwritten. */
export interface DepartmentRecord {
  id: string;
  parentId: string | null;
  name: string;
  path: string;
}

/** A user as the org sync writes it. */
export interface UserRecord {
  id: string;
  name: string;
  mobile: string | null;
  title: string | null;
  managerId: string | null;
  hiredDate: string | null;
  roles: Role[];
  departments: { id: string; isLeader: boolean }[];
}

export async function listDepartments(db: Db, tenantId: string): Promise<DepartmentRecord[]> {
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'parent_id', 'name', 'path'])
    .where('tenant_id', '=', tenantId)
    .execute();
  return rows.map((r) => ({ id: r.id, parentId: r.parent_id, name: r.name, path: r.path }));
}

/** Makes the tenant's departments exactly `departments`: updates, inserts, and deletes the rest with their memberships. */
export async function replaceDepartments(db: Db, tenantId: string, departments: DepartmentRecord[], now: number): Promise<{ added: number; removed: number }> {
  const existing = new Set((await listDepartments(db, tenantId)).map((d) => d.id));
  const wanted = new Set(departments.map((d) => d.id));
  const fresh = departments.filter((d) => !existing.has(d.id));
  for (const d of departments.filter((x) => existing.has(x.id))) {
    await db
      .updateTable('departments')
      .set({ parent_id: d.parentId, name: d.name, path: d.path, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', d.id)
      .execute();
  }
  for (let i = 0; i < fresh.length; i += 400) {
    await db
      .insertInto('departments')
      .values(fresh.slice(i, i + 400).map((d) => ({ tenant_id: tenantId, id: d.id, parent_id: d.parentId, name: d.name, is_region: 0, path: d.path, updated_at: now })))
      .execute();
  }
  const gone = [...existing].filter((id) => !wanted.has(id));
  if (gone.length > 0) {
    await db.deleteFrom('user_departments').where('tenant_id', '=', tenantId).where('department_id', 'in', gone).execute();
    await db.deleteFrom('departments').where('tenant_id', '=', tenantId).where('id', 'in', gone).execute();
  }
  return { added: fresh.length, removed: gone.length };
}

/** Ids and roles of the tenant's users, active or not. */
export async function listUserRoles(db: Db, tenantId: string): Promise<Map<string, { roles: Role[]; active: boolean }>> {
  const rows = await db.selectFrom('users').select(['id', 'roles', 'active']).where('tenant_id', '=', tenantId).execute();
  return new Map(rows.map((r) => [r.id, { roles: rolesOf(r.roles), active: r.active === 1 }]));
}

/** Inserts or updates the users and replaces their department memberships; a returning user becomes active again. */
export async function upsertUsers(db: Db, tenantId: string, users: UserRecord[], now: number): Promise<{ added: number; updated: number; addedIds: string[] }> {
  if (users.length === 0) return { added: 0, updated: 0, addedIds: [] };
  const known = await listUserRoles(db, tenantId);
  const addedIds: string[] = [];
  for (const u of users) {
    const values = {
      name: u.name,
      mobile: u.mobile,
      title: u.title,
      manager_id: u.managerId,
      hired_date: u.hiredDate,
      active: 1,
      left_at: null,
      roles: u.roles.join(','),
      updated_at: now,
    };
    if (known.has(u.id)) {
      await db.updateTable('users').set(values).where('tenant_id', '=', tenantId).where('id', '=', u.id).execute();
    } else {
      await db.insertInto('users').values({ tenant_id: tenantId, id: u.id, ...values, created_at: now }).execute();
      addedIds.push(u.id);
    }
  }
  const ids = users.map((u) => u.id);
  for (let i = 0; i < ids.length; i += 400) {
    await db.deleteFrom('user_departments').where('tenant_id', '=', tenantId).where('user_id', 'in', ids.slice(i, i + 400)).execute();
  }
  const memberships = users.flatMap((u) =>
    u.departments.map((d) => ({ tenant_id: tenantId, user_id: u.id, department_id: d.id, is_leader: d.isLeader ? 1 : 0 })),
  );
  for (let i = 0; i < memberships.length; i += 400) {
    await db.insertInto('user_departments').values(memberships.slice(i, i + 400)).execute();
  }
  return { added: addedIds.length, updated: users.length - addedIds.length, addedIds };
}

/** Marks a user as left; returns false when they were not an active user. */
export async function markUserLeft(db: Db, tenantId: string, userId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ active: 0, left_at: now, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The leaders of the given departments, as `departmentId → userIds` (active users only). */
export async function departmentLeaders(db: Db, tenantId: string, departmentIds: string[]): Promise<Map<string, string[]>> {
  if (departmentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_departments as ud')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'ud.tenant_id').onRef('u.id', '=', 'ud.user_id'))
    .select(['ud.department_id', 'ud.user_id'])
    .where('ud.tenant_id', '=', tenantId)
    .where('ud.department_id', 'in', departmentIds)
    .where('ud.is_leader', '=', 1)
    .where('u.active', '=', 1)
    .orderBy('ud.user_id')
    .execute();
  const leaders = new Map<string, string[]>();
  for (const r of rows) leaders.set(r.department_id, [...(leaders.get(r.department_id) ?? []), r.user_id]);
  return leaders;
}

/**
 * Moves everything of `fromId` to `toId` (WeCom `NewUserID`): the user row, memberships, ownership (current, prior and
 * in the ledger, so the ledger still replays to the owners), follow-ups, deals, counters and manager links.
 */
export async function renameUserEverywhere(db: Db, tenantId: string, fromId: string, toId: string): Promise<void> {
  const t = tenantId;
  await db.updateTable('users').set({ id: toId }).where('tenant_id', '=', t).where('id', '=', fromId).execute();
  await db.updateTable('users').set({ manager_id: toId }).where('tenant_id', '=', t).where('manager_id', '=', fromId).execute();
  await db.updateTable('user_departments').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('pool_members').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('claim_counters').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('customers').set({ owner_id: toId }).where('tenant_id', '=', t).where('owner_id', '=', fromId).execute();
  await db.updateTable('customers').set({ prior_owner_id: toId }).where('tenant_id', '=', t).where('prior_owner_id', '=', fromId).execute();
  await db.updateTable('customers').set({ created_by: toId }).where('tenant_id', '=', t).where('created_by', '=', fromId).execute();
  await db.updateTable('ownership_events').set({ from_user_id: toId }).where('tenant_id', '=', t).where('from_user_id', '=', fromId).execute();
  await db.updateTable('ownership_events').set({ to_user_id: toId }).where('tenant_id', '=', t).where('to_user_id', '=', fromId).execute();
  await db.updateTable('ownership_events').set({ actor_id: toId }).where('tenant_id', '=', t).where('actor_id', '=', fromId).execute();
  await db.updateTable('follow_ups').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('deals').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('role_changes').set({ user_id: toId }).where('tenant_id', '=', t).where('user_id', '=', fromId).execute();
  await db.updateTable('role_changes').set({ actor_id: toId }).where('tenant_id', '=', t).where('actor_id', '=', fromId).execute();
}

/** Grants app roles the platform does not know (HR, admin); they replace rep/manager like at first setup. */
export async function grantAppRoles(db: Db, tenantId: string, userId: string, roles: Role[]): Promise<void> {
  await db.updateTable('users').set({ roles: roles.join(',') }).where('tenant_id', '=', tenantId).where('id', '=', userId).execute();
}

/** Active users in the subtrees rooted at `paths` (a manager's team). */
export async function usersInSubtrees(db: Db, tenantId: string, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const rows = await db
    .selectFrom('user_departments as ud')
    .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
    .select('ud.user_id')
    .distinct()
    .where('ud.tenant_id', '=', tenantId)
    .where((eb) => eb.or(paths.map((p) => eb('d.path', 'like', `${p}%`))))
    .execute();
  return rows.map((r) => r.user_id);
}
