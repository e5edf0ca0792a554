import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { createTestDb, type TestDb } from '../../../test/databases';
import { createDb, type Db } from '../create-db';
import { acquireMigrationLock, migrationLockHolder, releaseMigrationLock, renewMigrationLock, tryMigrationLock, type MigrationLockTiming } from '../migration-lock';
import { migrateToLatest, pendingMigrations } from '../migrate';
import { migrations } from '../migrations';

const total = Object.keys(migrations).length;

/** A clock that only moves when the waiting migrator sleeps: no real waiting in the test. */
function fakeTiming(
  start: number,
  onSleep: (slept: number[]) => Promise<void> | void = () => undefined,
  waitMs = 10_000,
): MigrationLockTiming & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      await onSleep(slept);
    },
    ttlMs: 60_000,
    renewMs: 20_000,
    pollMs: 400,
    waitMs,
  };
}

// Issue 20 item 3: the migration lock is a row (certified cluster-wide on Galera, shared across TiDB servers), not
// GET_LOCK, which each Galera node grants on its own. MySQL only: SQLite migrates in one process.
describe('the migration lock on MariaDB', () => {
  let t: TestDb;
  const extra: Db[] = [];
  beforeEach(async () => {
    t = await createTestDb('mysql', { migrate: false });
  });
  afterEach(async () => {
    for (const db of extra.splice(0)) await db.destroy();
    await t.destroy();
  });
  const another = () => {
    const db = createDb(t.target);
    extra.push(db);
    return db;
  };

  it('lets three migrators (three pools) start at once on an empty database: one migrates, all succeed, the schema is complete', async () => {
    const dbs = [t.db, another(), another()];
    expect(await pendingMigrations(t.db)).toHaveLength(total);
    const applied = await Promise.all(dbs.map((db) => migrateToLatest(db)));
    expect(applied.map((a) => a.length).sort((a, b) => a - b)).toEqual([0, 0, total]);
    for (const db of dbs) expect(await pendingMigrations(db)).toEqual([]);
    const tables = (await t.db.introspection.getTables()).map((x) => x.name);
    expect(tables).toEqual(expect.arrayContaining(['tenants', 'customers', 'ownership_events', 'job_leases']));
    // Given back at the end.
    expect(await migrationLockHolder(t.db)).toBeUndefined();
  });

  it('waits while a migrator on another node holds the row, then finds nothing left to do', async () => {
    // The other node: it holds the row lock and migrates through a plain Kysely dialect (its GET_LOCK is its own).
    const otherNode = new Kysely<any>({ dialect: new MysqlDialect({ pool: createPool({ uri: t.target.dialect === 'mysql' ? t.target.url : '' }) }) });
    try {
      expect(await tryMigrationLock(otherNode, 'node-2:77:aa', Date.now(), 60_000)).toBe(true);
      const ours = migrateToLatest(t.db);
      const theirs = await migrateToLatest(otherNode as Db);
      expect(theirs).toHaveLength(total);
      await releaseMigrationLock(otherNode, 'node-2:77:aa');
      expect(await ours).toEqual([]);
      expect(await pendingMigrations(t.db)).toEqual([]);
    } finally {
      await otherNode.destroy();
    }
  });

  it("takes over a crashed migrator's lock once it has expired, never a live one", async () => {
    const now = 1_800_000_000_000;
    expect(await tryMigrationLock(t.db, 'crashed:1:aa', now, 60_000)).toBe(true);
    expect(await tryMigrationLock(t.db, 'live:2:bb', now + 59_999, 60_000)).toBe(false);
    expect(await migrationLockHolder(t.db)).toEqual({ owner: 'crashed:1:aa', expiresAt: now + 60_000 });
    expect(await tryMigrationLock(t.db, 'next:3:cc', now + 60_000, 60_000)).toBe(true);
    expect(await migrationLockHolder(t.db)).toEqual({ owner: 'next:3:cc', expiresAt: now + 120_000 });
    // The crashed one, back, cannot release what is no longer its own.
    await releaseMigrationLock(t.db, 'crashed:1:aa');
    expect((await migrationLockHolder(t.db))?.owner).toBe('next:3:cc');
    await releaseMigrationLock(t.db, 'next:3:cc');
    expect(await migrationLockHolder(t.db)).toBeUndefined();
  });

  it('polls with the injected sleep until the holder lets go, and names the holder when it waited too long', async () => {
    const start = 1_800_000_000_000;
    expect(await tryMigrationLock(t.db, 'node-1:10:aa', start, 60_000)).toBe(true);
    const timing = fakeTiming(start, async (slept) => {
      if (slept.length === 3) await releaseMigrationLock(t.db, 'node-1:10:aa');
    });
    await acquireMigrationLock(t.db, 'node-2:20:bb', timing);
    expect(timing.slept).toEqual([400, 400, 400]);
    expect(await migrationLockHolder(t.db)).toEqual({ owner: 'node-2:20:bb', expiresAt: start + 1200 + 60_000 });

    // A live holder renews its lease: the waiting migrator gives up instead of taking it over.
    const stuck = fakeTiming(start + 1200, async (slept) => void (await renewMigrationLock(t.db, 'node-2:20:bb', start + 1200 + slept.length * 400, 60_000)), 120_000);
    await expect(acquireMigrationLock(t.db, 'node-3:30:cc', stuck)).rejects.toThrow(
      '等待数据库迁移锁超时（2 分钟）：另一个实例（node-2:20:bb）仍在迁移数据库。请确认它是否还在运行；它停止后锁会在 60 秒内过期，再重新运行 npm run migrate。',
    );
    expect(stuck.slept).toHaveLength(300);
  });
});
