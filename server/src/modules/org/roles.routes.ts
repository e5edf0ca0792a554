import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { notFound } from '../../errors';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { adminUsersQuery, rolesBody } from './roles';
import { listUsersForAdmin } from './roles.repository';
import { setUserRoles } from './roles.service';

/**
 * Admins and roles (issue 19): `GET /api/v1/admin/users?q=&role=&limit=&offset=` → `{total, items}` and
 * `PUT /api/v1/admin/users/:userId/roles` `{roles}` → `{user}`, both admin only.
 */
export function rolesRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.get('/api/v1/admin/users', requireRole('admin'), async (ctx) => {
    ctx.body = await listUsersForAdmin(deps.db, ctx.state.actor!.tenantId, parse(adminUsersQuery, ctx.query));
  });

  router.put('/api/v1/admin/users/:userId/roles', requireRole('admin'), async (ctx) => {
    const userId = ctx.params.userId ?? '';
    // Platform user ids are at most 64 characters (the users table's width): a longer one names nobody.
    if (userId === '' || userId.length > 64) throw notFound('员工');
    const { roles } = parse(rolesBody, ctx.request.body);
    ctx.body = { user: await setUserRoles(deps, ctx.state.actor!, userId, roles) };
  });

  return router;
}
