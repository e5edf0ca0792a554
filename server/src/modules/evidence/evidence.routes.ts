import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { verifyEvidence } from './evidence.service';

/** `GET /api/v1/admin/evidence/verify` (admin): recomputes the tenant's chain from the stored rows and files. */
export function evidenceRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/admin/evidence/verify', requireRole('admin'), async (ctx) => {
    parse(z.object({}).strict(), ctx.query);
    const result = await verifyEvidence(deps.db, deps.photos, deps.evidenceKey, ctx.state.actor!.tenantId, deps.clock.now());
    ctx.body = result;
  });
  return router;
}
