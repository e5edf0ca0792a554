import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, dialects, type TestDb } from '../../test/databases';
import { freePort, startServerProcess } from '../../test/server-process';

const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
/** Required with a MySQL DATABASE_URL (instances share them); harmless on SQLite. */
const sharedSecrets = { JWT_SECRET: 'shared-secret-shared-secret-shared-0123', MASTER_KEY: 'ab'.repeat(32) };

const startServer = (env: Record<string, string>) => startServerProcess(env);

// Issue 16 item 3: with a production tenant registered, `npm start` must never mount the sandbox, seed the demo or
// point the tenant's platform calls at the sandbox; PLATFORM_SANDBOX=on then refuses to start.
describe.each(dialects)('npm start beside a production tenant on %s', (dialect) => {
  let dir: string;
  let t: TestDb;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-prod-'));
    t = await createTestDb(dialect, { migrate: false, sqliteFile: path.join(dir, 'gonghai.db') });
    env = { DATA_DIR: dir, DATABASE_URL: t.target.dialect === 'sqlite' ? `sqlite:${t.target.file}` : t.target.url, LOG_LEVEL: 'silent', JOBS: 'off', NODE_OPTIONS: '', PLATFORM_SANDBOX: '', ...sharedSecrets };
    const add = spawnSync(
      process.execPath,
      [tsx, path.join(root, 'server/src/cli/tenant.ts'), 'add', '--id', 'acme', '--name', '阿克米贸易', '--platform', 'dingtalk', '--corp-id', 'dingacme', '--app-key', 'dingacmekey', '--app-secret', 'acme-real-secret', '--agent-id', '1000005'],
      { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(add.stdout + add.stderr).toContain('已登记企业 acme');
  });
  afterAll(async () => {
    await t.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets the approval template and a robot after registration with `tenant set`, and says what is wrong otherwise', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [tsx, path.join(root, 'server/src/cli/tenant.ts'), ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    const set = cli('set', 'acme', '--approval-template', 'PROC-ASSIGN', '--robot', 'https://oapi.dingtalk.com/robot/send?access_token=0f1e2d3c4b5a69788796a5b4c3d2e1f0,SEC0123456789abcdef0123456789abcdef');
    expect({ status: set.status, out: set.stdout }).toEqual({
      status: 0,
      out: '已更新企业 acme 的设置：审批模板 PROC-ASSIGN；回收汇总群机器人 1 个（令牌已加密）；离职客户去向 pool；申诉期限 3 天。\n',
    });
    const nothing = cli('set', 'acme');
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain('没有要修改的设置：请至少给出 --approval-template、--robot、--clear-robots、--departure-policy 或 --appeal-days 之一');
    expect(nothing.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to start with PLATFORM_SANDBOX=on, saying why and what to do', async () => {
    const server = await startServer({ ...env, PORT: String(await freePort()), PLATFORM_SANDBOX: 'on' });
    expect(await server.exit).toBe(1);
    expect(server.out()).toContain('公海启动失败：PLATFORM_SANDBOX=on 不能用于这个数据库：其中已登记 1 个正式企业');
    expect(server.out()).toContain('请去掉 PLATFORM_SANDBOX 或设为 off 后再启动');
    expect(server.out()).not.toMatch(/\n\s+at /);
  });

  it('starts with the sandbox off when PLATFORM_SANDBOX is unset: no sandbox routes, no demo', async () => {
    const port = await freePort();
    const server = await startServer({ ...env, PORT: String(port) });
    try {
      expect(server.out()).toContain(`公海已就绪：http://localhost:${port}`);
      expect(server.out()).not.toContain('演示');
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
      for (const platform of ['dingtalk', 'wecom']) {
        const mint = await fetch(`${base}/sandbox/${platform}/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'dingdemo', userId: 'admin01' }) });
        expect(mint.status).toBe(404);
      }
      expect(await t.db.selectFrom('tenants').select(['id', 'kind']).execute()).toEqual([{ id: 'acme', kind: 'production' }]);
      expect(await t.db.selectFrom('users').select('id').execute()).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
