import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'mysql2/promise';
import { FakeClock, TEST_NOW } from '../../test/clock';
import { createTestDb, dialects } from '../../test/databases';
import { testConfig } from '../../test/harness';
import { startThrowawayMariadb, stopThrowawayMariadb, type ThrowawayMariadb } from '../../test/mariadb-server';
import { buildApp } from '../app';
import { createDb, type Db } from '../db/create-db';
import { DbHealth } from '../http/db-health';
import { Readiness } from '../http/readiness';
import { createRuntime } from '../runtime';

async function serve(db: Db, options: Parameters<typeof buildApp>[1]) {
  const app = buildApp(createRuntime({ config: testConfig(), db }), options);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  return {
    async get() {
      const res = await fetch(url);
      return { status: res.status, body: await res.json() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// DESIGN §9: 200 only once the server is ready (migrated, seeded, jobs scheduled); 503 with {ok:false, reason} before.
describe.each(dialects)('GET /healthz on %s', (dialect) => {
  it('answers 503 with the reason until the server is ready, then 200; 503 again when the database is gone', async () => {
    const t = await createTestDb(dialect);
    const clock = new FakeClock(0);
    const readiness = new Readiness('正在生成演示数据，请稍候再试');
    const http = await serve(t.db, { readiness, dbHealth: new DbHealth(t.db, clock) });
    try {
      expect(await http.get()).toEqual({ status: 503, body: { ok: false, db: 'ok', reason: '正在生成演示数据，请稍候再试' } });
      readiness.waitFor('正在启动后台任务，请稍候再试');
      expect(await http.get()).toEqual({ status: 503, body: { ok: false, db: 'ok', reason: '正在启动后台任务，请稍候再试' } });
      readiness.ready();
      expect(await http.get()).toEqual({ status: 200, body: { ok: true, db: 'ok' } });
      await t.destroy();
      // The probe is cached for a second, so a storm of health checks costs the database one query a second.
      clock.advance(999);
      expect(await http.get()).toEqual({ status: 200, body: { ok: true, db: 'ok' } });
      clock.advance(1);
      expect(await http.get()).toEqual({ status: 503, body: { ok: false, db: 'unreachable', reason: expect.stringContaining('数据库无法连接') } });
    } finally {
      await http.close();
    }
  });
});

// Issue 20 item 5: a node that answers `select 1` but cannot take writes is not healthy. A throwaway server of its own,
// since read_only is global and the shared test server serves every other suite.
describe('GET /healthz on a read-only MariaDB', () => {
  let mariadb: ThrowawayMariadb;
  beforeAll(async () => {
    mariadb = await startThrowawayMariadb();
  }, 90_000);
  afterAll(async () => {
    await stopThrowawayMariadb(mariadb);
  }, 60_000);

  it('answers 503 with the reason while the server is read-only, and 200 once it is writable again', async () => {
    const admin = await createConnection({ uri: mariadb.url });
    const db = createDb({ dialect: 'mysql', url: mariadb.url });
    const clock = new FakeClock(TEST_NOW);
    const http = await serve(db, { dbHealth: new DbHealth(db, clock) });
    try {
      expect(await http.get()).toEqual({ status: 200, body: { ok: true, db: 'ok' } });
      await admin.query('set global read_only = 1');
      clock.advance(1000);
      expect(await http.get()).toEqual({
        status: 503,
        body: { ok: false, db: 'not_writable', reason: '数据库是只读的（read_only=ON，例如备库或维护中）：这个实例不能写入。请把 DATABASE_URL 指向可写的主库，或在数据库上解除只读后再试。' },
      });
      await admin.query('set global read_only = 0');
      clock.advance(1000);
      expect(await http.get()).toEqual({ status: 200, body: { ok: true, db: 'ok' } });
    } finally {
      await http.close();
      await db.destroy();
      await admin.end();
    }
  }, 60_000);
});
