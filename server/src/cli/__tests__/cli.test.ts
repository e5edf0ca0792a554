import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';

const root = path.resolve(__dirname, '../../../..');

/** Runs an npm script's entry the way `npm run` does (through tsx), with the given environment. */
function runCli(script: string, env: Record<string, string>) {
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/cli', script)], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: res.status, out: res.stdout + res.stderr };
}

describe.each(dialects)('command-line tools on %s', (dialect) => {
  let dir: string;
  let t: TestDb;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-cli-'));
    t = await createTestDb(dialect, { migrate: false, sqliteFile: path.join(dir, 'cli.db') });
    url = t.target.dialect === 'sqlite' ? `sqlite:${t.target.file}` : t.target.url;
  });
  afterAll(async () => {
    await t.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'silent' });

  it('npm run migrate applies every migration once', async () => {
    const first = runCli('migrate.ts', env());
    expect(first).toMatchObject({ status: 0 });
    expect(first.out).toContain('已执行 10 个迁移');
    expect(first.out).toContain('2026-11-27-06-create-customers');
    const second = runCli('migrate.ts', env());
    expect(second).toMatchObject({ status: 0 });
    expect(second.out).toContain('数据库已是最新');
    const tables = await t.db.introspection.getTables();
    expect(tables.map((x) => x.name)).toContain('ownership_events');
  });

  it('npm run seed:demo creates the demo once', () => {
    const first = runCli('seed-demo.ts', env());
    expect(first.status).toBe(0);
    expect(first.out).toContain('演示企业 demo-dingtalk：2000 个客户（公海 1360，已领取 640）');
    const second = runCli('seed-demo.ts', env());
    expect(second.status).toBe(0);
    expect(second.out).toContain('演示数据已存在');
  });

  it('stops with a message naming a wrong variable', () => {
    const bad = runCli('migrate.ts', { ...env(), PORT: 'eighty' });
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('PORT="eighty"');
    expect(bad.out).not.toMatch(/\n\s+at /);
  });
});

describe('npm start', () => {
  it('migrates, seeds, serves the demo with the sandboxes and says how to log in', async () => {
    const { spawn } = await import('node:child_process');
    const net = await import('node:net');
    const port: number = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-start-'));
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/main.ts')], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 90_000);
        child.stdout.on('data', () => {
          if (out.includes('演示登录')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`exited:\n${out}`)));
      });
      expect(out).toContain(`公海已就绪：http://localhost:${port}`);
      expect(out).toContain('演示企业 demo-wecom：2000 个客户');
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
      const { code } = (await (await fetch(`${base}/sandbox/wecom/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'wwdemo', userId: 'rep05' }) })).json()) as { code: string };
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'wecom', corpId: 'wwdemo', code }) });
      expect(login.status).toBe(200);
      const { token, user } = (await login.json()) as { token: string; user: { name: string } };
      expect(user.name).toBe('陈静');
      const nearby = await fetch(`${base}/api/v1/pool/nearby?lat=31.2304&lng=121.4737&radius=1000`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await nearby.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(50);
      const page = await fetch(`${base}/`);
      expect(await page.text()).toContain('以演示用户登录');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
