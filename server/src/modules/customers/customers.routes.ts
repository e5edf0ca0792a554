import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { findTenantById } from '../tenants/tenants.repository';
import { createCustomerBody, dealBody, dealStatusBody, followUpBody } from './customers';
import { addDeal, addFollowUp, createCustomer, customerProfile, myCustomers, setDealStatus } from './customers.service';

export function customerRoutes(deps: AppDeps): Router<AppState> {
  const { db, clock } = deps;
  const router = new Router<AppState>();

  router.post('/api/v1/customers', async (ctx) => {
    ctx.status = 201;
    ctx.body = { customer: await createCustomer(db, clock, ctx.state.actor!, parse(createCustomerBody, ctx.request.body)) };
  });

  router.get('/api/v1/customers/:id', async (ctx) => {
    ctx.body = { customer: await customerProfile(db, ctx.state.actor!, pathId(ctx.params.id)) };
  });

  router.get('/api/v1/me/customers', async (ctx) => {
    ctx.body = { items: await myCustomers(db, ctx.state.actor!) };
  });

  router.get('/api/v1/me/release-reasons', async (ctx) => {
    const tenant = await findTenantById(db, ctx.state.actor!.tenantId);
    ctx.body = { items: tenant?.settings.releaseReasons ?? [] };
  });

  router.post('/api/v1/customers/:id/follow-ups', async (ctx) => {
    ctx.status = 201;
    ctx.body = { followUp: await addFollowUp(db, clock, ctx.state.actor!, pathId(ctx.params.id), parse(followUpBody, ctx.request.body)) };
  });

  router.post('/api/v1/customers/:id/deals', async (ctx) => {
    ctx.status = 201;
    ctx.body = { deal: await addDeal(db, clock, ctx.state.actor!, pathId(ctx.params.id), parse(dealBody, ctx.request.body)) };
  });

  router.patch('/api/v1/customers/:id/deals/:dealId', async (ctx) => {
    const body = parse(dealStatusBody, ctx.request.body);
    ctx.body = { deal: await setDealStatus(db, clock, ctx.state.actor!, pathId(ctx.params.id), pathId(ctx.params.dealId, '商机'), body.status) };
  });

  return router;
}
