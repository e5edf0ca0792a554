import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../../test/databases';
import { freePort, startServerProcess } from '../../test/server-process';
import { pendingMigrations } from '../db/migrate';
import { migrations } from '../db/migrations';

const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const secrets = { JWT_SECRET: 'shared-secret-shared-secret-shared-0123', MASTER_KEY: 'ab'.repeat(32) };

const startServer = (env: Record<string, string>) => startServerProcess(env, 150_000);

// Issue 20 items 3 and 4: on MySQL the instances share the secrets and the schema; migrating is a deploy step.
describe('npm start on MySQL', () => {
  let dir: string;
  let t: TestDb;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-mysql-start-'));
    t = await createTestDb('mysql', { migrate: false });
    env = { DATA_DIR: dir, DATABASE_URL: t.target.dialect === 'mysql' ? t.target.url : '', LOG_LEVEL: 'silent', JOBS: 'off', PLATFORM_SANDBOX: 'off', NODE_OPTIONS: '', MIGRATE_ON_START: '', JWT_SECRET: '', MASTER_KEY: '' };
  });
  afterEach(async () => {
    await t.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without JWT_SECRET and MASTER_KEY, naming them', async () => {
    const server = await startServer({ ...env, PORT: String(await freePort()) });
    expect(await server.exit).toBe(1);
    expect(server.out()).toContain('配置错误：使用 MySQL 数据库（DATABASE_URL=mysql://…）时必须设置 JWT_SECRET、MASTER_KEY。');
    expect(server.out()).not.toMatch(/\n\s+at /);
    const one = await startServer({ ...env, PORT: String(await freePort()), JWT_SECRET: secrets.JWT_SECRET });
    expect(await one.exit).toBe(1);
    expect(one.out()).toContain('时必须设置 MASTER_KEY。');
  }, 120_000);

  it('refuses an out-of-date schema with the command to run, and starts once `npm run migrate` ran', async () => {
    const server = await startServer({ ...env, ...secrets, PORT: String(await freePort()) });
    expect(await server.exit).toBe(1);
    expect(server.out()).toContain(`公海启动失败：数据库结构不是最新（缺少 ${Object.keys(migrations).length} 个迁移）：请先运行 npm run migrate`);
    expect(server.out()).not.toMatch(/\n\s+at /);
    // It did not migrate anything itself.
    expect(await pendingMigrations(t.db)).toHaveLength(Object.keys(migrations).length);
    const migrate = spawn(process.execPath, [tsx, path.join(root, 'server/src/cli/migrate.ts')], { cwd: root, env: { ...process.env, ...env } });
    expect(await new Promise((resolve) => migrate.once('exit', resolve))).toBe(0);
    const port = await freePort();
    const started = await startServer({ ...env, ...secrets, PORT: String(port) });
    try {
      expect(started.out()).toContain('公海已就绪');
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
    } finally {
      await started.stop();
    }
  }, 180_000);

  it('brings up three instances started at once against an empty database with MIGRATE_ON_START=on', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const servers = await Promise.all(ports.map((port) => startServer({ ...env, ...secrets, MIGRATE_ON_START: 'on', PORT: String(port) })));
    try {
      for (const [i, server] of servers.entries()) {
        expect({ i, ready: server.out().includes('公海已就绪') }).toEqual({ i, ready: true });
        expect(await (await fetch(`http://127.0.0.1:${ports[i]}/healthz`)).json()).toEqual({ ok: true, db: 'ok' });
      }
      // One of them migrated; the others waited for the lock and found nothing to do.
      expect(servers.filter((s) => s.out().includes(`已执行 ${Object.keys(migrations).length} 个数据库迁移`))).toHaveLength(1);
      expect(await pendingMigrations(t.db)).toEqual([]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 180_000);
});
