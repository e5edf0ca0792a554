import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { createAssignmentBody, listAssignmentsQuery, suggestQuery } from './assignments';
import { createAssignment, getAssignment, listAssignments } from './assignments.service';
import { suggestStarterPack } from './starter-pack.service';

/**
 * HR assignment through the platform's approval flow (DESIGN §7, §9): the suggested starter pack, the request
 * (HR only), and the requests with their customers (HR and admins).
 */
export function assignmentRoutes(deps: AppDeps): Router<AppState> {
  const { db } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/assignments/suggest', requireRole('hr'), async (ctx) => {
    ctx.body = await suggestStarterPack(db, ctx.state.actor!, parse(suggestQuery, ctx.query), deps.clock.now());
  });

  router.post('/api/v1/assignments', requireRole('hr'), async (ctx) => {
    const result = await createAssignment(deps, ctx.state.actor!, parse(createAssignmentBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = result;
  });

  router.get('/api/v1/assignments', requireRole('hr', 'admin'), async (ctx) => {
    ctx.body = await listAssignments(db, ctx.state.actor!, parse(listAssignmentsQuery, ctx.query));
  });

  router.get('/api/v1/assignments/:id', requireRole('hr', 'admin'), async (ctx) => {
    ctx.body = { assignment: await getAssignment(db, ctx.state.actor!, pathId(ctx.params.id, '分配申请')) };
  });

  return router;
}
