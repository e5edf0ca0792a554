import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { calendarBody, calendarQuery } from './calendar-admin';
import { currentYear, replaceCalendar, tenantCalendar } from './calendar-admin.service';

/** The tenant's working-day calendar that reclaim clocks count by (DESIGN §4.3): `GET, PUT /api/v1/admin/calendar` (admin). */
export function calendarAdminRoutes(deps: AppDeps): Router<AppState> {
  const { db } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/admin/calendar', requireRole('admin'), async (ctx) => {
    const actor = ctx.state.actor!;
    const { year } = parse(calendarQuery, ctx.query);
    ctx.body = await tenantCalendar(db, actor.tenantId, year ?? currentYear(deps.clock, actor.timeZone));
  });

  router.put('/api/v1/admin/calendar', requireRole('admin'), async (ctx) => {
    ctx.body = await replaceCalendar(db, ctx.state.actor!.tenantId, parse(calendarBody, ctx.request.body), deps.clock.now());
  });

  return router;
}
