import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { createConnection } from 'mysql2/promise';
import type { Db } from '../server/src/db/create-db';
import { createDb } from '../server/src/db/create-db';
import { migrateToLatest } from '../server/src/db/migrate';
import { SeededRandom } from '../server/src/demo/random';
import { IMPORT_COLUMNS } from '../server/src/modules/customers/import/customer-sheet';
import { importCustomers, type ImportReport } from '../server/src/modules/customers/import/import.service';
import { SandboxGeocoder } from '../server/src/geo/sandbox-geocoder';
import { createBenchDb, machineFacts } from './bench-db';
import { BENCH_TIME_ZONE, companyName, customerLevel, insertPool, insertReps, insertTenant, offsetPoint, streetAddress } from './fixtures';
import { demoCities } from '@gonghai/config';
import type { BenchResult, TargetCheck } from './results';
import { round, thousands } from './stats';

const TENANT = 'bench-import';
const ROWS = 10_000;
const REPS = 50;
const TARGET_S = 60;
/** Every tenth row has only an address (geocoded by the sandbox geocoder); every other row has an owner. */
const NOW = Date.parse('2026-12-01T10:00:00+08:00');

/** 10,000 distinct customers as an .xlsx written by ExcelJS, like a CRM export a company would bring. */
async function sheet(): Promise<Buffer> {
  const rnd = new SeededRandom(19);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow([...IMPORT_COLUMNS]);
  for (let i = 0; i < ROWS; i++) {
    const city = demoCities[i % demoCities.length]!;
    const p = offsetPoint(city.lat, city.lng, rnd.int(-20_000, 20_000), rnd.int(-20_000, 20_000));
    const geocode = i % 10 === 9;
    ws.addRow([
      companyName(rnd, city, i + 1),
      streetAddress(rnd, city),
      geocode ? null : p.lat,
      geocode ? null : p.lng,
      null,
      customerLevel(rnd),
      i % 3 === 0 ? '导入;老客户' : null,
      `联系人${i + 1}`,
      '经理',
      `139${String(10_000_000 + i).padStart(8, '0')}`,
      i % 2 === 0 ? `imp${String(1 + (i % REPS)).padStart(4, '0')}` : null,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function prepare(db: Db): Promise<number> {
  await insertTenant(db, TENANT, NOW);
  const poolId = await insertPool(db, TENANT, '导入公海', NOW, { maxOwnedPerRep: 1000 });
  const reps = await insertReps(db, TENANT, REPS, { prefix: 'imp', now: NOW });
  await db.insertInto('users').values({ tenant_id: TENANT, id: 'admin', name: '管理员', mobile: null, title: null, manager_id: null, hired_date: null, active: 1, left_at: null, roles: 'admin', created_at: NOW, updated_at: NOW }).execute();
  await db.insertInto('pool_members').values(reps.map((user_id) => ({ tenant_id: TENANT, user_id, pool_id: poolId }))).execute();
  return poolId;
}

interface Run {
  database: string;
  dryRunS: number;
  importS: number;
  rowsPerS: number;
  report: Omit<ImportReport, 'duplicates' | 'errors'> & { duplicates: number; errors: number };
  sameReport: boolean;
  customers: number;
  assignedLedgerRows: number;
}

async function runOn(database: string, db: Db, file: Buffer, say: (line: string) => void): Promise<Run> {
  const poolId = await prepare(db);
  const actor = { tenantId: TENANT, userId: 'admin', roles: ['admin' as const], timeZone: BENCH_TIME_ZONE };
  const clock = { now: () => NOW };
  const input = { file, filename: 'customers.xlsx', poolId };
  let t = performance.now();
  const dry = await importCustomers(db, clock, new SandboxGeocoder(), actor, { ...input, dryRun: true });
  const dryRunS = (performance.now() - t) / 1000;
  t = performance.now();
  const real = await importCustomers(db, clock, new SandboxGeocoder(), actor, { ...input, dryRun: false });
  const importS = (performance.now() - t) / 1000;
  const customers = Number((await db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', TENANT).executeTakeFirstOrThrow()).n);
  const assigned = Number(
    (await db.selectFrom('ownership_events').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', TENANT).where('type', '=', 'assigned').executeTakeFirstOrThrow()).n,
  );
  const sameReport = JSON.stringify({ ...dry, dryRun: false }) === JSON.stringify(real);
  const run: Run = {
    database,
    dryRunS: round(dryRunS),
    importS: round(importS),
    rowsPerS: Math.round(ROWS / importS),
    report: { ...real, duplicates: real.duplicates.length, errors: real.errors.length },
    sameReport,
    customers,
    assignedLedgerRows: assigned,
  };
  say(`  ${database}: import ${run.importS} s (${thousands(run.rowsPerS)} rows/s), dry run ${run.dryRunS} s; created ${real.created}, geocoded ${real.geocoded}, errors ${real.errors.length}, duplicates ${real.duplicates.length}; dry run = real run: ${sameReport}`);
  return run;
}

/** `npm run bench -- import`: 10,000 rows of .xlsx imported into SQLite and into MariaDB (durable commits), target < 60 s each. */
export async function runImportBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const started = performance.now();
  const machine = await machineFacts(serverUrl);
  say(`\n== 客户导入 import: ${thousands(ROWS)} rows (.xlsx), half with an owner, 1 in 10 geocoded, batches of 500 ==`);
  const file = await sheet();
  say(`  sheet: ${round(file.length / 1024 / 1024)} MB`);
  const runs: Run[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-bench-import-'));
  try {
    const sqlite = createDb({ dialect: 'sqlite', file: path.join(dir, 'import.db') });
    try {
      await migrateToLatest(sqlite);
      runs.push(await runOn('SQLite', sqlite, file, say));
    } finally {
      await sqlite.destroy();
    }
    // Durable commits for the measurement (each batch's COMMIT reaches the disk), whatever the server runs with.
    const conn = await createConnection({ uri: serverUrl });
    const [rows] = await conn.query('SELECT @@GLOBAL.innodb_flush_log_at_trx_commit AS v');
    const flushBefore = Number((rows as { v: number }[])[0]!.v);
    await conn.query('SET GLOBAL innodb_flush_log_at_trx_commit = 1');
    const maria = await createBenchDb(serverUrl, 'import', { poolSize: 4 });
    try {
      runs.push(await runOn('MariaDB', maria.db, file, say));
    } finally {
      await maria.drop();
      await conn.query(`SET GLOBAL innodb_flush_log_at_trx_commit = ${flushBefore}`);
      await conn.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const expectedCreated = ROWS;
  const correct = runs.every((r) => r.sameReport && r.report.created === expectedCreated && r.customers === expectedCreated && r.assignedLedgerRows === ROWS / 2);
  const targets: TargetCheck[] = runs.map((r) => ({
    name: `${thousands(ROWS)} 行导入 import on ${r.database}`,
    target: `< ${TARGET_S} s`,
    actual: `${r.importS} s (${thousands(r.rowsPerS)} rows/s)`,
    pass: r.importS < TARGET_S,
  }));
  const result: BenchResult = {
    bench: 'import',
    title: `客户导入 import: ${thousands(ROWS)} rows`,
    date: new Date().toISOString(),
    durationS: round((performance.now() - started) / 1000),
    machine,
    targets,
    rows: ROWS,
    mariadbFlushLogAtTrxCommit: 1,
    runs,
  };
  return { result, correct };
}
