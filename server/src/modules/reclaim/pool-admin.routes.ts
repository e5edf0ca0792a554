import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { calendarBody, calendarQuery, poolBody, previewBody } from './pool-admin';
import { currentYear, listAdminPools, previewPool, replaceCalendar, tenantCalendar, updatePool } from './pool-admin.service';

/**
 * Pool settings and reclaim rules (DESIGN §4.3, §9): `GET /api/v1/admin/pools`, `PUT /api/v1/admin/pools/:id` (admin),
 * `POST /api/v1/admin/pools/:id/preview` (admin or manager: a dry-run sweep), and the tenant's working-day calendar
 * `GET, PUT /api/v1/admin/calendar` (admin).
 */
export function poolAdminRoutes(deps: AppDeps): Router<AppState> {
  const { db } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/admin/pools', requireRole('admin'), async (ctx) => {
    ctx.body = { items: await listAdminPools(db, ctx.state.actor!.tenantId) };
  });

  router.put('/api/v1/admin/pools/:id', requireRole('admin'), async (ctx) => {
    const poolId = pathId(ctx.params.id, '公海');
    ctx.body = { pool: await updatePool(deps, ctx.state.actor!, poolId, parse(poolBody, ctx.request.body)) };
  });

  router.post('/api/v1/admin/pools/:id/preview', requireRole('admin', 'manager'), async (ctx) => {
    const poolId = pathId(ctx.params.id, '公海');
    ctx.body = await previewPool(deps, ctx.state.actor!, poolId, parse(previewBody, ctx.request.body));
  });

  router.get('/api/v1/admin/calendar', requireRole('admin'), async (ctx) => {
    const actor = ctx.state.actor!;
    const { year } = parse(calendarQuery, ctx.query);
    ctx.body = await tenantCalendar(db, actor.tenantId, year ?? currentYear(deps.clock, actor.timeZone));
  });

  router.put('/api/v1/admin/calendar', requireRole('admin'), async (ctx) => {
    ctx.body = await replaceCalendar(db, ctx.state.actor!.tenantId, parse(calendarBody, ctx.request.body));
  });

  return router;
}
