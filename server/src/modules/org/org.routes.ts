import Router from '@koa/router';
import { z } from 'zod';
import type { Actor, AppDeps, AppState } from '../../context';
import type { Db } from '../../db/create-db';
import { containsText } from '../../db/like';
import { parse, queryNumber } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import type { Role } from './org';
import { departmentPaths, findUser, usersInSubtrees } from './org.repository';

/** One user as the org list shows it (HR picks a new hire from these). */
export interface OrgUserDto {
  id: string;
  name: string;
  /** Names of the user's departments, in department id order. */
  departments: string[];
  hiredDate: string | null;
  active: boolean;
  roles: Role[];
  /** Customers the user owns now. */
  owned: number;
}

export const orgUsersQuery = z.object({
  q: z.string({ error: 'q 必须是文字' }).trim().max(64, '搜索词最长 64 个字').optional(),
  recent: z.enum(['0', '1'], { error: "recent 只能是 '1'（新人在前）或 '0'" }).default('0'),
  limit: queryNumber(z.number({ error: 'limit 必须是数字' }).int('limit 必须是整数').min(1, 'limit 至少为 1').max(200, 'limit 最多为 200').default(50)),
});
export type OrgUsersQuery = z.infer<typeof orgUsersQuery>;

/**
 * The tenant's users for HR, admins and managers (a manager sees only the subtrees they lead): matching `q` on name or
 * id, newest hires first with `recent=1` (no hire date last), else by id. The queries live here rather than in
 * org.repository.ts because this list is the route's only reader.
 */
export async function listOrgUsers(db: Db, actor: Actor, q: OrgUsersQuery): Promise<OrgUserDto[]> {
  const { tenantId } = actor;
  let scope: string[] | null = null;
  if (!actor.roles.includes('hr') && !actor.roles.includes('admin')) {
    const me = await findUser(db, tenantId, actor.userId);
    scope = await usersInSubtrees(db, tenantId, await departmentPaths(db, tenantId, me?.leaderOf ?? []));
    if (scope.length === 0) return [];
  }
  let query = db.selectFrom('users').select(['id', 'name', 'hired_date', 'active', 'roles']).where('tenant_id', '=', tenantId);
  if (scope) query = query.where('id', 'in', scope);
  if (q.q) {
    const text = q.q;
    query = query.where((eb) => eb.or([containsText('name', text), containsText('id', text)]));
  }
  // Both dialects sort NULL below every value, so DESC puts users without a hire date last.
  if (q.recent === '1') query = query.orderBy('hired_date', 'desc');
  const rows = await query.orderBy('id').limit(q.limit).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);

  const [depts, owned] = await Promise.all([
    db
      .selectFrom('user_departments as ud')
      .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
      .select(['ud.user_id', 'd.name'])
      .where('ud.tenant_id', '=', tenantId)
      .where('ud.user_id', 'in', ids)
      .orderBy('ud.user_id')
      .orderBy('ud.department_id')
      .execute(),
    db
      .selectFrom('customers')
      .select(['owner_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'owned')
      .where('owner_id', 'in', ids)
      .groupBy('owner_id')
      .execute(),
  ]);
  const deptNames = new Map<string, string[]>();
  for (const d of depts) deptNames.set(d.user_id, [...(deptNames.get(d.user_id) ?? []), d.name]);
  const ownedBy = new Map(owned.map((o) => [o.owner_id!, Number(o.n)]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    departments: deptNames.get(r.id) ?? [],
    hiredDate: r.hired_date,
    active: r.active === 1,
    roles: r.roles.split(',').filter(Boolean) as Role[],
    owned: ownedBy.get(r.id) ?? 0,
  }));
}

/** `GET /api/v1/org/users?q=&recent=1&limit=`: the people HR assigns customers to (HR, admins, managers). */
export function orgRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/org/users', requireRole('hr', 'admin', 'manager'), async (ctx) => {
    ctx.body = { items: await listOrgUsers(deps.db, ctx.state.actor!, parse(orgUsersQuery, ctx.query)) };
  });
  return router;
}
