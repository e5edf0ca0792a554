import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDb, dialects } from '../../test/databases';
import { testConfig } from '../../test/harness';
import { buildApp } from '../app';
import { Readiness } from '../http/readiness';
import { createRuntime } from '../runtime';

// DESIGN §9: 200 only once the server is ready (migrated, seeded, jobs scheduled); 503 with {ok:false, reason} before.
describe.each(dialects)('GET /healthz on %s', (dialect) => {
  it('answers 503 with the reason until the server is ready, then 200; 503 again when the database is gone', async () => {
    const t = await createTestDb(dialect);
    const readiness = new Readiness('正在生成演示数据，请稍候再试');
    const app = buildApp(createRuntime({ config: testConfig(), db: t.db }), { readiness });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const get = async () => {
      const res = await fetch(url);
      return { status: res.status, body: await res.json() };
    };
    try {
      expect(await get()).toEqual({ status: 503, body: { ok: false, db: 'ok', reason: '正在生成演示数据，请稍候再试' } });
      readiness.waitFor('正在启动后台任务，请稍候再试');
      expect(await get()).toEqual({ status: 503, body: { ok: false, db: 'ok', reason: '正在启动后台任务，请稍候再试' } });
      readiness.ready();
      expect(await get()).toEqual({ status: 200, body: { ok: true, db: 'ok' } });
      await t.destroy();
      expect(await get()).toEqual({ status: 503, body: { ok: false, db: 'unreachable', reason: expect.stringContaining('数据库无法连接') } });
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
