import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { demoCities } from '@gonghai/config';
import { createDb, type Db } from '../server/src/db/create-db';
import { migrateToLatest } from '../server/src/db/migrate';
import { SeededRandom } from '../server/src/demo/random';
import { encodeGeohash } from '../server/src/geo/geo';
import { nameKey } from '../server/src/modules/customers/duplicates';
import { signToken } from '../server/src/modules/auth/jwt';
import { evidenceKey, verifyEvidence } from '../server/src/modules/evidence/evidence.service';
import { LocalPhotoStore } from '../server/src/modules/evidence/photo-store';
import { refreshPoolMembers } from '../server/src/modules/pool/pool.repository';
import { startApiServer, stopApiServer } from './api-server-process';
import { createBenchDb, machineFacts } from './bench-db';
import { BENCH_JWT_SECRET, BENCH_MASTER_KEY, BENCH_TIME_ZONE, companyName, customerLevel, insertDefaultRules, insertPool, insertReps, insertTenant, offsetPoint, streetAddress } from './fixtures';
import { RawHttpClient } from './raw-http-client';
import type { BenchResult, TargetCheck } from './results';
import { ms, round, summarize, thousands, type LatencySummary } from './stats';

const TENANT = 'bench-checkin';
const REPS = 200;
/**
 * Phones checking in back to back in the capacity phase. With check-ins group-committed, 8 phones no longer load the
 * server: each waits for its batch's round trips, so 8 in flight measured their latency (~22 ms) rather than what the
 * server can take. 32 keep both cores busy. `BENCH_CHECKIN_CAPACITY_PHONES=N` to compare.
 */
const CAPACITY_CONNECTIONS = Number(process.env.BENCH_CHECKIN_CAPACITY_PHONES ?? 32);
/** The target arrival rate of DESIGN §14 (check-ins per second). */
const RATE = 500;
const CUSTOMERS_PER_REP = 10;
const SECONDS = Number(process.env.BENCH_CHECKIN_SECONDS ?? 10);
const HEALTHZ_SECONDS = 3;
const CHECKINS_PER_S_TARGET = 500;
const P99_TARGET_MS = 50;
/**
 * Nonces issued to each phone before the timed phases (the nonce is its own endpoint, not part of a check-in): enough
 * for 1,200 check-ins a second from the capacity phones together, and three times a fair share of the target load for
 * the others.
 */
const CAPACITY_NONCES = Math.ceil((SECONDS * 1_200) / CAPACITY_CONNECTIONS);
const LOAD_NONCES = Math.ceil(((RATE * SECONDS) / (REPS - CAPACITY_CONNECTIONS)) * 3);
/** `BENCH_CHECKIN_DATABASES=sqlite` (or `mariadb`) runs one of the two, e.g. to profile it. */
const DATABASES = (process.env.BENCH_CHECKIN_DATABASES ?? 'sqlite,mariadb').split(',');

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every mainstream build). */
const CLOCK_TICKS_PER_S = 100;

