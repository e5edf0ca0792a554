import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Client } from 'undici';
import { peoplesSquare } from '@gonghai/config';
import type { Db } from '../server/src/db/create-db';
import { SeededRandom } from '../server/src/demo/random';
import { encodeGeohash } from '../server/src/geo/geo';
import { signToken } from '../server/src/modules/auth/jwt';
import { refreshPoolMembers } from '../server/src/modules/pool/pool.repository';
import { createBenchDb, machineFacts } from './bench-db';
import { BENCH_JWT_SECRET, BENCH_TIME_ZONE, companyName, customerLevel, insertDefaultRules, insertPool, insertReps, insertTenant, offsetPoint, streetAddress } from './fixtures';
import type { BenchResult, TargetCheck } from './results';
import { median, ms, round, summarize, thousands, type LatencySummary } from './stats';

const TENANT = 'bench-claims';
const REPS = 200;
/** Requests each rep keeps in flight: a rep tapping "claim" on two cards at once, which is what the per-rep lock is for. */
const TAPS_PER_REP = 2;
const CUSTOMERS = 2000;
const DAILY_CLAIM_LIMIT = 20;
const MAX_OWNED_PER_REP = 200;
const ROUNDS = Number(process.env.BENCH_CLAIM_ROUNDS ?? 5);
const HEALTHZ_SECONDS = 5;
const CLAIMS_PER_S_TARGET = 1000;

interface Rep {
  id: string;
  token: string;
  clients: Client[];
  /** Customers this rep was refused (lost race, or already its own): it does not try them again. */
  refused: Set<number>;
  stopped: boolean;
}

/** The customers not yet seen claimed, as a rep's refreshed pool list would show them; O(1) pick and removal. */
class Board {
  private readonly ids: number[];
  private readonly at = new Map<number, number>();

  constructor(ids: readonly number[]) {
    this.ids = [...ids];
    this.ids.forEach((id, i) => this.at.set(id, i));
  }

  get size(): number {
    return this.ids.length;
  }

  remove(id: number): void {
    const i = this.at.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    this.at.delete(id);
    if (last !== id) {
      this.ids[i] = last;
      this.at.set(last, i);
    }
  }

  /** A random customer the rep was not refused, or undefined when none is left for it. */
  pickFor(rep: Rep): number | undefined {
    for (let t = 0; t < 8 && this.ids.length; t++) {
      const id = this.ids[Math.floor(Math.random() * this.ids.length)]!;
      if (!rep.refused.has(id)) return id;
    }
    return this.ids.find((id) => !rep.refused.has(id));
  }
}

async function readBody(res: { statusCode: number; body: { text(): Promise<string> } }): Promise<string | undefined> {
  const text = await res.body.text();
  if (res.statusCode === 200) return undefined;
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? 'unknown';
  } catch {
    return 'not_json';
  }
}

interface RoundResult {
  durationS: number;
  requests: number;
  claims: number;
  claimsPerS: number;
  requestsPerS: number;
  latency: LatencySummary;
  claimLatency: LatencySummary;
  responses: Record<string, number>;
  transportErrors: number;
  repsAtDailyLimit: number;
  maxClaimsByOneRep: number;
  check: Verification;
}

interface Verification {
  owned: number;
  /** Customers with more than one owner: two `claimed` ledger rows, two 200 answers, or an owner the ledger disagrees with. */
  doubleOwners: number;
  /** Reps with more claims today than the daily limit. */
  quotaOverruns: number;
  /** Reps owning more than the pool's cap. */
  capOverruns: number;
}

