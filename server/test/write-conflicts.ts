import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
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
