import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { captureMysqlDeadlock, captureSqliteBusy } from '../../../test/write-conflicts';
import { AppError } from '../../errors';
import type { Db } from '../create-db';
import { backoffMs, isRetryableWriteConflict, withWriteRetry, writeTransaction, type WriteRetryPolicy } from '../write-retry';

/** A policy whose sleeps are recorded, never waited for. */
function recorded(extra: Partial<WriteRetryPolicy> = {}): { policy: Partial<WriteRetryPolicy>; slept: number[] } {
  const slept: number[] = [];
  return { slept, policy: { random: () => 0.5, sleep: async (ms) => void slept.push(ms), ...extra } };
}

/** Fails with `err` the first `times` runs, then answers `value`; counts its runs. */
function failing<T>(err: unknown, times: number, value: T): { run: () => Promise<T>; runs: () => number } {
  let runs = 0;
  return { runs: () => runs, run: async () => (++runs <= times ? Promise.reject(err) : value) };
}

const handle = {} as Db;

describe('withWriteRetry', () => {
  let deadlock: Error;
  beforeAll(async () => {
    deadlock = await captureMysqlDeadlock(process.env.MYSQL_URL!);
  });

  it('is given a real MariaDB deadlock as errno 1213', () => {
    expect((deadlock as { errno?: number }).errno).toBe(1213);
    expect(deadlock.message).toContain('Deadlock');
  });

  it('runs a transaction that lost a deadlock again, with backoff, and answers what the run that won returned', async () => {
    const { policy, slept } = recorded();
    const f = failing(deadlock, 2, 'committed');
    await expect(withWriteRetry(handle, f.run, policy)).resolves.toBe('committed');
    expect(f.runs()).toBe(3);
    // random 0.5 of the caps 5 ms and 10 ms.
    expect(slept).toEqual([2, 5]);
  });

  it('retries a lock wait timeout (1205) and SQLite busy the same way', async () => {
    const busy = captureSqliteBusy();
    expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
    for (const err of [Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 }), busy]) {
      const f = failing(err, 1, 7);
      await expect(withWriteRetry(handle, f.run, recorded().policy)).resolves.toBe(7);
      expect(f.runs()).toBe(2);
    }
  });

  it('gives up after the attempts with 503 busy and Retry-After, never the database error', async () => {
    const { policy, slept } = recorded({ attempts: 5 });
    const f = failing(deadlock, 99, 'never');
    const err = await withWriteRetry(handle, f.run, policy).catch((e: unknown) => e);
    expect(f.runs()).toBe(5);
    expect(slept).toHaveLength(4);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: 'busy', headers: { 'Retry-After': '1' } });
    expect((err as AppError).message).toBe('系统繁忙（多人同时操作同一数据），请稍后重试。');
  });

  it('never retries an error that would fail the same way again', async () => {
    const duplicate = Object.assign(new Error("Duplicate entry 'x' for key 'PRIMARY'"), { errno: 1062, code: 'ER_DUP_ENTRY' });
    const refusal = new AppError(409, 'already_owned', '已被领取');
    for (const err of [duplicate, refusal, new Error('boom'), Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' })]) {
      const { policy, slept } = recorded();
      const f = failing(err, 1, 'retried');
      await expect(withWriteRetry(handle, f.run, policy)).rejects.toBe(err);
      expect(f.runs()).toBe(1);
      expect(slept).toEqual([]);
    }
    expect([null, undefined, 'text', { errno: 1062 }].map(isRetryableWriteConflict)).toEqual([false, false, false, false]);
  });

  it('draws each backoff uniformly under a cap that doubles from baseMs up to maxMs', () => {
    const bounds = { baseMs: 5, maxMs: 200 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, { ...bounds, random: () => 0.999999 }))).toEqual([4, 9, 19, 39, 79, 159, 199, 199]);
    expect([1, 4, 8].map((n) => backoffMs(n, { ...bounds, random: () => 0 }))).toEqual([0, 0, 0]);
  });
});

describe.each(dialects)('writeTransaction on %s', (dialect) => {
  let t: TestDb;
  let deadlock: Error;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    deadlock = await captureMysqlDeadlock(process.env.MYSQL_URL!);
  });
  afterAll(() => t.destroy());

  it('rolls back the run that lost and commits one whole run: no half of the lost one stays', async () => {
    let runs = 0;
    const now = 1_000;
    await writeTransaction(t.db, async (trx) => {
      runs++;
      await trx.insertInto('tenants').values({ id: `wr-${runs}`, name: `run ${runs}`, platform: 'dingtalk', corp_id: `corp-wr-${runs}`, app_key: 'k', app_secret_enc: 'x', agent_id: 'a', time_zone: 'Asia/Shanghai', settings: '{}', created_at: now }).execute();
      if (runs === 1) throw deadlock;
    });
    expect(runs).toBe(2);
    const ids = (await t.db.selectFrom('tenants').select('id').where('id', 'like', 'wr-%').execute()).map((r) => r.id);
    expect(ids).toEqual(['wr-2']);
  });
});