/** Checks the database after a round: the ledger, the customers and what the clients were told must all agree. */
async function verify(db: Db, poolId: number, winners: Map<number, string[]>): Promise<Verification> {
  const customers = await db.selectFrom('customers').select(['id', 'status', 'owner_id']).where('tenant_id', '=', TENANT).execute();
  const claims = await db
    .selectFrom('ownership_events')
    .select(['customer_id', 'to_user_id', 'to_pool_id'])
    .where('tenant_id', '=', TENANT)
    .where('type', '=', 'claimed')
    .execute();
  const claimsOf = new Map<number, string[]>();
  const perRep = new Map<string, number>();
  for (const c of claims) {
    claimsOf.set(c.customer_id, [...(claimsOf.get(c.customer_id) ?? []), c.to_user_id ?? '']);
    if (c.to_pool_id === poolId) perRep.set(c.to_user_id ?? '', (perRep.get(c.to_user_id ?? '') ?? 0) + 1);
  }
  const ownedBy = new Map<string, number>();
  let doubleOwners = 0;
  let owned = 0;
  for (const c of customers) {
    const ledger = claimsOf.get(c.id) ?? [];
    const told = winners.get(c.id) ?? [];
    if (c.status === 'owned') {
      owned++;
      ownedBy.set(c.owner_id ?? '', (ownedBy.get(c.owner_id ?? '') ?? 0) + 1);
    }
    const consistent =
      ledger.length <= 1 &&
      told.length <= 1 &&
      (c.status === 'owned') === (c.owner_id !== null) &&
      (c.status === 'owned' ? ledger[0] === c.owner_id && told[0] === c.owner_id : ledger.length === 0 && told.length === 0);
    if (!consistent) doubleOwners++;
  }
  return {
    owned,
    doubleOwners,
    quotaOverruns: [...perRep.values()].filter((n) => n > DAILY_CLAIM_LIMIT).length,
    capOverruns: [...ownedBy.values()].filter((n) => n > MAX_OWNED_PER_REP).length,
  };
}

/** Puts every customer back in the pool and forgets the round's claims (a bench database: the ledger may be cut). */
async function resetRound(db: Db, now: number): Promise<void> {
  await db
    .updateTable('customers')
    .set({ status: 'pool', owner_id: null, owned_since: null, pool_entered_at: now, updated_at: now })
    .where('tenant_id', '=', TENANT)
    .execute();
  await db.deleteFrom('ownership_events').where('tenant_id', '=', TENANT).where('type', '=', 'claimed').execute();
}

