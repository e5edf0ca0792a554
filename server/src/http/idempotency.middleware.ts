import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppDeps, AppState } from '../context';
import { isUniqueViolation } from '../db/errors';
import { AppError } from '../errors';
import { renderError } from './errors.middleware';

const keyPattern = /^[\x21-\x7e]{1,128}$/;

/**
 * `Idempotency-Key` on POST: the first answer (any non-5xx) is stored per (tenant, user, key) and replayed to every
 * retry, so a weak network never claims or records twice. A retry while the first is running gets 409.
 */
export function idempotencyMiddleware(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const key = ctx.get('Idempotency-Key');
    const actor = ctx.state.actor;
    if (!key || ctx.method !== 'POST' || !actor) return next();
    if (!keyPattern.test(key)) {
      throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key 必须是 1–128 个可见 ASCII 字符（建议用 UUID）。');
    }
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify((ctx.request as { body?: unknown }).body ?? null)}`)
      .digest('hex');
    const where = { tenant_id: actor.tenantId, user_id: actor.userId, idem_key: key };
    const find = () =>
      deps.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('tenant_id', '=', where.tenant_id)
        .where('user_id', '=', where.user_id)
        .where('idem_key', '=', key)
        .executeTakeFirst();
    try {
      await deps.db.insertInto('idempotency_keys').values({ ...where, request_hash: requestHash, created_at: deps.clock.now() }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const first = await find();
      if (!first) throw new AppError(409, 'request_in_progress', '同一请求正在处理中，请稍后重试。');
      if (first.request_hash !== requestHash) {
        throw new AppError(422, 'idempotency_key_reused', '这个 Idempotency-Key 已用于另一个请求；每个新请求请使用新的键。');
      }
      if (first.status_code === null) throw new AppError(409, 'request_in_progress', '同一请求正在处理中，请稍后重试。');
      ctx.status = first.status_code;
      ctx.body = first.response_body === null ? undefined : JSON.parse(first.response_body);
      ctx.set('Idempotent-Replayed', 'true');
      return;
    }
    try {
      await next();
    } catch (err) {
      renderError(ctx, err);
    }
    const forget = () =>
      deps.db
        .deleteFrom('idempotency_keys')
        .where('tenant_id', '=', where.tenant_id)
        .where('user_id', '=', where.user_id)
        .where('idem_key', '=', key)
        .execute();
    if (ctx.status >= 500) {
      await forget();
      return;
    }
    await deps.db
      .updateTable('idempotency_keys')
      .set({ status_code: ctx.status, response_body: ctx.body === undefined ? null : JSON.stringify(ctx.body) })
      .where('tenant_id', '=', where.tenant_id)
      .where('user_id', '=', where.user_id)
      .where('idem_key', '=', key)
      .execute();
  };
}
