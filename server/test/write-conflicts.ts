import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { PoolConnection } from 'mysql2';
import { createConnection } from 'mysql2/promise';

/**
 * A real deadlock on the test MariaDB, as mysql2 reports it (errno 1213, the error Galera also gives for a
 * certification failure or a brute-force abort): two connections lock two rows in opposite order.
 */
export async function captureMysqlDeadlock(serverUrl: string): Promise<Error> {
  const table = `deadlock_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = await createConnection({ uri: serverUrl });
  const a = await createConnection({ uri: serverUrl });
  const b = await createConnection({ uri: serverUrl });
  try {
    await admin.query('create database if not exists gh_write_conflicts');
    await admin.query(`create table gh_write_conflicts.${table} (id int primary key, v int) engine=InnoDB`);
    await admin.query(`insert into gh_write_conflicts.${table} values (1, 0), (2, 0)`);
    await a.query('start transaction');
    await b.query('start transaction');
    await a.query(`update gh_write_conflicts.${table} set v = 1 where id = 1`);
    await b.query(`update gh_write_conflicts.${table} set v = 1 where id = 2`);
    const first = a.query(`update gh_write_conflicts.${table} set v = 2 where id = 2`).then(() => null, (err: Error) => err);
    const second = b.query(`update gh_write_conflicts.${table} set v = 2 where id = 1`).then(() => null, (err: Error) => err);
    const errors = (await Promise.all([first, second])).filter((e): e is Error => e !== null);
    if (errors.length !== 1) throw new Error(`expected one deadlock victim, got ${errors.length}`);
    return errors[0]!;
  } finally {
    await a.query('rollback').catch(() => undefined);
    await b.query('rollback').catch(() => undefined);
    await admin.query(`drop table if exists gh_write_conflicts.${table}`);
    await Promise.all([a.end(), b.end(), admin.end()]);
  }
}

/** A real SQLITE_BUSY from better-sqlite3: a second connection writes while the first holds the write lock. */
export function captureSqliteBusy(): Error {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-busy-'));
  const file = path.join(dir, 'busy.db');
  const a = new SQLite(file);
  const b = new SQLite(file, { timeout: 0 });
  try {
    a.exec('create table t (id integer primary key)');
    a.exec('begin immediate');
    try {
      b.exec('insert into t (id) values (1)');
    } catch (err) {
      return err as Error;
    }
    throw new Error('the second connection was not refused');
  } finally {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type QueryCallback = (err: unknown, result?: unknown) => void;

/** What `injectStatementFailures` controls: the SQL texts it records, and the statements it makes fail. */
export interface StatementFailures {
  /** SQL texts the app's MySQL connections sent while this is an array (set it to [] to record, null to stop). */
  sent: string[] | null;
  /** The next `times` statements matching `pattern` fail with the error given. */
  fail(pattern: RegExp, times: number): void;
  /** How many injected failures are still to come. */
  readonly left: number;
  /** Stops failing and recording (the spy stays until `jest.restoreAllMocks()`). */
  reset(): void;
}

/**
 * Wraps mysql2's connection `query` (a Jest spy): statements matching the pattern fail with `error` (a real errno 1213
 * from `captureMysqlDeadlock`) while failures are left, as a conflicting write on another Galera node would make them.
 */
export function injectStatementFailures(error: Error): StatementFailures {
  const query = PoolConnection.prototype.query;
  let pattern: RegExp | null = null;
  let left = 0;
  const control: StatementFailures = {
    sent: null,
    fail(p, times) {
      pattern = p;
      left = times;
    },
    get left() {
      return left;
    },
    reset() {
      control.sent = null;
      pattern = null;
      left = 0;
    },
  };
  jest.spyOn(PoolConnection.prototype, 'query').mockImplementation(function (this: PoolConnection, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : '';
    control.sent?.push(text);
    const callback = args[args.length - 1];
    if (pattern?.test(text) && left > 0 && typeof callback === 'function') {
      left--;
      process.nextTick(() => (callback as QueryCallback)(error));
      return undefined as never;
    }
    return (query as (...a: unknown[]) => never).apply(this, args);
  });
  return control;
}
