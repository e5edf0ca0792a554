import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { transferBody } from './transfer';
import { transferCustomers } from './transfer.service';

/**
 * `POST /api/v1/customers/transfer` (manager in scope, admin) → `{transferred, toUserId, toPoolId, notified}`; all or
 * nothing: a refusal answers its status with `refused: [{customerId, code, message}]` and moves nothing.
 */
export function transferRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.post('/api/v1/customers/transfer', requireRole('manager', 'admin'), async (ctx) => {
    ctx.body = await transferCustomers(deps, ctx.state.actor!, parse(transferBody, ctx.request.body));
  });
  // Another method on this path would otherwise reach GET /api/v1/customers/:id and answer "客户不存在": say which
  // method the path takes instead (the error middleware shapes the bare 405).
  router.all('/api/v1/customers/transfer', (ctx) => {
    ctx.set('Allow', 'POST');
    ctx.status = 405;
  });
  return router;
}
