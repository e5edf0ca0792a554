import type { Context, Middleware } from 'koa';
import { PlatformError } from '@gonghai/plugin-core';
import { ZodError } from 'zod';
import { AppError } from '../errors';

/** First in the chain: turns every failure into `{"error":{"code","message"}}`. 5xx never expose internals. */
export function errorMiddleware(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'not_found', message: `没有这个接口：${ctx.method} ${ctx.path}` } };
      }
    } catch (err) {
      renderError(ctx, err);
    }
  };
}

/** Sets the status and wire body for a thrown error; unexpected ones are reported to `app.on('error')`. */
export function renderError(ctx: Context, err: unknown): void {
      if (err instanceof AppError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, ...err.details } };
        return;
      }
      if (err instanceof ZodError) {
        ctx.status = 400;
        ctx.body = { error: { code: 'invalid_request', message: describeZod(err), issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } };
        return;
      }
      if (err instanceof PlatformError && err.code !== 'BAD_RESPONSE' && err.code !== 'UNKNOWN') {
        ctx.status = err.code === 'RATE_LIMITED' ? 503 : 502;
        ctx.body = { error: { code: 'platform_unavailable', message: platformMessage(err) } };
        ctx.app.emit('error', err, ctx);
        return;
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
        ctx.body = { error: { code, message: status === 413 ? '请求内容过大。' : '请求格式不正确，请检查后重试（需要 JSON）。' } };
        return;
      }
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: `服务器出错了，请稍后重试；如果一直失败，请把编号 ${ctx.state.requestId} 告诉管理员。` } };
      ctx.app.emit('error', err, ctx);
}

/** The platform failed us; say so plainly and what to do, without vendor internals. */
function platformMessage(err: PlatformError): string {
  switch (err.code) {
    case 'RATE_LIMITED':
      return '钉钉/企业微信接口调用过于频繁，请稍等一分钟再试。';
    case 'INVALID_CREDENTIALS':
      return '企业的钉钉/企业微信应用凭证无效，请管理员检查 AppKey / Secret 配置。';
    case 'FORBIDDEN':
      return '应用没有调用该钉钉/企业微信接口的权限，请管理员在开发者后台开通相应权限。';
    default:
      return '暂时连不上钉钉/企业微信，请稍后重试。';
  }
}

function describeZod(err: ZodError): string {
  const parts = err.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  return `请求参数不正确：${parts.join('；')}`;
}
