import type { IncomingMessage } from 'node:http';

/** The part of a Koa context the reader needs; kept structural so core does not depend on Koa. */
export interface BodyCarrier {
  req: IncomingMessage;
  request: object;
}

export type RequestBody =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'invalid_body' | 'too_large'; message: string };

const defaultLimitBytes = 1024 * 1024;

/**
 * Reads a JSON (or form-encoded) request body, so a sandbox works in any host app: a body the host's own parser
 * already put on `ctx.request.body` is used as is; otherwise the raw stream is read. An empty body is `undefined`.
 */
export async function readRequestBody(ctx: BodyCarrier, limitBytes = defaultLimitBytes): Promise<RequestBody> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return { ok: true, value: parsed };
  if (ctx.req.readableEnded) return { ok: true, value: undefined };

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limitBytes) return { ok: false, reason: 'too_large', message: `body exceeds ${limitBytes} bytes` };
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };

  const contentType = ctx.req.headers['content-type'] ?? '';
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'invalid_body', message: 'body is not valid JSON' };
  }
}
