import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { parse } from '../../http/validate';
import { requireRole } from '../auth/auth.middleware';
import { tenantSettingsBody } from './tenant-settings';
import { adminTenantSettings, setAdminTenantSettings } from './tenants.service';

/**
 * `GET /api/v1/admin/settings` → `{settings: {departurePolicy, appealDays}}` and `PUT /api/v1/admin/settings`
 * `{departurePolicy?, appealDays?}` → the same (admin only): where a leaver's customers go, and how long a rep may
 * appeal a reclaim.
 */
export function tenantSettingsRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/admin/settings', requireRole('admin'), async (ctx) => {
    ctx.body = { settings: await adminTenantSettings(deps.db, ctx.state.actor!.tenantId) };
  });
  router.put('/api/v1/admin/settings', requireRole('admin'), async (ctx) => {
    ctx.body = { settings: await setAdminTenantSettings(deps.db, deps.secrets, ctx.state.actor!.tenantId, parse(tenantSettingsBody, ctx.request.body)) };
  });
  return router;
}
