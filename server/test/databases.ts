import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { createDb, type Db } from '../src/db/create-db';
import { migrateToLatest } from '../src/db/migrate';

export type Dialect = 'sqlite' | 'mysql';
export const dialects: Dialect[] = ['sqlite', 'mysql'];

function mysqlServerUrl(): string {
  const url = process.env.MYSQL_URL;
  if (!url) throw new Error('MYSQL_URL is not set: run the tests through `npm test` (it starts a throwaway MariaDB)');
  return url;
}

export interface TestDb {
  db: Db;
  dialect: Dialect;
  /** The URL this database is reachable at (for servers started by the test). */
  target: { dialect: 'sqlite'; file: string } | { dialect: 'mysql'; url: string };
  destroy(): Promise<void>;
}

/** A fresh, migrated database of the given dialect: in-memory SQLite, or a new schema on the test MariaDB. */
export async function createTestDb(dialect: Dialect, options: { poolSize?: number; migrate?: boolean; sqliteFile?: string } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const target = { dialect: 'sqlite' as const, file: options.sqliteFile ?? ':memory:' };
    const db = createDb(target);
    if (options.migrate !== false) await migrateToLatest(db);
    return { db, dialect, target, destroy: () => db.destroy() };
  }
  const server = new URL(mysqlServerUrl());
  const name = `gh_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  const target = { dialect: 'mysql' as const, url: url.toString() };
  const db = createDb(target, options);
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    db,
    dialect,
    target,
    async destroy() {
      await db.destroy();
      const conn = await createConnection({ uri: server.toString() });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
