import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { AppError } from '../errors';

/** No request of the API nests deeper than a few levels (a check-in's fixes are three); 32 leaves room and no more. */
export const MAX_JSON_DEPTH = 32;

const tooDeep = () =>
  new AppError(400, 'invalid_request', `请求内容嵌套层级过深（最多 ${MAX_JSON_DEPTH} 层），请检查请求格式。`);

/**
 * The JSON body of every request, parsed once: at most 1 MB, UTF-8, compressed or not (gzip, deflate, br), and at most
 * MAX_JSON_DEPTH levels deep so no later walker (validation, the idempotency hash, logging) can run out of stack on a
 * hostile body. A body that does not decompress is the client's fault: 400, never a 500.
 */
export function jsonBody(): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' });
  return async (ctx, next) => {
    try {
      await parse(ctx, async () => undefined);
    } catch (err) {
      throw bodyError(err);
    }
    if (exceedsDepth((ctx.request as { body?: unknown }).body, MAX_JSON_DEPTH)) throw tooDeep();
    await next();
  };
}

/** What a failed body read means to the client. Errors that already carry a 4xx status pass through as they are. */
function bodyError(err: unknown): unknown {
  const e = err as { status?: number; code?: string; errno?: number; type?: string };
  if (e.status !== undefined && e.status >= 400 && e.status < 500) {
    if (e.status === 415 && e.type === 'encoding.unsupported') {
      return new AppError(415, 'unsupported_media_type', '不支持这种内容压缩方式（Content-Encoding）：请用 gzip、deflate、br 或不压缩。');
    }
    return err;
  }
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR, brotli's ERR__ERROR_FORMAT_…) carry a code and no status: the body is not
  // what its Content-Encoding says.
  if (typeof e.code === 'string' && typeof e.errno === 'number') {
    return new AppError(400, 'invalid_request', '请求内容无法解压：与声明的压缩方式（Content-Encoding）不符，请检查后重试。');
  }
  return err;
}

/** Whether `value` nests deeper than `max` arrays/objects; iterative, so its own stack never grows with the input. */
export function exceedsDepth(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
