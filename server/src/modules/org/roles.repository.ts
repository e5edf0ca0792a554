import { isMysql, type Db } from '../../db/create-db';
import { containsText } from '../../db/like';
import type { Role } from './org';
import type { AdminUserDto, AdminUsersQuery } from './roles';

const rolesOf = (column: string): Role[] => column.split(',').filter(Boolean) as Role[];

/**
 * The tenant's users matching `q` (name or id, taken literally) and holding `role`, by id, one page of them, with the
 * total that matched. `roles LIKE '%role%'` matches whole role names: none of rep, manager, hr, admin is part of another.
 */
export async function listUsersForAdmin(db: Db, tenantId: string, filter: AdminUsersQuery): Promise<{ total: number; items: AdminUserDto[] }> {
  let matching = db.selectFrom('users').where('tenant_id', '=', tenantId);
  if (filter.q) {
    const text = filter.q;
    matching = matching.where((eb) => eb.or([containsText('name', text), containsText('id', text)]));
  }
  if (filter.role) matching = matching.where('roles', 'like', `%${filter.role}%`);
  const [count, rows] = await Promise.all([
    matching.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    matching.select(['id', 'name', 'active', 'roles']).orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
  ]);
  const departments = await departmentNamesOf(db, tenantId, rows.map((r) => r.id));
  return {
    total: Number(count.n),
    items: rows.map((r) => ({ id: r.id, name: r.name, active: r.active === 1, roles: rolesOf(r.roles), departments: departments.get(r.id) ?? [] })),
  };
}

/** One user as the admin list shows them, or undefined. */
export async function findUserForAdmin(db: Db, tenantId: string, userId: string): Promise<AdminUserDto | undefined> {
  const row = await db.selectFrom('users').select(['id', 'name', 'active', 'roles']).where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
  if (!row) return undefined;
  const departments = await departmentNamesOf(db, tenantId, [row.id]);
  return { id: row.id, name: row.name, active: row.active === 1, roles: rolesOf(row.roles), departments: departments.get(row.id) ?? [] };
}

async function departmentNamesOf(db: Db, tenantId: string, userIds: string[]): Promise<Map<string, string[]>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_departments as ud')
    .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
    .select(['ud.user_id', 'd.name'])
    .where('ud.tenant_id', '=', tenantId)
    .where('ud.user_id', 'in', userIds)
    .orderBy('ud.user_id')
    .orderBy('ud.department_id')
    .execute();
  const names = new Map<string, string[]>();
  for (const r of rows) names.set(r.user_id, [...(names.get(r.user_id) ?? []), r.name]);
  return names;
}

/**
 * Makes the tenant's role changes take turns until the caller's transaction ends: on MySQL by locking the tenant row
 * (two admins demoting each other at once would otherwise each see the other still an admin); SQLite runs one
 * transaction at a time already.
 */
export async function lockTenantRoles(trx: Db, tenantId: string): Promise<void> {
  if (isMysql(trx)) await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute();
}

/** A user's active flag and roles as committed now (a locking read on MySQL, so not from an older snapshot). */
export async function userRolesForUpdate(trx: Db, tenantId: string, userId: string): Promise<{ active: boolean; roles: Role[] } | undefined> {
  let query = trx.selectFrom('users').select(['active', 'roles']).where('tenant_id', '=', tenantId).where('id', '=', userId);
  if (isMysql(trx)) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && { active: row.active === 1, roles: rolesOf(row.roles) };
}

/** How many of the tenant's active users hold `admin` now (a locking read on MySQL). */
export async function countActiveAdmins(trx: Db, tenantId: string): Promise<number> {
  let query = trx.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('active', '=', 1).where('roles', 'like', '%admin%');
  if (isMysql(trx)) query = query.forUpdate();
  return (await query.execute()).length;
}

/** Writes the user's new roles and the audit row of the change. */
export async function writeRoleChange(
  trx: Db,
  change: { tenantId: string; userId: string; actorId: string; before: Role[]; after: Role[]; at: number },
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ roles: change.after.join(','), updated_at: change.at })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', change.userId)
    .execute();
  await trx
    .insertInto('role_changes')
    .values({
      tenant_id: change.tenantId,
      user_id: change.userId,
      actor_id: change.actorId,
      before_roles: change.before.join(','),
      after_roles: change.after.join(','),
      changed_at: change.at,
    })
    .execute();
}

/** The users of the tenant whose roles an admin has set by hand at least once. */
export async function usersWithRolesSetByHand(db: Db, tenantId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('role_changes').select('user_id').distinct().where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.user_id));
}
