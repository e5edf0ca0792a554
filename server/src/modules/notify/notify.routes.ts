import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId, queryNumber } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { listDeadLetters, retryDeadLetter } from './outbox.service';

const deadQuery = z.object({ limit: queryNumber(z.number().int().min(1).max(500).default(100)) }).strict();

/**
 * `GET /api/v1/admin/outbox/dead` (admin): messages the dispatcher gave up on, with the last error;
 * `POST /api/v1/admin/outbox/:id/retry` (admin): puts one back in the queue with its attempts reset.
 */
export function notifyRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/admin/outbox/dead', requireRole('admin'), async (ctx) => {
    const { limit } = parse(deadQuery, ctx.query);
    ctx.body = { items: await listDeadLetters(deps.db, deps.secrets, ctx.state.actor!.tenantId, limit) };
  });
  router.post('/api/v1/admin/outbox/:id/retry', requireRole('admin'), async (ctx) => {
    const id = pathId(ctx.params.id, '失败消息');
    await retryDeadLetter(deps.db, ctx.state.actor!.tenantId, id, deps.clock.now());
    ctx.body = { id, status: 'pending' };
  });
  return router;
}
