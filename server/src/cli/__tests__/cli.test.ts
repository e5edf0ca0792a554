import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { migrations } from '../../db/migrations';

const root = path.resolve(__dirname, '../../../..');

/** Runs an npm script's entry the way `npm run` does (through tsx), with the given environment. */
function runCli(script: string, env: Record<string, string>, args: string[] = []) {
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/cli', script), ...args], {
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

  // The secrets are required with a MySQL DATABASE_URL (issue 20); npm run migrate alone does without them.
  const env = () => ({ DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: 'shared-secret-shared-secret-shared-0123', MASTER_KEY: 'ab'.repeat(32) });

  it('npm run migrate applies every migration once', async () => {
    const first = runCli('migrate.ts', { ...env(), JWT_SECRET: '', MASTER_KEY: '' });
    expect(first).toMatchObject({ status: 0 });
    expect(first.out).toContain(`已执行 ${Object.keys(migrations).length} 个迁移`);
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

  it('npm run tenant -- add refuses the demo database; in a fresh one it registers a tenant with its secrets sealed, and list shows it', async () => {
    const acme = ['add', '--id', 'acme', '--name', '阿克米贸易', '--platform', 'wecom', '--corp-id', 'wwacme', '--app-key', 'wwacme', '--app-secret', 'acme-secret-value', '--agent-id', '1000005'];
    // The demo and the sandbox never share a database with a real company (DESIGN §11).
    const beside = runCli('tenant.ts', env(), acme);
    expect(beside.status).toBe(1);
    expect(beside.out).toContain('不能在这个数据库里登记正式企业：其中有演示数据（2 个演示企业）');
    expect(await t.db.selectFrom('tenants').select('id').where('id', '=', 'acme').executeTakeFirst()).toBeUndefined();
    const fresh = await createTestDb(dialect, { migrate: false, sqliteFile: path.join(dir, 'fresh.db') });
    try {
      await registersAcme(fresh, { ...env(), DATABASE_URL: fresh.target.dialect === 'sqlite' ? `sqlite:${fresh.target.file}` : fresh.target.url }, acme);
    } finally {
      await fresh.destroy();
    }
  });

  async function registersAcme(t: TestDb, env: Record<string, string>, acme: string[]): Promise<void> {
    const add = (extra: string[]) =>
      runCli('tenant.ts', env, [...acme, ...extra]);
    const badKey = add(['--callback-token', 'acmetoken', '--callback-aes-key', 'x'.repeat(42)]);
    expect(badKey.status).toBe(1);
    expect(badKey.out).toContain('EncodingAESKey 必须是 43 位字母或数字');
    const badAdmin = add(['--admin', 'zhang san']);
    expect(badAdmin.status).toBe(1);
    expect(badAdmin.out).toContain('管理员填成员的 UserID');
    const ok = add(['--callback-token', 'acmetoken', '--callback-aes-key', 'A'.repeat(43), '--departure-policy', 'manager', '--admin', 'ZhangSan', '--admin', 'LiSi']);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain('已登记企业 acme（阿克米贸易，wecom wwacme）');
    expect(ok.out).toContain('首批管理员：ZhangSan、LiSi（同步组织架构时授予）');
    const again = add([]);
    expect(again.status).toBe(1);
    expect(again.out).toContain('企业编号 acme 已被使用');
    const row = await t.db.selectFrom('tenants').selectAll().where('id', '=', 'acme').executeTakeFirstOrThrow();
    expect(row.app_secret_enc).not.toContain('acme-secret-value');
    expect(row.callback_aes_key_enc).not.toContain('AAAA');
    expect(JSON.parse(row.settings)).toMatchObject({ departurePolicy: 'manager', firstAdmins: ['ZhangSan', 'LiSi'] });
    expect(row.kind).toBe('production');
    const list = runCli('tenant.ts', env, ['list']);
    expect(list.status).toBe(0);
    expect(list.out).toContain('acme\twecom\twwacme\t阿克米贸易');
  }

  it('npm run reclaim -- --dry-run previews the sweep as JSON and a real run then does exactly that', () => {
    const at = '2026-12-20T02:00:00+08:00';
    const preview = runCli('reclaim.ts', env(), ['--tenant', 'demo-wecom', '--now', at, '--dry-run']);
    expect(preview.status).toBe(0);
    const planned = JSON.parse(preview.out) as { dryRun: boolean; reclaimed: number; runDate: string };
    expect(planned).toMatchObject({ dryRun: true, runDate: '2026-12-20' });
    expect(planned.reclaimed).toBeGreaterThan(0);
    const real = JSON.parse(runCli('reclaim.ts', env(), ['--tenant', 'demo-wecom', '--now', at]).out) as { dryRun: boolean; reclaimed: number };
    expect(real).toMatchObject({ dryRun: false, reclaimed: planned.reclaimed });
    const again = JSON.parse(runCli('reclaim.ts', env(), ['--tenant', 'demo-wecom', '--now', at]).out) as { alreadyRan: boolean; reclaimed: number };
    expect(again).toMatchObject({ alreadyRan: true, reclaimed: planned.reclaimed });
    const bad = runCli('reclaim.ts', env(), ['--now', 'tomorrow']);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('--now 需要 ISO 时间');
  });

  it('stops with a message naming a wrong variable', () => {
    const bad = runCli('migrate.ts', { ...env(), PORT: 'eighty' });
    expect(bad.status).toBe(1);
    expect(bad.out).toContain('PORT="eighty"');
    expect(bad.out).not.toMatch(/\n\s+at /);
  });
});

/** A /proc file of a process ('' when it is gone or not ours to read). */
function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

describe('npm start', () => {
  it('migrates, seeds, serves the demo with the sandboxes and says how to log in, ready only once a demo login works, the server under its V8 flags', async () => {
    const { spawn } = await import('node:child_process');
    const net = await import('node:net');
    const port: number = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-start-'));
    const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    const base = `http://127.0.0.1:${port}`;
    try {
      // /healthz from the first moment: 503 with the reason while the demo is being seeded, and its first 200 means a
      // demo user can log in (issue 16: it said ready while seeding, and a login then got 403 user_not_registered).
      const notReady: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 90_000);
        child.on('exit', () => reject(new Error(`exited:\n${out}`)));
        const poll = async () => {
          try {
            const res = await fetch(`${base}/healthz`);
            if (res.status === 200) {
              clearTimeout(timer);
              resolve();
              return;
            }
            notReady.push({ status: res.status, body: await res.json() });
          } catch {
            // not listening yet
          }
          setTimeout(() => void poll(), 50);
        };
        void poll();
      });
      const { code } = (await (await fetch(`${base}/sandbox/wecom/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'wwdemo', userId: 'rep05' }) })).json()) as { code: string };
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'wecom', corpId: 'wwdemo', code }) });
      expect(login.status).toBe(200);
      expect(notReady).toContainEqual({ status: 503, body: { ok: false, db: 'ok', reason: '正在生成演示数据，请稍候再试' } });
      expect(new Set(notReady.map((r) => (r as { status: number }).status))).toEqual(new Set([503]));
      await new Promise<void>((resolve) => {
        if (out.includes('演示登录')) resolve();
        else child.stdout.on('data', () => out.includes('演示登录') && resolve());
      });
      expect(out).toContain(`公海已就绪：http://localhost:${port}`);
      // The process running main.ts (tsx's child) got the flags of scripts/server-node-flags.cjs.
      const server = readdirSync('/proc')
        .filter((pid) => /^\d+$/.test(pid))
        .map((pid) => ({ cmdline: readProc(pid, 'cmdline'), environ: readProc(pid, 'environ').split('\0') }))
        .filter((p) => p.cmdline.includes('server/src/main.ts') && p.environ.includes(`DATA_DIR=${dir}`) && !p.cmdline.includes('tsx/dist/cli.mjs'));
      expect(server.map((p) => p.environ.find((e) => e.startsWith('NODE_OPTIONS=')))).toEqual(['NODE_OPTIONS=--max-semi-space-size=64']);
      expect(out).toContain('演示企业 demo-wecom：2000 个客户');
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
      const { token, user } = (await login.json()) as { token: string; user: { name: string } };
      expect(user.name).toBe('陈静');
      const nearby = await fetch(`${base}/api/v1/pool/nearby?lat=31.2304&lng=121.4737&radius=1000`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await nearby.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(50);
      // `npm test` builds the H5 app before Jest, so `/` is the app's entry page (the landing page is only the fallback
      // for an unbuilt app, tested in miniapp/__tests__/h5-serving.test.ts).
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>公海<\/title>[\s\S]*<div id="app"><\/div>/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
