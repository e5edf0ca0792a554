import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { dashboardQuery } from './dashboard';
import { dashboardCsv } from './dashboard.csv';
import { dashboardPools } from './dashboard.service';

/**
 * The commander's dashboard (DESIGN §1 scenario C, §9): `GET /api/v1/dashboard/pools?from=&to=&regionId=` and the
 * same figures as CSV at `GET /api/v1/dashboard/pools.csv`. Managers see the pools of the subtrees they lead, admins
 * every pool.
 */
export function dashboardRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.get('/api/v1/dashboard/pools', requireRole('admin', 'manager'), async (ctx) => {
    ctx.body = await dashboardPools(deps, ctx.state.actor!, parse(dashboardQuery, ctx.query));
  });

  router.get('/api/v1/dashboard/pools.csv', requireRole('admin', 'manager'), async (ctx) => {
    const d = await dashboardPools(deps, ctx.state.actor!, parse(dashboardQuery, ctx.query));
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="gonghai-dashboard-${d.range.from}-${d.range.to}.csv"`);
    ctx.body = dashboardCsv(d);
  });

  return router;
}
