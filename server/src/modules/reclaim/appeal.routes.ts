import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { appealBody, appealDecisionBody, appealsQuery } from './appeal';
import { appealsFor, decideAppeal, fileAppeal, myReclaimed } from './appeal.service';

/**
 * Appeals against a reclaim (issue 19 item 7): `POST /api/v1/customers/:id/appeal` `{reason}` (the rep it was
 * reclaimed from, within the tenant's appealDays) → 201 `{appeal}`; `GET /api/v1/appeals?status=` → `{items}` (a rep's
 * own, a manager's scope, all for an admin); `POST /api/v1/appeals/:id/decision` `{decision, note?, force?}` (manager
 * in scope, admin) → `{appeal}`; `GET /api/v1/me/reclaimed` → `{appealDays, items}`: the rep's customers reclaimed within the
 * window, each with its appeal if any.
 */
export function appealRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();

  router.post('/api/v1/customers/:id/appeal', async (ctx) => {
    ctx.status = 201;
    ctx.body = await fileAppeal(deps, ctx.state.actor!, pathId(ctx.params.id), parse(appealBody, ctx.request.body));
  });

  router.get('/api/v1/me/reclaimed', async (ctx) => {
    ctx.body = await myReclaimed(deps, ctx.state.actor!);
  });

  router.get('/api/v1/appeals', async (ctx) => {
    ctx.body = await appealsFor(deps.db, ctx.state.actor!, parse(appealsQuery, ctx.query));
  });

  router.post('/api/v1/appeals/:id/decision', requireRole('manager', 'admin'), async (ctx) => {
    ctx.body = await decideAppeal(deps, ctx.state.actor!, pathId(ctx.params.id, '申诉'), parse(appealDecisionBody, ctx.request.body));
  });

  return router;
}
