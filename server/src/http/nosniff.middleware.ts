import type { Middleware } from 'koa';

/**
 * `X-Content-Type-Options: nosniff` on every answer (DESIGN §15): a browser takes each body as the type it is served
 * with, so a stored photo or an error body can never be run as a script or a page whatever its bytes look like.
 */
export function nosniffMiddleware(): Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  };
}
