import Router from '@koa/router';
import type { AppDeps, AppState } from '../../context';
import { loginRateLimit } from '../../http/rate-limit';
import { parse } from '../../http/validate';
import { loginBody } from './auth';
import { login } from './auth.service';

export function authRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.post('/api/v1/auth/login', loginRateLimit(deps), async (ctx) => {
    ctx.body = await login(deps, parse(loginBody, ctx.request.body));
  });
  return router;
}
