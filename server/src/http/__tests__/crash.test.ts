import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';

const root = path.resolve(__dirname, '../../../..');
/** On MySQL the secrets are required and migrating at start-up is opt-in (issue 20); harmless on SQLite. */
const mysqlStart = { JWT_SECRET: 'shared-secret-shared-secret-shared-0123', MASTER_KEY: 'ab'.repeat(32), MIGRATE_ON_START: 'on' };
const { serverNodeFlags } = require(path.join(root, 'scripts/server-node-flags.cjs')) as { serverNodeFlags: string[] };

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });

/** The upload from issue 16: a multipart form that ends in the middle of the file part. */
const TRUNCATED_FORM = '--zz\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\nabc';

/**
 * The server process as `npm start` runs it: scripts/start.mjs spawns tsx on server/src/main.ts with the flags of
 * scripts/server-node-flags.cjs. Spawned here directly rather than through start.mjs, which would first build the H5
 * app when it is missing (a minute of both cores) — the process under test is the same.
 */
function startServer(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/main.ts')], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: serverNodeFlags.join(' '), ...env },
  });
  let out = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (out += String(c)));
  return { child, output: () => out };
}

describe.each(dialects)('a request that breaks mid-upload, against the server as npm start runs it, on %s', (dialect) => {
  let dir: string;
  let t: TestDb | undefined;
  let server: ReturnType<typeof startServer>;
  let base: string;
  let exited: { code: number | null; signal: string | null } | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-crash-'));
    let databaseUrl = '';
    if (dialect === 'mysql') {
      t = await createTestDb('mysql', { migrate: false });
      databaseUrl = (t.target as { url: string }).url;
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = startServer({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: databaseUrl, JOBS: 'off', PLATFORM_SANDBOX: 'on', LOG_LEVEL: 'silent', ...mysqlStart });
    server.child.on('exit', (code, signal) => (exited = { code, signal }));
    // Ready once it says so and /healthz answers 200 (it answers 503 while the demo is being seeded).
    const deadline = Date.now() + 110_000;
    for (;;) {
      if (exited) throw new Error(`the server exited during start-up (${JSON.stringify(exited)}):\n${server.output()}`);
      if (Date.now() > deadline) throw new Error(`the server did not become ready:\n${server.output()}`);
      const health = await fetch(`${base}/healthz`).catch(() => undefined);
      if (health?.status === 200 && server.output().includes('公海已就绪')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  afterAll(async () => {
    if (!exited) {
      const gone = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await gone;
    }
    await t?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function login(userId: string): Promise<string> {
    const code = await fetch(`${base}/sandbox/dingtalk/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'dingdemo', userId }) });
    expect(code.status).toBe(200);
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'dingtalk', corpId: 'dingdemo', code: ((await code.json()) as { code: string }).code }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  /** An open visit of the user at one of their customers, checked in from the spot, and its photo token. */
  async function openVisit(token: string): Promise<{ visitId: number; photoToken: string }> {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const mine = (await (await fetch(`${base}/api/v1/me/customers`, { headers: auth })).json()) as { items: { id: number; lat: number; lng: number }[] };
    const customer = mine.items[0]!;
    const { nonce } = (await (await fetch(`${base}/api/v1/visits/nonce`, { method: 'POST', headers: auth })).json()) as { nonce: string };
    const now = Date.now();
    const fixes = [0, 1, 2].map((i) => ({ lat: customer.lat + i * 0.00001, lng: customer.lng, accuracy: 15, coord: 'gcj02', ts: now - (6 - i * 2) * 1000 }));
    const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
    const res = await fetch(`${base}/api/v1/visits`, { method: 'POST', headers: auth, body: JSON.stringify({ customerId: customer.id, nonce, fixes, device }) });
    const body = (await res.json()) as { visit: { id: number }; photoToken: string };
    expect(res.status).toBe(201);
    return { visitId: body.visit.id, photoToken: body.photoToken };
  }

  async function truncatedUpload(token: string, visitId: number, photoToken?: string) {
    const res = await fetch(`${base}/api/v1/visits/${visitId}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=zz', ...(photoToken ? { 'x-photo-token': photoToken } : {}) },
      body: TRUNCATED_FORM,
    });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  }

  it('answers the truncated upload with a Chinese 4xx and keeps serving everyone', async () => {
    const token = await login('rep01');
    const { visitId, photoToken } = await openVisit(token);

    // With the visit's own photo token, the form is read and found cut short.
    const cut = await truncatedUpload(token, visitId, photoToken);
    expect(cut).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: '上传的表单格式不正确（内容不完整）：请重新选择照片上传。' } } });
    // The exact request of the issue (visit 1, no photo token) is refused too.
    const issue = await truncatedUpload(token, 1);
    expect(issue.status).toBeGreaterThanOrEqual(400);
    expect(issue.status).toBeLessThan(500);
    expect(issue.body.error.message).toMatch(/[\u4e00-\u9fff]/);

    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ ok: true });
    const other = await login('rep02');
    const list = await fetch(`${base}/api/v1/me/customers`, { headers: { authorization: `Bearer ${other}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect(exited).toBeUndefined();
    expect(server.child.exitCode).toBeNull();
  });
});
