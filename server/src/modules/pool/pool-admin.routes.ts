import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { archiveBody, poolBody, previewBody } from './pool-admin';
import { archivePool, createPool, listAdminPools, previewPool, updatePool } from './pool-admin.service';
import { poolCustomerCounts } from './pool-counts.repository';

/**
 * Pool settings and reclaim rules (DESIGN §4.3, §9): `GET /api/v1/admin/pools`, `GET /api/v1/admin/pool-counts` (customers per pool), `POST /api/v1/admin/pools` (create),
 * `PUT /api/v1/admin/pools/:id`, `POST /api/v1/admin/pools/:id/archive` (admin), and
 * `POST /api/v1/admin/pools/:id/preview` (admin or manager: a dry-run sweep).
 */
export function poolAdminRoutes(deps: AppDeps): Router<AppState> {
  const { db } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/admin/pools', requireRole('admin'), async (ctx) => {
    ctx.body = { items: await listAdminPools(db, ctx.state.actor!.tenantId) };
  });

  // The customers each pool holds, for the 公海池 list and the archive confirmation (not in the pool's settings shape;
  // not under /pools/, where every other method would reach the `:id` routes instead of a 405).
  router.get('/api/v1/admin/pool-counts', requireRole('admin'), async (ctx) => {
    ctx.body = { items: await poolCustomerCounts(db, ctx.state.actor!.tenantId) };
  });

  router.post('/api/v1/admin/pools', requireRole('admin'), async (ctx) => {
    const pool = await createPool(deps, ctx.state.actor!, parse(poolBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = { pool };
  });

  router.put('/api/v1/admin/pools/:id', requireRole('admin'), async (ctx) => {
    const poolId = pathId(ctx.params.id, '公海');
    ctx.body = { pool: await updatePool(deps, ctx.state.actor!, poolId, parse(poolBody, ctx.request.body)) };
  });

  router.post('/api/v1/admin/pools/:id/archive', requireRole('admin'), async (ctx) => {
    const poolId = pathId(ctx.params.id, '公海');
    ctx.body = await archivePool(deps, ctx.state.actor!, poolId, parse(archiveBody, ctx.request.body));
  });

  router.post('/api/v1/admin/pools/:id/preview', requireRole('admin', 'manager'), async (ctx) => {
    const poolId = pathId(ctx.params.id, '公海');
    ctx.body = await previewPool(deps, ctx.state.actor!, poolId, parse(previewBody, ctx.request.body));
  });

  return router;
}
