import Router from '@koa/router';
import { PlatformError, type PlatformKind } from '@gonghai/plugin-core';
import type { Context } from 'koa';
import type { AppDeps, AppState } from '../../context';
import { AppError } from '../../errors';
import { findTenantById } from '../tenants/tenants.repository';
import { handlePlatformEvents } from './platform-events.service';

/** Callbacks are small (an encrypted event); anything larger is not from the platform. */
const MAX_CALLBACK_BYTES = 256 * 1024;

/**
 * The platforms' encrypted event callbacks (DESIGN §6, §9): `POST /callbacks/dingtalk/:tenantId`,
 * `GET|POST /callbacks/wecom/:tenantId`. Mounted before the body parser: the signature covers exact bytes. The
 * adapter verifies and decrypts; events are handled before the answer, so an answer of success means they are stored.
 */
export function callbackRoutes(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  const handle = (platform: PlatformKind) => async (ctx: Context) => {
    const tenantId = String(ctx.params.tenantId ?? '');
    const tenant = /^[A-Za-z0-9_-]{1,64}$/.test(tenantId) ? await findTenantById(deps.db, tenantId) : undefined;
    if (tenant === undefined || tenant.platform !== platform) throw new AppError(404, 'not_found', '没有这个企业的回调地址。');
    const adapter = await deps.platforms.adapterFor(tenantId);
    const body = ctx.method === 'POST' ? await readRawBody(ctx) : '';
    let result;
    try {
      result = adapter.callbacks.handle({ method: ctx.method as 'GET' | 'POST', rawQuery: ctx.querystring, body });
    } catch (error) {
      if (error instanceof PlatformError && (error.code === 'BAD_SIGNATURE' || error.code === 'INVALID_ARGUMENT' || error.code === 'INVALID_CREDENTIALS')) {
        deps.logger.warn({ tenantId, platform, reason: error.message }, 'callback refused');
        throw new AppError(401, 'bad_signature', '回调签名校验失败：请求不是来自平台，或回调 Token / EncodingAESKey 配置不一致。');
      }
      // Signed and decrypted, but not an event we can read (DingTalk: not a JSON object; WeCom: not a plain <xml>).
      if (error instanceof PlatformError && error.code === 'BAD_RESPONSE') {
        deps.logger.warn({ tenantId, platform, reason: error.message }, 'callback unreadable');
        throw new AppError(400, 'bad_callback_payload', '回调内容无法识别：解密后不是平台约定的事件格式，已忽略。');
      }
      throw error;
    }
    await handlePlatformEvents(deps, tenantId, adapter, result.events);
    ctx.status = result.reply.status;
    ctx.type = result.reply.contentType;
    ctx.body = result.reply.body;
  };
  router.post('/callbacks/dingtalk/:tenantId', handle('dingtalk'));
  router.get('/callbacks/wecom/:tenantId', handle('wecom'));
  router.post('/callbacks/wecom/:tenantId', handle('wecom'));
  return router;
}

async function readRawBody(ctx: Context): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > MAX_CALLBACK_BYTES) throw new AppError(413, 'payload_too_large', '回调内容过大。');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_CALLBACK_BYTES) throw new AppError(413, 'payload_too_large', '回调内容过大。');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
