import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlAdapter, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { Database } from './database';
import { RowLockMysqlDialect } from './migration-lock';
import { checkpointInBackground } from './sqlite-checkpointer';

export type DatabaseTarget = { dialect: 'sqlite'; file: string } | { dialect: 'mysql'; url: string };

export type Db = Kysely<Database>;

/** True on MySQL/MariaDB/TiDB: for the few statements the two dialects spell differently. Works on transactions too. */
export function isMysql(db: Db): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

/** Opens the database named by the config: SQLite (embedded default) or MySQL/MariaDB/TiDB. */
export function createDb(target: DatabaseTarget, options: { poolSize?: number } = {}): Db {
  let db: Kysely<Database>;
  if (target.dialect === 'sqlite') {
    if (target.file !== ':memory:') createPrivately(target.file);
    const sqlite = new SQLite(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    cachePreparedStatements(sqlite);
    if (target.file !== ':memory:') checkpointInBackground(sqlite, target.file);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    const pool = createPool({
      uri: target.url,
      connectionLimit: options.poolSize ?? 16,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: false,
      decimalNumbers: true,
      // affectedRows counts changed rows, not matched ones: the claim counter's conditional upsert relies on it.
      flags: ['-FOUND_ROWS'],
      // One statement per query: Galera can abort the transaction of a multi-statement packet under one of its INSERTs
      // and still answer OK for the rest, run outside it (DESIGN §10); without this flag the server refuses such a packet.
      multipleStatements: false,
    });
    // Read committed everywhere: every check that matters is a conditional write or runs under a row lock, and
    // fresh reads after taking a lock are what those checks need (TiDB behaves the same way).
    pool.on('connection', (conn) => {
      conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    });
    // Migrations lock with a row, not GET_LOCK (node-local on Galera): migration-lock.ts.
    db = new Kysely<Database>({ dialect: new RowLockMysqlDialect({ pool }) });
  }
  return db;
}

/**
 * Creates a new SQLite file (and its folder) readable by the service user alone (DESIGN §15); SQLite gives the -wal and
 * -shm files the database file's permissions. An existing file keeps the permissions it has.
 */
function createPrivately(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
}

/**
 * Kysely prepares every query afresh, and better-sqlite3 spends as long preparing a small statement as running it; the
 * app sends a few hundred distinct SQL strings, so keep them prepared. A statement still iterating is never handed out
 * twice.
 */
function cachePreparedStatements(sqlite: SQLite.Database, max = 500): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit !== undefined && !hit.busy) return hit;
    const statement = prepare(source);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}
