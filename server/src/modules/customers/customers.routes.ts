import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse, pathId } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { findTenantById } from '../tenants/tenants.repository';
import { addContact, editContact, editCustomer, removeContact } from './customer-edit.service';
import { mergeCustomers } from './customer-merge.service';
import { contactBody, createCustomerBody, dealBody, dealStatusBody, followUpBody, mergeBody, updateContactBody, updateCustomerBody } from './customers';
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

  /** Owner, a manager of the owner, or an admin (pool customers: admins only); answers the profile. */
  router.patch('/api/v1/customers/:id', async (ctx) => {
    const id = pathId(ctx.params.id);
    ctx.body = { customer: await editCustomer(db, clock, ctx.state.actor!, id, parse(updateCustomerBody, ctx.request.body)) };
  });

  router.post('/api/v1/customers/:id/contacts', async (ctx) => {
    const id = pathId(ctx.params.id);
    ctx.status = 201;
    ctx.body = { contact: await addContact(db, clock, ctx.state.actor!, id, parse(contactBody, ctx.request.body)) };
  });

  router.patch('/api/v1/customers/:id/contacts/:contactId', async (ctx) => {
    const [id, contactId] = [pathId(ctx.params.id), pathId(ctx.params.contactId, '联系人')];
    ctx.body = { contact: await editContact(db, clock, ctx.state.actor!, id, contactId, parse(updateContactBody, ctx.request.body)) };
  });

  router.delete('/api/v1/customers/:id/contacts/:contactId', async (ctx) => {
    await removeContact(db, clock, ctx.state.actor!, pathId(ctx.params.id), pathId(ctx.params.contactId, '联系人'));
    ctx.status = 204;
  });

  /** Two records of one customer: `:id` is merged into `intoId`, which answers with its profile. */
  router.post('/api/v1/admin/customers/:id/merge', requireRole('admin'), async (ctx) => {
    const id = pathId(ctx.params.id);
    ctx.body = { customer: await mergeCustomers(deps, ctx.state.actor!, id, parse(mergeBody, ctx.request.body).intoId) };
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
