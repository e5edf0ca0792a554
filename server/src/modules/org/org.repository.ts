import type { Db } from '../../db/create-db';
import type { Role, User } from './org';

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
    roles: row.roles.split(',').filter(Boolean) as Role[],
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
