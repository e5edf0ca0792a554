import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { notFound } from '../../errors';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { handoverBody } from '../pool/transfer';
import { handoverListQuery } from './handover';
import { handOver, listPendingHandovers } from './handover.service';

/**
 * `GET /api/v1/handovers?status=pending` (admin, manager) → `{items: PendingHandoverDto[]}`: the leavers waiting for a
 * successor, in the caller's scope.
 * `POST /api/v1/admin/users/:userId/handover` `{toUserId, force?}` (admin, or a manager in scope of both) →
 * `{transferred, toUserId, toPoolId, notified, reason}`; all or nothing, refusals as in a transfer.
 */
export function handoverRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/handovers', requireRole('admin', 'manager'), async (ctx) => {
    ctx.body = { items: await listPendingHandovers(deps, ctx.state.actor!, parse(handoverListQuery, ctx.query)) };
  });
  router.post('/api/v1/admin/users/:userId/handover', requireRole('admin', 'manager'), async (ctx) => {
    const userId = ctx.params.userId ?? '';
    // Platform user ids are at most 64 characters (the users table's width): a longer one names nobody.
    if (userId === '' || userId.length > 64) throw notFound('员工');
    ctx.body = await handOver(deps, ctx.state.actor!, userId, parse(handoverBody, ctx.request.body));
  });
  return router;
}
