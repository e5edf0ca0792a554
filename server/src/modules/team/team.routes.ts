import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { teamMemberParams } from './team';
import { latestReclaims, teamMemberCustomers, teamOverview } from './team.service';

/**
 * 我的团队 and 最近收回 for managers (their department subtrees) and admins (everyone): `GET /api/v1/team`,
 * `GET /api/v1/team/:userId/customers` and `GET /api/v1/reclaims/latest`. Mounted behind requireAuth.
 */
export function teamRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  const managers = requireRole('admin', 'manager');

  router.get('/api/v1/team', managers, async (ctx) => {
    ctx.body = await teamOverview(deps, ctx.state.actor!);
  });

  router.get('/api/v1/team/:userId/customers', managers, async (ctx) => {
    const { userId } = parse(teamMemberParams, ctx.params);
    ctx.body = await teamMemberCustomers(deps.db, ctx.state.actor!, userId);
  });

  router.get('/api/v1/reclaims/latest', managers, async (ctx) => {
    ctx.body = await latestReclaims(deps.db, ctx.state.actor!);
  });

  return router;
}
