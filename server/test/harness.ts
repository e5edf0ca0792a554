import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '@gonghai/config';
import { buildApp } from '../src/app';
import type { AppDeps } from '../src/context';
import { demoOrgFixtures } from '../src/demo/demo-org';
import { seedDemo } from '../src/demo/seed-demo';
import { syncTenantOrg } from '../src/modules/org/org-sync.service';
import { signToken } from '../src/modules/auth/jwt';
import type { Role } from '../src/modules/org/org';
import { createSandboxes, type Sandboxes } from '../src/platform/registry';
import { createRuntime } from '../src/runtime';
import { FakeClock, TEST_NOW } from './clock';
import { createTestDb, type Dialect, type TestDb } from './databases';

export interface Harness {
  deps: AppDeps;
  db: TestDb['db'];
  dialect: Dialect;
  clock: FakeClock;
  sandboxes: Sandboxes;
  baseUrl: string;
  /** A JWT for a user, as login would issue it (login itself is tested over the sandbox). */
  tokenFor(tenantId: string, userId: string, roles?: Role[]): Promise<string>;
  /** Real HTTP against the running server. */
  request(method: string, urlPath: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** A sandbox control call (DESIGN §6): `/sandbox/<platform>/_control/<path>`. */
  control(platform: 'dingtalk' | 'wecom', method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

const TEST_MASTER_KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** The config every test server runs with: sandbox on, jobs off, silent logs. */
export function testConfig(dataDir: string = os.tmpdir()): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    MASTER_KEY: TEST_MASTER_KEY,
    PLATFORM_SANDBOX: 'on',
    JOBS: 'off',
    LOG_LEVEL: 'silent',
  });
}

/** A real server on an ephemeral port over a fresh database of `dialect`, with the demo seeded and the sandboxes on. */
export async function startHarness(dialect: Dialect, options: { seed?: boolean; now?: number } = {}): Promise<Harness> {
  const testDb = await createTestDb(dialect, { poolSize: 40 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-test-'));
  const clock = new FakeClock(options.now ?? TEST_NOW);
  const config = testConfig(dataDir);
  let baseUrl = '';
  const runtime = createRuntime({ config, clock, db: testDb.db, sandboxBaseUrl: () => baseUrl });
  const sandboxes = createSandboxes(demoOrgFixtures(clock.now(), 'Asia/Shanghai', () => baseUrl), clock);
  const app = buildApp(runtime, { sandboxes });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.seed !== false) {
    await seedDemo(testDb.db, { secrets: runtime.secrets, now: clock.now(), syncOrg: (id) => syncTenantOrg(runtime, id), evidence: runtime.evidence });
  }

  const harness: Harness = {
    deps: runtime,
    db: testDb.db,
    dialect,
    clock,
    sandboxes,
    baseUrl,
    async tokenFor(tenantId, userId, roles) {
      const row = await testDb.db.selectFrom('users').select('roles').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
      const r = roles ?? ((row?.roles.split(',') ?? ['rep']) as Role[]);
      return signToken({ sub: userId, tid: tenantId, roles: r, tz: 'Asia/Shanghai' }, config.jwt.secret, 365 * 86_400, clock.now());
    },
    async request(method, urlPath, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body, headers: res.headers };
    },
    async control(platform, method, path, body) {
      const { status, body: answer } = await harness.request(method, `/sandbox/${platform}/_control/${path}`, { body });
      return { status, body: answer };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await testDb.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
