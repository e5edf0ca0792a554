import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { AppError } from '../../errors';
import { errorMiddleware } from '../errors.middleware';
import { readSingleFile } from '../multipart';

/** What readSingleFile made of each request: the file's length, or the error it rejected with. */
type Outcome = { bytes: number } | { status: number; code: string; message: string };

/** A real server whose one route reads the `photo` file (at most 1 KB) and remembers how that ended. */
async function startServer(): Promise<{ base: string; port: number; outcomes: Outcome[]; nextOutcome: () => Promise<Outcome>; close: () => Promise<void> }> {
  const outcomes: Outcome[] = [];
  const waiters: ((o: Outcome) => void)[] = [];
  const record = (o: Outcome) => {
    outcomes.push(o);
    waiters.shift()?.(o);
  };
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware());
  app.use(async (ctx) => {
    try {
      const bytes = await readSingleFile(ctx, 'photo', 1024);
      record({ bytes: bytes.length });
      ctx.body = { bytes: bytes.length };
    } catch (err) {
      const e = err as AppError;
      record({ status: e.status, code: e.code, message: e.message });
      throw err;
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    outcomes,
    nextOutcome: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const part = (field: string, content: string) => `--zz\r\nContent-Disposition: form-data; name="${field}"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${content}`;

async function post(base: string, body: string) {
  const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Fails the test instead of hanging when a promise never settles (what the old reader did on a broken upload). */
const within = <T>(ms: number, promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms).unref())]);

describe('readSingleFile', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    s = await startServer();
  });
  afterEach(() => s.close());

  const cutShort = { status: 400, body: { error: { code: 'invalid_request', message: '上传的表单格式不正确（内容不完整）：请重新选择照片上传。' } } };

  it('reads the file of a complete form', async () => {
    expect(await post(s.base, `${part('photo', 'abc')}\r\n--zz--\r\n`)).toEqual({ status: 200, body: { bytes: 3 } });
  });

  it('answers a form that ends inside the file with a Chinese 400', async () => {
    expect(await post(s.base, part('photo', 'abc'))).toEqual(cutShort);
  });

  it('answers a form that ends inside a file it does not want with a Chinese 400', async () => {
    expect(await post(s.base, part('other', 'abc'))).toEqual(cutShort);
  });

  it('answers a form that ends inside a part header with a Chinese 400', async () => {
    expect(await post(s.base, '--zz\r\nContent-Disposition: form-da')).toEqual(cutShort);
  });

  it('refuses a file over the limit with 413 as soon as it is crossed, before the form ends', async () => {
    const outcome = s.nextOutcome();
    const req = http.request({ port: s.port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz', 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    const answered = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.write(part('photo', 'x'.repeat(4096)));
    const res = await within(5000, answered, 'the answer to an oversized file');
    expect(res.statusCode).toBe(413);
    expect(await outcome).toMatchObject({ status: 413, code: 'photo_too_large' });
    req.destroy();
  });

  it('settles when the client hangs up in the middle of the file', async () => {
    const outcome = s.nextOutcome();
    const req = http.request({ port: s.port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz', 'content-length': '100000' } });
    req.on('error', () => undefined);
    req.write(part('photo', 'abc'), () => req.destroy());
    expect(await within(5000, outcome, 'the reader after the client hung up')).toEqual({ status: 400, code: 'invalid_request', message: cutShort.body.error.message });
  });

  it('refuses what is not multipart with 415', async () => {
    const res = await fetch(s.base, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: 'abc' });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error: { code: 'unsupported_media_type', message: '请用 multipart/form-data 上传，照片放在字段「photo」里。' } });
  });
});
