import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { requireRole } from '../auth/auth.middleware';
import { onboardingSteps } from './onboarding.service';

/** `GET /api/v1/admin/onboarding` (admin) → `{steps}`: the 开通向导 checklist, decided from the database. */
export function onboardingRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/v1/admin/onboarding', requireRole('admin'), async (ctx) => {
    const { tenantId, timeZone } = ctx.state.actor!;
    ctx.body = { steps: await onboardingSteps(deps.db, tenantId, timeZone) };
  });
  return router;
}