/** The process id of a MariaDB server on this machine (the throwaway one the benches start), or undefined. */
async function localDatabasePid(db: Db): Promise<number | undefined> {
  try {
    const { rows } = await sql<{ file: string }>`select @@pid_file as file`.execute(db);
    const pid = Number(readFileSync(rows[0]!.file, 'utf8').trim());
    return processCpuMs(pid) === null ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** Server CPU per request of a phase: what the server process used between two readings, divided by the requests. */
function cpuPerRequest(before: number | null, after: number | null, requests: number): number | null {
  return before === null || after === null || requests === 0 ? null : round((after - before) / requests, 3);
}

interface Rep {
  id: string;
  token: string;
  client: RawHttpClient;
  customers: { id: number; lat: number; lng: number }[];
  nonces: string[];
  /** Where the rep is: they visit their customers in turn, minutes apart on the server clock. */
  next: number;
}

async function seed(db: Db, now: number): Promise<{ reps: { id: string; customers: { id: number; lat: number; lng: number }[] }[] }> {
  await insertTenant(db, TENANT, now);
  await db.insertInto('departments').values({ tenant_id: TENANT, id: '1', parent_id: null, name: '压测公司', is_region: 0, path: '/1/', updated_at: now }).execute();
  const poolId = await insertPool(db, TENANT, '压测公海', now);
  await db.insertInto('pool_departments').values({ tenant_id: TENANT, pool_id: poolId, department_id: '1' }).execute();
  await insertDefaultRules(db, TENANT, poolId, now);
  const repIds = await insertReps(db, TENANT, REPS, { prefix: 'ci', departmentId: '1', now });
  await refreshPoolMembers(db, TENANT);
  const rnd = new SeededRandom(7);
  const reps: { id: string; customers: { id: number; lat: number; lng: number }[] }[] = [];
  let serial = 0;
  for (const [r, repId] of repIds.entries()) {
    const city = demoCities[r % demoCities.length]!;
    const centre = offsetPoint(city.lat, city.lng, rnd.normal() * 5000, rnd.normal() * 5000);
    const rows = Array.from({ length: CUSTOMERS_PER_REP }, () => {
      // A rep works one street: their customers sit within a few hundred metres, so visiting them one after another
      // at bench speed is still plausible travel (the speed check ignores hops under 1 km).
      const p = offsetPoint(centre.lat, centre.lng, rnd.normal() * 120, rnd.normal() * 120);
      serial += 1;
      const name = companyName(rnd, city, serial);
      return {
        tenant_id: TENANT,
        name,
        name_key: nameKey(name),
        address: streetAddress(rnd, city),
        lat: p.lat,
        lng: p.lng,
        geohash: encodeGeohash(p.lat, p.lng),
        level: customerLevel(rnd),
        tags: '[]',
        status: 'owned' as const,
        pool_id: poolId,
        owner_id: repId,
        owned_since: now - 86_400_000,
        pool_entered_at: null,
        created_by: repId,
        created_at: now - 86_400_000,
        updated_at: now - 86_400_000,
      };
    });
    await db.insertInto('customers').values(rows).execute();
    const ids = await db.selectFrom('customers').select(['id', 'lat', 'lng']).where('tenant_id', '=', TENANT).where('owner_id', '=', repId).orderBy('id').execute();
    reps.push({ id: repId, customers: ids });
  }
  return { reps };
}

/**
 * Fixes as a phone takes them at a customer: three, a few seconds apart, jittering by metres. Each drifts within its
 * own 4 m band east-west (bands 1 m apart): offsetPoint rounds to 1e-6° (~10 cm), so free jitter put two fixes of one
 * check-in on the same point about once in 10,000 check-ins, and that genuine check-in came out FROZEN_FIXES suspect.
 */
function fixesAt(c: { lat: number; lng: number }, now: number, rnd: SeededRandom) {
  return [0, 1, 2].map((i) => {
    const p = offsetPoint(c.lat, c.lng, (i - 1) * 5 + Math.max(-2, Math.min(2, rnd.normal() * 1.5)), rnd.normal() * 6);
    return { lat: p.lat + rnd.next() * 1e-7, lng: p.lng + rnd.next() * 1e-7, accuracy: Number((8 + rnd.next() * 20).toFixed(1)), coord: 'gcj02', ts: now - (8 - i * 3) * 1000 };
  });
}

/** The customer's own access point. */
function bssidOf(customerId: number): string {
  const bytes = [0x02, 0x00, (customerId >>> 24) & 255, (customerId >>> 16) & 255, (customerId >>> 8) & 255, customerId & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

async function post(client: RawHttpClient, token: string, urlPath: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const res = await client.request({ path: urlPath, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined, ms: performance.now() - t0 };
}

interface Run {
  database: 'SQLite' | 'MariaDB';
  healthz: { requestsPerS: number; latency: LatencySummary };
  /** Back-to-back with CAPACITY_CONNECTIONS phones: the most the server answers. */
  capacity: { checkInsPerS: number; latency: LatencySummary; serverCpuMsPerCheckIn: number | null; databaseCpuMsPerCheckIn: number | null };
  /** API server CPU (user + system, all threads) per check-in at the target load, in ms. */
  serverCpuMsPerCheckIn: number | null;
  /** The same for the MariaDB server, when it runs on this machine (null for SQLite, which runs inside the API server). */
  databaseCpuMsPerCheckIn: number | null;
  /** At the target arrival rate. */
  checkIns: number;
  /** Due check-ins that found every phone still waiting (the server fell behind by ~all phones' worth). */
  dropped: number;
  checkInsPerS: number;
  latency: LatencySummary;
  /** Check-ins of both phases (all must be verified and chained). */
  checkedIn: number;
  verdicts: Record<string, number>;
  reasons: Record<string, number>;
  errors: Record<string, number>;
  chainOk: boolean;
  chainEntries: number;
}

/** One database: the production app in its own process, REPS phones checking in at their customers for SECONDS. */
async function runOn(database: Run['database'], url: string, db: Db, photoDir: string, say: (line: string) => void): Promise<Run> {
  const now = Date.now();
  const seeded = await seed(db, now);
  let server: ChildProcess | null = null;
  const clients: RawHttpClient[] = [];
  try {
    const started = await startApiServer(url, { PHOTO_STORE: photoDir });
    server = started.child;
    const reps: Rep[] = seeded.reps.map((r) => {
      const client = new RawHttpClient(started.origin);
      clients.push(client);
      return { id: r.id, token: signToken({ sub: r.id, tid: TENANT, roles: ['rep'], tz: BENCH_TIME_ZONE }, BENCH_JWT_SECRET, 3600, Date.now()), client, customers: r.customers, nonces: [], next: 0 };
    });
    // Issued straight into the table, as POST /api/v1/visits/nonce would (its own cost is not a check-in's).
    const expiresAt = Date.now() + 3_600_000;
    const nonceRows = reps.flatMap((rep, i) =>
      Array.from({ length: i < CAPACITY_CONNECTIONS ? CAPACITY_NONCES : LOAD_NONCES }, () => {
        const nonce = randomBytes(18).toString('base64url');
        rep.nonces.push(nonce);
        return { tenant_id: TENANT, nonce, user_id: rep.id, expires_at: expiresAt, used_at: null };
      }),
    );
    for (let i = 0; i < nonceRows.length; i += 500) await db.insertInto('visit_nonces').values(nonceRows.slice(i, i + 500)).execute();
    say(`  ${database}: ${thousands(nonceRows.length)} nonces issued`);
    const healthzLatencies: number[] = [];
    const healthzUntil = performance.now() + HEALTHZ_SECONDS * 1000;
    const healthzStart = performance.now();
    await Promise.all(
      reps.map(async (rep) => {
        while (performance.now() < healthzUntil) {
          const t0 = performance.now();
          const res = await rep.client.request({ path: '/healthz', method: 'GET' });
          await res.body.text();
          healthzLatencies.push(performance.now() - t0);
        }
      }),
    );
    const healthz = { requestsPerS: healthzLatencies.length / ((performance.now() - healthzStart) / 1000), latency: summarize(healthzLatencies) };
    say(`  ${database}: healthz floor ${thousands(healthz.requestsPerS)} requests/s, p99 ${ms(healthz.latency.p99Ms)}`);

    const rnd = new SeededRandom(11);
    const verdicts: Record<string, number> = {};
    const errors: Record<string, number> = {};
    /** Why check-ins that were not verified were not (reason code and measured value; the first 20 kinds). */
    const reasons: Record<string, number> = {};
    /** One check-in by `rep` at its next customer; returns when the answer is read. */
    const checkInOnce = async (rep: Rep): Promise<void> => {
      const customer = rep.customers[rep.next % rep.customers.length]!;
      rep.next += 1;
      const res = await post(rep.client, rep.token, '/api/v1/visits', {
        customerId: customer.id,
        nonce: rep.nonces.pop(),
        fixes: fixesAt(customer, Date.now(), rnd),
        wifi: [{ bssid: bssidOf(customer.id), ssid: 'Customer-WiFi', signal: -55 }],
        device: { platform: 'dingtalk', os: 'Android 14', model: 'Bench Phone', clientVersion: '1.0.0' },
      });
      if (res.status === 201) {
        verdicts[res.json.visit.verdict as string] = (verdicts[res.json.visit.verdict as string] ?? 0) + 1;
        for (const reason of res.json.visit.risk.reasons as { code: string; detail: string }[]) {
          const key = `${reason.code}: ${reason.detail}`;
          if (Object.keys(reasons).length < 20 || key in reasons) reasons[key] = (reasons[key] ?? 0) + 1;
        }
      }
      else {
        const code = `${res.status} ${(res.json?.error?.code as string | undefined) ?? 'unknown'}`;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    };

    // Capacity: a few phones checking in back to back, as fast as the server answers.
    const capacityReps = reps.slice(0, CAPACITY_CONNECTIONS);
    const databasePid = database === 'MariaDB' ? await localDatabasePid(db) : undefined;
    const capacityCpu0 = processCpuMs(server.pid);
    const capacityDbCpu0 = processCpuMs(databasePid);
    const capacityLatencies: number[] = [];
    const capacityUntil = performance.now() + SECONDS * 1000;
    const capacityStart = performance.now();
    await Promise.all(
      capacityReps.map(async (rep) => {
        while (performance.now() < capacityUntil && rep.nonces.length > 0) {
          const t = performance.now();
          await checkInOnce(rep);
          capacityLatencies.push(performance.now() - t);
        }
      }),
    );
    const capacity = {
      checkInsPerS: capacityLatencies.length / ((performance.now() - capacityStart) / 1000),
      latency: summarize(capacityLatencies),
      serverCpuMsPerCheckIn: cpuPerRequest(capacityCpu0, processCpuMs(server.pid), capacityLatencies.length),
      databaseCpuMsPerCheckIn: cpuPerRequest(capacityDbCpu0, processCpuMs(databasePid), capacityLatencies.length),
    };
    say(
      `  ${database}: capacity ${thousands(capacity.checkInsPerS)} check-ins/s with ${CAPACITY_CONNECTIONS} phones back to back, p99 ${ms(capacity.latency.p99Ms)}, server CPU ${capacity.serverCpuMsPerCheckIn ?? '?'} ms per check-in${capacity.databaseCpuMsPerCheckIn === null ? '' : ` + MariaDB ${capacity.databaseCpuMsPerCheckIn} ms`}`,
    );

    // The target load: check-ins arriving at RATE per second from all phones, whatever the answers' speed (open
    // loop); latency counts from when a check-in was due, so a server falling behind shows in p99 too.
    const latencies: number[] = [];
    const intervalMs = 1000 / RATE;
    const total = Math.round(RATE * SECONDS);
    const inFlight: Promise<void>[] = [];
    let dropped = 0;
    const idle = reps.slice(CAPACITY_CONNECTIONS).filter((rep) => rep.nonces.length > 0);
    const loadCpu0 = processCpuMs(server.pid);
    const loadDbCpu0 = processCpuMs(databasePid);
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const rep = idle.shift();
      if (rep === undefined) {
        // Every phone is still waiting for an answer: the server has fallen this far behind. Not sent, and counted.
        dropped += 1;
        continue;
      }
      inFlight.push(
        checkInOnce(rep).then(() => {
          latencies.push(performance.now() - due);
          if (rep.nonces.length > 0) idle.push(rep);
        }),
      );
    }
    await Promise.all(inFlight);
    const durationS = (performance.now() - t0) / 1000;
    const checkIns = latencies.length;
    const serverCpuMsPerCheckIn = cpuPerRequest(loadCpu0, processCpuMs(server.pid), checkIns);
    const databaseCpuMsPerCheckIn = cpuPerRequest(loadDbCpu0, processCpuMs(databasePid), checkIns);
    const chain = await verifyEvidence(db, new LocalPhotoStore(photoDir), evidenceKey(BENCH_MASTER_KEY), TENANT, Date.now() + 120_000);
    const checkedIn = capacityLatencies.length + checkIns;
    return { database, healthz, capacity, serverCpuMsPerCheckIn, databaseCpuMsPerCheckIn, checkIns, dropped, checkInsPerS: checkIns / durationS, latency: summarize(latencies), verdicts, reasons, errors, checkedIn, chainOk: chain.ok, chainEntries: chain.entries };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    if (server) await stopApiServer(server);
  }
}

/** `npm run bench -- checkin`: check-in throughput and p99 through HTTP on SQLite and on MariaDB (DESIGN §14). */
export async function runCheckinBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const benchStarted = performance.now();
  const machine = await machineFacts(serverUrl);
  say(`\n== 拜访签到 check-in: ${REPS} reps at their customers, capacity and ${RATE}/s offered for ${SECONDS} s each, risk engine and evidence chain on ==`);
  const runs: Run[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-bench-checkin-'));
  try {
    if (DATABASES.includes('sqlite')) {
      const sqliteFile = path.join(dir, 'checkin.db');
      const sqlite = createDb({ dialect: 'sqlite', file: sqliteFile });
      try {
        await migrateToLatest(sqlite);
        runs.push(await runOn('SQLite', `sqlite:${sqliteFile}`, sqlite, path.join(dir, 'photos-sqlite'), say));
      } finally {
        await sqlite.destroy();
      }
    }
    if (DATABASES.includes('mariadb')) {
      const maria = await createBenchDb(serverUrl, 'checkin', { poolSize: 4 });
      try {
        runs.push(await runOn('MariaDB', maria.url, maria.db, path.join(dir, 'photos-mariadb'), say));
      } finally {
        await maria.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const r of runs) {
    say(
      `  ${r.database}: at ${RATE}/s offered: ${thousands(r.checkIns)} check-ins = ${thousands(r.checkInsPerS)}/s${r.dropped ? ` (${thousands(r.dropped)} not sent: no phone free)` : ''}, p50 ${ms(r.latency.p50Ms)} p99 ${ms(r.latency.p99Ms)}; capacity ${thousands(r.capacity.checkInsPerS)}/s; ` +
        `server CPU per check-in ${r.capacity.serverCpuMsPerCheckIn ?? '?'} ms (capacity) / ${r.serverCpuMsPerCheckIn ?? '?'} ms (load)` +
        `${r.databaseCpuMsPerCheckIn === null ? '' : `, MariaDB ${r.capacity.databaseCpuMsPerCheckIn ?? '?'} / ${r.databaseCpuMsPerCheckIn} ms`}; ` +
        `verdicts ${JSON.stringify(r.verdicts)}${Object.keys(r.reasons).length ? ` (reasons ${JSON.stringify(r.reasons)})` : ''}${Object.keys(r.errors).length ? `, errors ${JSON.stringify(r.errors)}` : ''}; chain ${r.chainOk ? 'verifies' : 'BROKEN'} (${thousands(r.chainEntries)} entries); healthz floor ${thousands(r.healthz.requestsPerS)}/s`,
    );
  }
  const targets: TargetCheck[] = runs.flatMap((r) => [
    {
      name: `check-ins/s through HTTP on ${r.database}`,
      target: `≥ ${CHECKINS_PER_S_TARGET}/s`,
      actual: `${thousands(r.checkInsPerS)}/s at ${RATE}/s offered; capacity ${thousands(r.capacity.checkInsPerS)}/s (healthz floor ${thousands(r.healthz.requestsPerS)}/s)`,
      pass: r.dropped === 0 && r.checkInsPerS >= CHECKINS_PER_S_TARGET * 0.98 && r.capacity.checkInsPerS >= CHECKINS_PER_S_TARGET,
    },
    { name: `check-in p99 at ${RATE}/s on ${r.database}`, target: `≤ ${P99_TARGET_MS} ms`, actual: `p99 ${ms(r.latency.p99Ms)} (p50 ${ms(r.latency.p50Ms)})`, pass: r.latency.p99Ms <= P99_TARGET_MS },
    {
      name: `every genuine check-in verified and chained on ${r.database}`,
      target: 'all verified, no errors, chain verifies',
      actual: `${thousands(r.verdicts.verified ?? 0)} of ${thousands(r.checkedIn)} verified, chain ${r.chainOk ? 'ok' : 'broken'}`,
      pass: (r.verdicts.verified ?? 0) === r.checkedIn && r.chainOk,
    },
  ]);
  const correct = runs.every((r) => r.chainOk && Object.keys(r.errors).length === 0);
  return {
    result: {
      bench: 'checkin',
      title: '拜访签到 check-in',
      date: new Date().toISOString(),
      durationS: round((performance.now() - benchStarted) / 1000, 1),
      machine,
      targets,
      method: `POST /api/v1/visits through the production app in its own process, per database: capacity = ${CAPACITY_CONNECTIONS} phones (keep-alive HTTP/1.1 connections, bench/raw-http-client.ts) back to back for ${SECONDS} s; target load = check-ins arriving at ${RATE}/s for ${SECONDS} s from ${REPS - CAPACITY_CONNECTIONS} phones (open loop, latency counted from when each was due); nonces fetched beforehand; three jittered fixes and one Wi-Fi per check-in at the rep's own customers in turn; the evidence chain is verified afterwards; CPU per check-in = user + system time of the API server process (and of mariadbd, when it runs on this machine) over a phase, from /proc, divided by its check-ins`,
      runs: runs.map((r) => ({ ...r, checkInsPerS: round(r.checkInsPerS), healthz: { ...r.healthz, requestsPerS: round(r.healthz.requestsPerS) } })),
    },
    correct,
  };
}