async function claimRound(db: Db, reps: Rep[], customerIds: number[], poolId: number): Promise<RoundResult> {
  const board = new Board(customerIds);
  const winners = new Map<number, string[]>();
  const claimsByRep = new Map<string, number>();
  const latencies: number[] = [];
  const claimLatencies: number[] = [];
  const responses: Record<string, number> = {};
  let transportErrors = 0;
  for (const rep of reps) {
    rep.refused.clear();
    rep.stopped = false;
  }

  const tap = async (rep: Rep, client: Client) => {
    while (!rep.stopped && board.size > 0) {
      const id = board.pickFor(rep);
      if (id === undefined) return;
      const t0 = performance.now();
      let code: string | undefined;
      let status: number;
      try {
        const res = await client.request({
          path: `/api/v1/customers/${id}/claim`,
          method: 'POST',
          headers: { authorization: `Bearer ${rep.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        status = res.statusCode;
        code = await readBody(res);
      } catch {
        transportErrors++;
        rep.refused.add(id);
        if (transportErrors > 100) throw new Error('more than 100 transport errors: the claim server is not answering');
        continue;
      }
      const took = performance.now() - t0;
      latencies.push(took);
      const key = status === 200 ? '200 claimed' : `${status} ${code}`;
      responses[key] = (responses[key] ?? 0) + 1;
      if (status === 200) {
        claimLatencies.push(took);
        winners.set(id, [...(winners.get(id) ?? []), rep.id]);
        claimsByRep.set(rep.id, (claimsByRep.get(rep.id) ?? 0) + 1);
        board.remove(id);
      } else if (code === 'daily_claim_limit_reached' || code === 'owned_limit_reached') {
        rep.stopped = true;
      } else {
        rep.refused.add(id);
      }
    }
  };

  const started = performance.now();
  await Promise.all(reps.flatMap((rep) => rep.clients.map((client) => tap(rep, client))));
  const durationS = (performance.now() - started) / 1000;
  const claims = claimLatencies.length;
  return {
    durationS,
    requests: latencies.length,
    claims,
    claimsPerS: claims / durationS,
    requestsPerS: latencies.length / durationS,
    latency: summarize(latencies),
    claimLatency: summarize(claimLatencies),
    responses,
    transportErrors,
    repsAtDailyLimit: reps.filter((r) => r.stopped).length,
    maxClaimsByOneRep: Math.max(0, ...claimsByRep.values()),
    check: await verify(db, poolId, winners),
  };
}

/** The HTTP floor: the same clients hammering GET /healthz (one `select 1`) for `seconds`. */
async function healthzLoad(reps: Rep[], seconds: number): Promise<{ requests: number; requestsPerS: number; latency: LatencySummary; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    reps.flatMap((rep) =>
      rep.clients.map(async (client) => {
        while (performance.now() < until) {
          const t0 = performance.now();
          const res = await client.request({ path: '/healthz', method: 'GET' });
          await res.body.text();
          if (res.statusCode !== 200) errors++;
          latencies.push(performance.now() - t0);
        }
      }),
    ),
  );
  const durationS = (performance.now() - started) / 1000;
  return { requests: latencies.length, requestsPerS: latencies.length / durationS, latency: summarize(latencies), errors };
}

/** Starts bench/claim-server.ts under tsx and waits for the port it prints. */
async function startClaimServer(databaseUrl: string): Promise<{ child: ChildProcess; origin: string }> {
  // Node itself loads tsx (no wrapper process), so BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof") reach the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', pathToFileURL(require.resolve('tsx')).href, path.join(__dirname, 'claim-server.ts')], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`claim server did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`claim server exited (${code}) before listening:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`claim server said ${line}`));
      }
    });
  });
  child.removeAllListeners('exit');
  return { child, origin: `http://127.0.0.1:${port}` };
}

async function stopClaimServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function seed(db: Db, now: number): Promise<{ poolId: number; repIds: string[]; customerIds: number[] }> {
  await insertTenant(db, TENANT, now);
  await db
    .insertInto('departments')
    .values([
      { tenant_id: TENANT, id: '1', parent_id: null, name: '压测公司', is_region: 0, path: '/1/', updated_at: now },
      { tenant_id: TENANT, id: '10', parent_id: '1', name: '上海销售部', is_region: 1, path: '/1/10/', updated_at: now },
    ])
    .execute();
  const repIds = await insertReps(db, TENANT, REPS, { prefix: 'rep', departmentId: '10', now });
  const poolId = await insertPool(db, TENANT, '上海公海', now, { dailyClaimLimit: DAILY_CLAIM_LIMIT, maxOwnedPerRep: MAX_OWNED_PER_REP });
  await db.insertInto('pool_departments').values({ tenant_id: TENANT, pool_id: poolId, department_id: '10' }).execute();
  await insertDefaultRules(db, TENANT, poolId, now);
  await refreshPoolMembers(db, TENANT);
  const rnd = new SeededRandom(42);
  const city = { name: '上海', lat: peoplesSquare.lat, lng: peoplesSquare.lng, teamId: 21, poolRegionId: 2 } as const;
  const rows = Array.from({ length: CUSTOMERS }, (_, i) => {
    const p = offsetPoint(city.lat, city.lng, rnd.normal() * 5000, rnd.normal() * 5000);
    const createdAt = now - rnd.int(30, 400) * 86_400_000;
    return {
      tenant_id: TENANT, name: companyName(rnd, city, i + 1), address: streetAddress(rnd, city), lat: p.lat, lng: p.lng, geohash: encodeGeohash(p.lat, p.lng),
      level: customerLevel(rnd), tags: '[]', status: 'pool' as const, pool_id: poolId, owner_id: null, owned_since: null, pool_entered_at: createdAt, created_by: null, created_at: createdAt, updated_at: createdAt,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('customers').values(rows.slice(i, i + 500)).execute();
  const customerIds = (await db.selectFrom('customers').select('id').where('tenant_id', '=', TENANT).orderBy('id').execute()).map((r) => r.id);
  const ledger = customerIds.map((id) => ({ tenant_id: TENANT, customer_id: id, type: 'created' as const, from_user_id: null, to_user_id: null, from_pool_id: null, to_pool_id: poolId, actor_id: null, reason: '压测数据', at: now }));
  for (let i = 0; i < ledger.length; i += 500) await db.insertInto('ownership_events').values(ledger.slice(i, i + 500)).execute();
  return { poolId, repIds, customerIds };
}

function roundLine(label: string, r: RoundResult): string {
  return (
    `  ${label}: ${thousands(r.claims)} claims in ${r.durationS.toFixed(2)} s = ${thousands(r.claimsPerS)} claims/s; ` +
    `${thousands(r.requests)} requests (${thousands(r.requestsPerS)}/s), p50 ${ms(r.latency.p50Ms)} p99 ${ms(r.latency.p99Ms)}; ` +
    `double owners ${r.check.doubleOwners}, quota overruns ${r.check.quotaOverruns}, owned ${thousands(r.check.owned)}`
  );
}

export async function runClaimsBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const benchStarted = performance.now();
  say(`\n== 抢客户 claim storm: ${REPS} reps × ${TAPS_PER_REP} taps in flight, ${thousands(CUSTOMERS)} pool customers, ${DAILY_CLAIM_LIMIT}/day, cap ${MAX_OWNED_PER_REP} ==`);
  const bench = await createBenchDb(serverUrl, 'claims', { poolSize: 4 });
  let server: ChildProcess | null = null;
  const reps: Rep[] = [];
  try {
    const { db } = bench;
    const now = Date.now();
    const { poolId, repIds, customerIds } = await seed(db, now);
    say(`  seeded ${bench.name}: ${REPS} reps in the pool's member department, ${thousands(customerIds.length)} customers`);
    const started = await startClaimServer(bench.url);
    server = started.child;
    say(`  API server (production app, own process) listening at ${started.origin}`);
    for (const id of repIds) {
      reps.push({
        id,
        token: signToken({ sub: id, tid: TENANT, roles: ['rep'], tz: BENCH_TIME_ZONE }, BENCH_JWT_SECRET, 4 * 3600, Date.now()),
        clients: Array.from({ length: TAPS_PER_REP }, () => new Client(started.origin, { pipelining: 1, keepAliveTimeout: 60_000 })),
        refused: new Set(),
        stopped: false,
      });
    }

    say(`  warming up: GET /healthz for 1 s …`);
    await healthzLoad(reps, 1);
    say(`  HTTP floor: GET /healthz with ${REPS * TAPS_PER_REP} connections for ${HEALTHZ_SECONDS} s …`);
    const healthz = await healthzLoad(reps, HEALTHZ_SECONDS);
    say(`  healthz: ${thousands(healthz.requestsPerS)} requests/s, p50 ${ms(healthz.latency.p50Ms)} p99 ${ms(healthz.latency.p99Ms)}${healthz.errors ? `, ${healthz.errors} errors` : ''}`);

    const warmup = await claimRound(db, reps, customerIds, poolId);
    say(roundLine('warm-up round (not counted)', warmup));
    const rounds: RoundResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await resetRound(db, Date.now());
      const r = await claimRound(db, reps, customerIds, poolId);
      rounds.push(r);
      say(roundLine(`round ${i + 1} / ${ROUNDS}`, r));
    }

    const all = [warmup, ...rounds];
    const doubleOwners = all.reduce((s, r) => s + r.check.doubleOwners, 0);
    const quotaOverruns = all.reduce((s, r) => s + r.check.quotaOverruns + r.check.capOverruns, 0);
    const incomplete = all.filter((r) => r.check.owned !== CUSTOMERS || r.claims !== CUSTOMERS).length;
    const transportErrors = all.reduce((s, r) => s + r.transportErrors, 0);
    const serverErrors = all.reduce((s, r) => s + Object.entries(r.responses).filter(([k]) => k.startsWith('5')).reduce((t, [, n]) => t + n, 0), 0);
    const mid = [...rounds].sort((a, b) => a.claimsPerS - b.claimsPerS)[Math.floor(rounds.length / 2)]!;
    const medianClaims = median(rounds.map((r) => r.claimsPerS));

    say('');
    say(`  median round: ${thousands(medianClaims)} claims/s (${thousands(mid.requestsPerS)} requests/s incl. lost races), claim p50 ${ms(mid.claimLatency.p50Ms)} p99 ${ms(mid.claimLatency.p99Ms)}; all requests p99 ${ms(mid.latency.p99Ms)}`);
    say(`  answers in that round: ${Object.entries(mid.responses).map(([k, n]) => `${k} ×${thousands(n)}`).join(', ')}`);
    say(`  HTTP floor (healthz): ${thousands(healthz.requestsPerS)} requests/s → claims run at ${((mid.requestsPerS / healthz.requestsPerS) * 100).toFixed(0)}% of the floor's request rate`);
    say(`  over ${all.length} rounds: double owners ${doubleOwners}, quota/cap overruns ${quotaOverruns}, rounds not ending with all ${thousands(CUSTOMERS)} owned ${incomplete}, 5xx ${serverErrors}, transport errors ${transportErrors}`);

    const targets: TargetCheck[] = [
      { name: 'double owners', target: '0', actual: String(doubleOwners), pass: doubleOwners === 0 },
      { name: 'quota/cap overruns', target: '0', actual: String(quotaOverruns), pass: quotaOverruns === 0 },
      {
        name: `claims/s through HTTP, ${REPS} reps, ${thousands(CUSTOMERS)} customers`,
        target: `≥ ${thousands(CLAIMS_PER_S_TARGET)}/s`,
        actual: `${thousands(medianClaims)}/s (median of ${ROUNDS} rounds; p99 ${ms(mid.claimLatency.p99Ms)}; healthz floor ${thousands(healthz.requestsPerS)} req/s)`,
        pass: medianClaims >= CLAIMS_PER_S_TARGET,
      },
    ];
    const summarizeRound = (r: RoundResult) => ({
      durationS: round(r.durationS, 3),
      claims: r.claims,
      claimsPerS: Math.round(r.claimsPerS),
      requests: r.requests,
      requestsPerS: Math.round(r.requestsPerS),
      latency: r.latency,
      claimLatency: r.claimLatency,
      responses: r.responses,
      transportErrors: r.transportErrors,
      repsAtDailyLimit: r.repsAtDailyLimit,
      maxClaimsByOneRep: r.maxClaimsByOneRep,
      check: r.check,
    });
    const result: BenchResult = {
      bench: 'claims',
      title: '抢客户 claim storm',
      date: new Date().toISOString(),
      durationS: round((performance.now() - benchStarted) / 1000, 1),
      machine: await machineFacts(serverUrl),
      targets,
      params: {
        reps: REPS,
        tapsPerRep: TAPS_PER_REP,
        connections: REPS * TAPS_PER_REP,
        customers: CUSTOMERS,
        dailyClaimLimit: DAILY_CLAIM_LIMIT,
        maxOwnedPerRep: MAX_OWNED_PER_REP,
        rounds: ROUNDS,
        server: 'production app (createRuntime + buildApp) in a child process, default DB pool; load generator: undici, one connection per tap',
        request: 'POST /api/v1/customers/:id/claim {} with the rep\'s JWT; a rep picks random customers not yet seen claimed and not refused to it, until all are owned',
      },
      healthz: { seconds: HEALTHZ_SECONDS, requests: healthz.requests, requestsPerS: Math.round(healthz.requestsPerS), latency: healthz.latency, errors: healthz.errors },
      medianRound: summarizeRound(mid),
      rounds: rounds.map(summarizeRound),
      warmupRound: summarizeRound(warmup),
      totals: { doubleOwners, quotaOverruns, incompleteRounds: incomplete, serverErrors, transportErrors },
    };
    return { result, correct: doubleOwners === 0 && quotaOverruns === 0 && incomplete === 0 };
  } finally {
    await Promise.all(reps.flatMap((r) => r.clients.map((c) => c.close())));
    if (server) await stopClaimServer(server);
    await bench.drop();
  }
}
