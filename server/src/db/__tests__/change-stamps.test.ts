import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dialects } from '../../../test/databases';
import { poolIdByName } from '../../../test/factories';
import { startHarness, testConfig, type Harness } from '../../../test/harness';
import { buildApp } from '../../app';
import { createRuntime } from '../../runtime';
import { bumpStamp, StampWatcher, type StampTopic } from '../change-stamps';

const T = 'demo-dingtalk';
const peoplesSquare = { lat: 31.2304, lng: 121.4737 };

/**
 * A second instance of the service on the same database, as a second server process would be: its own runtime (its own
 * user cache and stamp watcher) and, through a distinct Kysely handle, its own rule and membership caches.
 */
async function secondInstance(h: Harness) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-b-'));
  const runtime = createRuntime({ config: testConfig(dataDir), clock: h.clock, db: h.db.withoutPlugins() });
  const server: Server = await new Promise((resolve) => {
    const s = buildApp(runtime).listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The timer the instance would poll with, driven by hand: one call is one tick.
  let tick: () => void = () => undefined;
  runtime.stamps.start(
    (err) => {
      throw err;
    },
    (fn) => {
      tick = fn;
      return () => undefined;
    },
  );
  return {
    runtime,
    /** One poll of the stamps, as the timer would fire it (awaited). */
    tick: async () => {
      tick();
      await runtime.stamps.poll();
    },
    async request(method: string, urlPath: string, token: string, body?: unknown) {
      const res = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    },
    async close() {
      runtime.stamps.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(dialects)('an admin’s change through one instance reaches the others’ caches within a poll, on %s', (dialect) => {
  let h: Harness;
  let b: Awaited<ReturnType<typeof secondInstance>>;
  beforeAll(async () => {
    h = await startHarness(dialect);
    b = await secondInstance(h);
    await b.tick(); // the first poll only records where the stamps stand
  });
  afterAll(async () => {
    await b.close();
    await h.close();
  });

  it('a role change made on A takes effect on B’s next request after one tick', async () => {
    const admin = await h.tokenFor(T, 'admin01');
    const target = await h.tokenFor(T, 'rep03');
    // B remembers rep03 as a rep.
    expect((await b.request('GET', '/api/v1/admin/pools', target)).status).toBe(403);

    const put = await h.request('PUT', '/api/v1/admin/users/rep03/roles', { token: admin, body: { roles: ['rep', 'admin'] } });
    expect(put.status).toBe(200);
    // Within its few seconds B still answers from what it read; the clock does not move.
    expect((await b.request('GET', '/api/v1/admin/pools', target)).status).toBe(403);
    await b.tick();
    const after = await b.request('GET', '/api/v1/admin/pools', target);
    expect(after.status).toBe(200);
    expect(after.body.items.length).toBeGreaterThan(0);
  });

  it('a pool’s departments changed on A show in a rep’s nearby search on B after one tick', async () => {
    const admin = await h.tokenFor(T, 'admin01');
    const south = await h.tokenFor(T, 'rep09');
    const east = await poolIdByName(h.db, T, '华东公海');
    const nearby = `/api/v1/pool/nearby?lat=${peoplesSquare.lat}&lng=${peoplesSquare.lng}&radius=1000&limit=500`;
    const eastItems = async () => {
      const res = await b.request('GET', nearby, south);
      expect(res.status).toBe(200);
      return res.body.items.filter((i: { poolId: number }) => i.poolId === east).length;
    };
    expect(await eastItems()).toBe(0); // B now remembers rep09's pools

    const pools = (await h.request('GET', '/api/v1/admin/pools', { token: admin })).body.items as Array<{ id: number; archivedAt: number | null; departmentIds: string[] }>;
    const { id: _id, archivedAt: _at, ...settings } = pools.find((p) => p.id === east)!;
    const repDepartments = (await h.db.selectFrom('user_departments').select('department_id').where('tenant_id', '=', T).where('user_id', '=', 'rep09').execute()).map((r) => r.department_id);
    const put = await h.request('PUT', `/api/v1/admin/pools/${east}`, { token: admin, body: { ...settings, departmentIds: [...new Set([...settings.departmentIds, ...repDepartments])] } });
    expect(put.status).toBe(200);
    expect(await eastItems()).toBe(0);
    await b.tick();
    expect(await eastItems()).toBeGreaterThanOrEqual(50);
  });

  it('calls each topic’s handler once per tenant whose version moved, and nothing on a poll where none did', async () => {
    const seen: string[] = [];
    const record = (topic: StampTopic) => (tenantId: string) => seen.push(`${topic}:${tenantId}`);
    const watcher = new StampWatcher(h.db, { pools: record('pools'), users: record('users') });
    await bumpStamp(h.db, 'demo-wecom', 'users', h.clock.now());
    await watcher.poll();
    expect(seen).toEqual([]); // the first poll records only
    await bumpStamp(h.db, T, 'pools', h.clock.now());
    await bumpStamp(h.db, T, 'pools', h.clock.now());
    await bumpStamp(h.db, 'a-new-tenant', 'users', h.clock.now());
    await watcher.poll();
    expect(seen.sort()).toEqual([`pools:${T}`, 'users:a-new-tenant']);
    await watcher.poll();
    expect(seen).toHaveLength(2);
    const stamp = await h.db.selectFrom('change_stamps').select(['version', 'updated_at']).where('tenant_id', '=', 'a-new-tenant').where('topic', '=', 'users').executeTakeFirstOrThrow();
    expect({ version: Number(stamp.version), updatedAt: Number(stamp.updated_at) }).toEqual({ version: 1, updatedAt: h.clock.now() });
  });
});
