import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppDeps, AppState } from '../context';
import { isUniqueViolation } from '../db/errors';
import { AppError } from '../errors';
import { renderError } from './errors.middleware';
import { sentMethod } from './method-override';
import {
  findIdempotencyKey,
  forgetIdempotencyKey,
  insertIdempotencyKey,
  recordIdempotentAnswer,
  type IdempotencyKeyRef,
} from './idempotency.repository';

const keyPattern = /^[\x21-\x7e]{1,128}$/;

/** How long a key is remembered: a retry comes within minutes; after a day the same key is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** No request runs this long; a key still "in progress" after it was left by a process that stopped. */
const ABANDONED_AFTER_MS = 5 * 60_000;

const inProgress = () => new AppError(409, 'request_in_progress', '同一请求正在处理中，请稍后重试。');

/**
 * `Idempotency-Key` on POST: the first answer (any non-5xx) is stored per (tenant, user, key) for 24 hours and replayed
 * to every retry, so a weak network never claims or records twice. A retry while the first is running gets 409. Keys
 * older than 24 hours, and keys left in progress for 5 minutes (the process died), count as unused here; the
 * idempotency-expiry job deletes old ones.
 */
export function idempotencyMiddleware(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const key = ctx.get('Idempotency-Key');
    const actor = ctx.state.actor;
    // A POST overridden to PUT/PATCH/DELETE (method-override.ts) keeps its key: it is retried like any POST.
    if (!key || sentMethod(ctx) !== 'POST' || !actor) return next();
    if (!keyPattern.test(key)) {
      throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key 必须是 1–128 个可见 ASCII 字符（建议用 UUID）。');
    }
    // The body is at most MAX_JSON_DEPTH deep (json-body.ts), so stringifying it cannot run out of stack.
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify((ctx.request as { body?: unknown }).body ?? null)}`)
      .digest('hex');
    const ref: IdempotencyKeyRef = { tenantId: actor.tenantId, userId: actor.userId, key };
    const now = deps.clock.now();
    let claimed = false;
    for (let attempt = 0; !claimed; attempt++) {
      try {
        await insertIdempotencyKey(deps.db, ref, requestHash, now);
        claimed = true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const first = await findIdempotencyKey(deps.db, ref);
        if (!first) throw inProgress();
        const age = now - Number(first.created_at);
        // Expired but not yet swept, or left "in progress" by a process that died mid-request: the key is free again.
        if (attempt === 0 && (age >= IDEMPOTENCY_TTL_MS || (first.status_code === null && age >= ABANDONED_AFTER_MS))) {
          await forgetIdempotencyKey(deps.db, ref);
          continue;
        }
        if (first.request_hash !== requestHash) {
          throw new AppError(422, 'idempotency_key_reused', '这个 Idempotency-Key 已用于另一个请求；每个新请求请使用新的键。');
        }
        if (first.status_code === null) throw inProgress();
        ctx.status = first.status_code;
        ctx.body = first.response_body === null ? undefined : JSON.parse(first.response_body);
        ctx.set('Idempotent-Replayed', 'true');
        return;
      }
    }
    try {
      await next();
    } catch (err) {
      renderError(ctx, err);
    }
    // A 429 says "retry later" (rate-limit.ts): the retry with the same key must run, not replay the refusal.
    if (ctx.status >= 500 || ctx.status === 429) {
      await forgetIdempotencyKey(deps.db, ref);
      return;
    }
    await recordIdempotentAnswer(deps.db, ref, now, ctx.status, ctx.body === undefined ? null : JSON.stringify(ctx.body));
  };
}
