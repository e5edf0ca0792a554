import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { userRateLimit } from '../../http/rate-limit';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { customerDtos } from '../customers/customers.service';
import { poolCustomersPage } from '../customers/customers.repository';
import { assessClaimLocation } from './claim-location';
import { assignCustomer, claimCustomer, releaseCustomer, type ClaimLocator } from './claim.service';
import { nearbyPoolCustomers } from './nearby.service';
import { assignBody, claimBody, nearbyQuery, poolListQuery, releaseBody } from './pool';
import { listPools, memberPoolIds } from './pool.repository';

/** Pool routes: nearby search, listing, claim, release, assign. Mounted behind requireAuth. */
export function poolRoutes(deps: AppDeps): Router<AppState> {
  const { db, clock } = deps;
  const router = new Router<AppState>();

  router.get('/api/v1/pool/nearby', async (ctx) => {
    ctx.body = { items: await nearbyPoolCustomers(db, ctx.state.actor!, parse(nearbyQuery, ctx.query)) };
  });

  router.get('/api/v1/pool/customers', async (ctx) => {
    const actor = ctx.state.actor!;
    const q = parse(poolListQuery, ctx.query);
    const mine = await memberPoolIds(db, actor.tenantId, actor.userId);
    const poolIds = q.poolId === undefined ? mine : mine.filter((p) => p === q.poolId);
    const rows = await poolCustomersPage(db, {
      tenantId: actor.tenantId,
      poolIds,
      search: q.q || undefined,
      afterId: q.cursor === undefined ? undefined : Number(q.cursor),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    ctx.body = {
      items: await customerDtos(db, actor, page),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  });

  router.get('/api/v1/pools', async (ctx) => {
    const actor = ctx.state.actor!;
    const mine = new Set(await memberPoolIds(db, actor.tenantId, actor.userId));
    const pools = await listPools(db, actor.tenantId);
    ctx.body = { items: pools.map((p) => ({ ...p, member: mine.has(p.id) })) };
  });

  router.post('/api/v1/customers/:id/claim', userRateLimit(deps, 'claimsPerUser'), async (ctx) => {
    const actor = ctx.state.actor!;
    const customerId = pathId(ctx.params.id);
    const body = parse(claimBody, ctx.request.body);
    const locate: ClaimLocator = (customer, radiusM) => assessClaimLocation(deps, actor, { customerId, ...customer, radiusM }, body);
    ctx.body = { customer: await claimCustomer(db, clock, actor, customerId, body, locate) };
  });

  router.post('/api/v1/customers/:id/release', async (ctx) => {
    ctx.body = { customer: await releaseCustomer(db, clock, ctx.state.actor!, pathId(ctx.params.id), parse(releaseBody, ctx.request.body)) };
  });

  router.post('/api/v1/customers/:id/assign', requireRole('manager', 'hr', 'admin'), async (ctx) => {
    ctx.body = { customer: await assignCustomer(db, clock, ctx.state.actor!, pathId(ctx.params.id), parse(assignBody, ctx.request.body)) };
  });

  return router;
}
