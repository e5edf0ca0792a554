import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import type { AppDeps, AppState } from './context';
import { errorMiddleware } from './http/errors.middleware';
import { DEFAULT_H5_DIR, h5Static } from './http/h5-static';
import { idempotencyMiddleware } from './http/idempotency.middleware';
import { jsonBody } from './http/json-body';
import { landingPage } from './http/landing-page';
import { methodOverrideMiddleware } from './http/method-override';
import { nosniffMiddleware } from './http/nosniff.middleware';
import { DbHealth, monotonicClock } from './http/db-health';
import type { Readiness } from './http/readiness';
import { assignmentRoutes } from './modules/assignments/assignments.routes';
import { requireAuth } from './modules/auth/auth.middleware';
import { authRoutes } from './modules/auth/auth.routes';
import { customerImportRoutes } from './modules/customers/customer-import.routes';
import { customerRoutes } from './modules/customers/customers.routes';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes';
import { evidenceRoutes } from './modules/evidence/evidence.routes';
import { callbackRoutes } from './modules/integrations/callbacks.routes';
import { jsapiRoutes } from './modules/integrations/jsapi.routes';
import { notifyRoutes } from './modules/notify/notify.routes';
import { onboardingRoutes } from './modules/onboarding/onboarding.routes';
import { orgRoutes } from './modules/org/org.routes';
import { poolAdminRoutes } from './modules/pool/pool-admin.routes';
import { departmentAdminRoutes } from './modules/org/department-admin.routes';
import { poolRoutes } from './modules/pool/pool.routes';
import { transferRoutes } from './modules/pool/transfer.routes';
import { appealRoutes } from './modules/reclaim/appeal.routes';
import { handoverRoutes } from './modules/org/handover.routes';
import { tenantSettingsRoutes } from './modules/tenants/tenant-settings.routes';
import { rolesRoutes } from './modules/org/roles.routes';
import { calendarAdminRoutes } from './modules/reclaim/calendar-admin.routes';
import { teamRoutes } from './modules/team/team.routes';
import { visitRoutes } from './modules/visits/visits.routes';
import type { Sandboxes } from './platform/registry';

export interface BuildAppOptions {
  /** Mounted only when PLATFORM_SANDBOX=on (DESIGN §9). */
  sandboxes?: Sandboxes;
  /** The built H5 app served at `/` (default miniapp/dist/h5); the landing page answers `/` while it is not built. */
  h5Dir?: string;
  /** Start-up progress: `/healthz` answers 503 with its reason until it is ready (DESIGN §9). Left out: ready. */
  readiness?: Readiness;
  /** The database probe behind `/healthz`; by default it asks the database at most once a second. */
  dbHealth?: DbHealth;
}

/** Builds the Koa app without listening: tests and main.ts both use it. */
export function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Koa<AppState> {
  const app = new Koa<AppState>();
  app.proxy = true;
  // ctx.ip is the last X-Forwarded-For entry, the one our reverse proxy appended; what a client put before it is not
  // believed (the login rate limits count per address). README "Rate limits".
  app.maxIpsCount = 1;
  app.silent = true;
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, requestId: ctx?.state?.requestId, path: ctx?.path }, 'request failed');
  });

  app.use(async (ctx, next) => {
    ctx.state.requestId = ctx.get('X-Request-Id').slice(0, 64) || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  });
  app.use(nosniffMiddleware());
  app.use(errorMiddleware());
  app.use(methodOverrideMiddleware()); // before every router and the idempotency middleware: README "Method override"
  // Before the body parser: callback signatures cover the exact bytes received.
  const callbacks = callbackRoutes(deps);
  app.use(callbacks.routes()).use(callbacks.allowedMethods());
  app.use(jsonBody());

  app.use(h5Static(options.h5Dir ?? DEFAULT_H5_DIR));
  const open = new Router<AppState>();
  const dbHealth = options.dbHealth ?? new DbHealth(deps.db, monotonicClock);
  open.get('/healthz', async (ctx) => {
    const health = await dbHealth.check();
    if (health.db !== 'ok') {
      ctx.status = 503;
      ctx.body = { ok: false, ...health };
      return;
    }
    const notReady = options.readiness?.reason;
    if (notReady === undefined) {
      ctx.body = { ok: true, db: 'ok' };
    } else {
      ctx.status = 503;
      ctx.body = { ok: false, db: 'ok', reason: notReady };
    }
  });
  open.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = landingPage(Boolean(options.sandboxes));
  });
  app.use(open.routes()).use(open.allowedMethods());
  const auth = authRoutes(deps);
  app.use(auth.routes()).use(auth.allowedMethods());
  for (const router of options.sandboxes?.routers ?? []) app.use(router.routes()).use(router.allowedMethods());

  const api = new Router<AppState>();
  api.use('/api/v1', requireAuth(deps), idempotencyMiddleware(deps));
  for (const routes of [poolRoutes(deps), poolAdminRoutes(deps), departmentAdminRoutes(deps), calendarAdminRoutes(deps), transferRoutes(deps), appealRoutes(deps), handoverRoutes(deps), tenantSettingsRoutes(deps), customerRoutes(deps), customerImportRoutes(deps), visitRoutes(deps), evidenceRoutes(deps), jsapiRoutes(deps), notifyRoutes(deps), assignmentRoutes(deps), dashboardRoutes(deps), orgRoutes(deps), rolesRoutes(deps), teamRoutes(deps), onboardingRoutes(deps)]) api.use(routes.routes(), routes.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}
