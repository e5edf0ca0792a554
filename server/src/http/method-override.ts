import type { IncomingMessage } from 'node:http';
import type { Context, Middleware } from 'koa';
import { AppError } from '../errors';

/** The methods a POST may stand for: the writes `wx.request` (no PATCH) and `dd.httpRequest` (GET and POST only) cannot send. */
const OVERRIDABLE = ['PUT', 'PATCH', 'DELETE'] as const;

/** Requests that arrived as POST and now carry another method (keyed by Node's request: ctx.method rewrites req.method). */
const sentAsPost = new WeakSet<IncomingMessage>();

/** The method the client put on the wire: `POST` for an overridden request, else `ctx.method`. */
export function sentMethod(ctx: Pick<Context, 'req' | 'method'>): string {
  return sentAsPost.has(ctx.req) ? 'POST' : ctx.method;
}

/**
 * `X-HTTP-Method-Override: PUT|PATCH|DELETE` on a POST routes it as that method, so the mini-programs reach every REST
 * route with GET and POST alone (issue 17 item 3; the REST methods stay for other clients).
 *
 * - Only a POST may carry it: on any other method it is refused, not ignored. A GET that says "I am a PUT" is a client
 *   bug, and answering it as a read would report success for a write that never happened.
 * - Only PUT, PATCH and DELETE: overriding to GET/HEAD/POST or anything else is refused, so the header can never turn a
 *   write into a read or reach a method no client needs.
 * - An overridden POST is still a POST for the idempotency middleware (`sentMethod`): its `Idempotency-Key` is honoured
 *   and a retry replays the first answer, as for any POST from a weak network (winning a deal again would
 *   otherwise move its closing time to the retry's). The stored request hash covers the overriding method, the path
 *   and the body, so the same key on another request is refused as reused (422).
 */
export function methodOverrideMiddleware(): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('X-HTTP-Method-Override');
    if (!header) return next();
    if (ctx.method !== 'POST') {
      throw new AppError(
        400,
        'method_override_not_allowed',
        `X-HTTP-Method-Override 只能用在 POST 请求上，这个请求是 ${ctx.method}：请去掉这个头，或改用 POST 发送。`,
      );
    }
    const method = header.trim().toUpperCase();
    if (!(OVERRIDABLE as readonly string[]).includes(method)) {
      throw new AppError(
        400,
        'invalid_method_override',
        `X-HTTP-Method-Override 只能是 ${OVERRIDABLE.join('、')}，收到的是「${header.slice(0, 20)}」：GET 和 POST 请直接发送，不要带这个头。`,
      );
    }
    sentAsPost.add(ctx.req);
    ctx.method = method;
    await next();
  };
}
