import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../server/src/app';
import { createRuntime } from '../../server/src/runtime';
import { testConfig } from '../../server/test/harness';
import { createTestDb, type TestDb } from '../../server/test/databases';

// The server half of "npm start serves the H5 app": a stand-in build folder keeps this independent of a real build.
describe('the server serving the H5 build', () => {
  let dir: string;
  let testDb: TestDb;
  let server: Server;
  let base: string;

  async function start(h5Dir: string): Promise<void> {
    const app = buildApp(createRuntime({ config: testConfig(dir), db: testDb.db }), { h5Dir });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-h5-'));
    mkdirSync(path.join(dir, 'h5/js'), { recursive: true });
    writeFileSync(path.join(dir, 'h5/index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(path.join(dir, 'h5/js/app.1a2b3c4d.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'h5/logo.png'), 'png');
    testDb = await createTestDb('sqlite');
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterAll(async () => {
    await testDb.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the entry at / and for app routes, revalidated on every load', async () => {
    await start(path.join(dir, 'h5'));
    for (const p of ['/', '/pages/mine/index', '/pages/map/index?x=1']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe('<!doctype html><div id="app"></div>');
    }
  });

  it('serves hashed bundles as immutable for a year', async () => {
    await start(path.join(dir, 'h5'));
    const res = await fetch(`${base}/js/app.1a2b3c4d.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('max-age=31536000,immutable');
    expect(await res.text()).toBe('console.log(1)');
    // A file without a hash in its name may change under the same name: revalidated.
    const plain = await fetch(`${base}/logo.png`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('max-age=0');
  });

  it('keeps API and missing-file 404s as JSON errors', async () => {
    await start(path.join(dir, 'h5'));
    const api = await fetch(`${base}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: 'not_found', message: '没有这个接口：GET /api/v1/nothing-here' } });
    const asset = await fetch(`${base}/js/missing.js`);
    expect(asset.status).toBe(404);
    expect(await asset.json()).toEqual({ error: { code: 'not_found', message: '没有这个接口：GET /js/missing.js' } });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
  });

  it('falls back to the landing page while the app is not built', async () => {
    await start(path.join(dir, 'not-built'));
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    // No sandboxes in this app, so the landing page sends people to the platforms.
    expect(await res.text()).toContain('<p>请从钉钉或企业微信工作台打开公海。</p>');
  });
});
