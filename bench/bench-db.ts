import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { createConnection } from 'mysql2/promise';
import { createDb, type Db } from '../server/src/db/create-db';
import { migrateToLatest } from '../server/src/db/migrate';

/** A freshly created and migrated database on the bench's MariaDB; dropped by `drop()`. */
export interface BenchDb {
  db: Db;
  /** mysql:// URL of this database, for a server started by the bench. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates `gh_bench_<label>_<random>` on the server at `serverUrl` (a mysql:// URL without a database) and migrates it. */
export async function createBenchDb(serverUrl: string, label: string, options: { poolSize?: number } = {}): Promise<BenchDb> {
  const name = `gh_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = await createConnection({ uri: serverUrl });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb({ dialect: 'mysql', url: url.toString() }, options);
  await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    name,
    async drop() {
      await db.destroy();
      if (process.env.BENCH_KEEP_DB === '1') return;
      const conn = await createConnection({ uri: serverUrl });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  mariadb: string;
  /** The throwaway server of server/test/mariadb-server.ts (its tuning applies), or the one MYSQL_URL names. */
  mariadbServer: 'throwaway' | 'MYSQL_URL';
  /** 1-minute load average when the bench started: anything else running on the machine shows here. */
  loadAverage1m: number;
}

/** What the figures were measured on (no host names or paths: the results are committed). */
export async function machineFacts(serverUrl: string): Promise<MachineFacts> {
  const conn = await createConnection({ uri: serverUrl });
  const [rows] = await conn.query('SELECT VERSION() AS v');
  await conn.end();
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    mariadb: String((rows as { v: string }[])[0]?.v ?? 'unknown'),
    mariadbServer: process.env.MYSQL_URL ? 'MYSQL_URL' : 'throwaway',
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
