import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createConnection } from 'mysql2/promise';
import { Client, Pool, type Dispatcher } from 'undici';
import { peoplesSquare } from '@gonghai/config';
import type { Db } from '../server/src/db/create-db';
import { SeededRandom } from '../server/src/demo/random';
import { encodeGeohash } from '../server/src/geo/geo';
import { nameKey } from '../server/src/modules/customers/duplicates';
import { signToken } from '../server/src/modules/auth/jwt';
import { recordCreations } from '../server/src/modules/pool/ownership-writer';
import { refreshPoolMembers } from '../server/src/modules/pool/pool.repository';
import { startApiServer, stopApiServer } from './api-server-process';
import { createBenchDb, machineFacts } from './bench-db';
import { BENCH_JWT_SECRET, BENCH_TIME_ZONE, companyName, customerLevel, insertDefaultRules, insertPool, insertReps, insertTenant, offsetPoint, streetAddress } from './fixtures';
import type { BenchResult, TargetCheck } from './results';
import { ms, round, summarize, thousands, type LatencySummary } from './stats';

const TENANT = 'bench-claims';
const REPS = 200;
const CUSTOMERS = 2000;
const DAILY_CLAIM_LIMIT = 20;
const MAX_OWNED_PER_REP = 200;
const ROUNDS = Number(process.env.BENCH_CLAIM_ROUNDS ?? 5);
const HEALTHZ_SECONDS = 5;
const CLAIMS_PER_S_TARGET = 1000;
/** Quota race: each of these reps fires this many claims at once, on customers nobody else asks for. */
const RACE_REPS = 80;
const RACE_TAPS = 25;
const RACE_CONNECTIONS = 500;
/**
 * `BENCH_CLAIM_COMPARE_FLUSH=2` (or 1) times the storms once more with the server's innodb_flush_log_at_trx_commit set
 * to that value, in the same run, for comparison; the targets are judged at the server's own setting (1 on the
 * throwaway server: durable, as production runs).
 */
const COMPARE_FLUSH = process.env.BENCH_CLAIM_COMPARE_FLUSH === '1' || process.env.BENCH_CLAIM_COMPARE_FLUSH === '2' ? Number(process.env.BENCH_CLAIM_COMPARE_FLUSH) : null;

/** The server's innodb_flush_log_at_trx_commit, set to `value` when given (a global: every connection sees it). */
async function flushSetting(serverUrl: string, value?: number): Promise<number> {
  const conn = await createConnection({ uri: serverUrl });
  try {
    if (value !== undefined) await conn.query(`SET GLOBAL innodb_flush_log_at_trx_commit = ${value}`);
    const [rows] = await conn.query('SELECT @@GLOBAL.innodb_flush_log_at_trx_commit AS v');
    return Number((rows as { v: number }[])[0]!.v);
  } finally {
    await conn.end();
  }
}

/**
 * A rep for one round. Each round signs in a fresh set of reps on the same phones (connections), so no round starts
 * with quota used up by the one before, however the server keeps that count.
 */
interface Rep {
  id: string;
  token: string;
  /** The rep's phone: one keep-alive connection, one request at a time. */
  client: Client;
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

interface ClaimAnswer {
  /** '200 claimed' or '<status> <error code>'. */
  key: string;
  ok: boolean;
  code: string | undefined;
  ms: number;
}

/** One POST /api/v1/customers/:id/claim as the mini-program sends it; null when the connection failed. */
async function claim(dispatcher: Dispatcher, token: string, customerId: number): Promise<ClaimAnswer | null> {
  const t0 = performance.now();
  try {
    const res = await dispatcher.request({
      path: `/api/v1/customers/${customerId}/claim`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    if (res.statusCode === 200) return { key: '200 claimed', ok: true, code: undefined, ms };
    let code = 'not_json';
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? 'unknown';
    } catch {
      // keep not_json
    }
    return { key: `${res.statusCode} ${code}`, ok: false, code, ms };
  } catch {
    return null;
  }
}

interface Tally {
  requests: number;
  claims: number;
  latencies: number[];
  claimLatencies: number[];
  responses: Record<string, number>;
  transportErrors: number;
  /** Customer id → the reps that were told "200 claimed". */
  winners: Map<number, string[]>;
  claimsByRep: Map<string, number>;
}

function newTally(): Tally {
  return { requests: 0, claims: 0, latencies: [], claimLatencies: [], responses: {}, transportErrors: 0, winners: new Map(), claimsByRep: new Map() };
}

function count(t: Tally, repId: string, customerId: number, answer: ClaimAnswer | null): void {
  if (!answer) {
    t.transportErrors++;
    if (t.transportErrors > 100) throw new Error('more than 100 transport errors: the claim server is not answering');
    return;
  }
  t.requests++;
  t.latencies.push(answer.ms);
  t.responses[answer.key] = (t.responses[answer.key] ?? 0) + 1;
  if (answer.ok) {
    t.claims++;
    t.claimLatencies.push(answer.ms);
    t.winners.set(customerId, [...(t.winners.get(customerId) ?? []), repId]);
    t.claimsByRep.set(repId, (t.claimsByRep.get(repId) ?? 0) + 1);
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

/**
 * Checks the database after a round: the ledger (rows after `afterLedgerId`), the customers and what the clients were
 * told must all agree.
 */
async function verify(db: Db, poolId: number, winners: Map<number, string[]>, afterLedgerId: number): Promise<Verification> {
  const customers = await db.selectFrom('customers').select(['id', 'status', 'owner_id']).where('tenant_id', '=', TENANT).execute();
  const claims = await db
    .selectFrom('ownership_events')
    .select(['customer_id', 'to_user_id', 'to_pool_id'])
    .where('tenant_id', '=', TENANT)
    .where('type', '=', 'claimed')
    .where('id', '>', afterLedgerId)
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

/**
 * Puts every customer back in the pool (a bench database: without the ledger rows a real release would write) and
 * returns the ledger's last id, after which the next round's claims are checked. `forgetQuota` also clears the day's
 * claim counters, for reps that claim in a second round.
 */
async function resetCustomers(db: Db, now: number, options: { forgetQuota?: boolean } = {}): Promise<number> {
  if (options.forgetQuota) await db.deleteFrom('claim_counters').where('tenant_id', '=', TENANT).execute();
  await db
    .updateTable('customers')
    .set({ status: 'pool', owner_id: null, owned_since: null, pool_entered_at: now, updated_at: now })
    .where('tenant_id', '=', TENANT)
    .execute();
  const row = await db.selectFrom('ownership_events').select((eb) => eb.fn.max('id').as('last')).executeTakeFirst();
  return Number(row?.last ?? 0);
}

async function finish(db: Db, poolId: number, t: Tally, durationS: number, afterLedgerId: number): Promise<RoundResult> {
  return {
    durationS,
    requests: t.requests,
    claims: t.claims,
    claimsPerS: t.claims / durationS,
    requestsPerS: t.requests / durationS,
    latency: summarize(t.latencies),
    claimLatency: summarize(t.claimLatencies),
    responses: t.responses,
    transportErrors: t.transportErrors,
    maxClaimsByOneRep: Math.max(0, ...t.claimsByRep.values()),
    check: await verify(db, poolId, t.winners, afterLedgerId),
  };
}

/**
 * One storm: every rep, one request at a time on its own connection, claims random customers it has not seen claimed
 * or been refused, until all are owned (a 409 is a lost race; a limit refusal stops the rep).
 */
async function stormRound(db: Db, reps: Rep[], customerIds: number[], poolId: number, afterLedgerId: number): Promise<RoundResult> {
  const board = new Board(customerIds);
  const t = newTally();
  const runRep = async (rep: Rep) => {
    while (!rep.stopped && board.size > 0) {
      const id = board.pickFor(rep);
      if (id === undefined) return;
      const answer = await claim(rep.client, rep.token, id);
      count(t, rep.id, id, answer);
      if (answer?.ok) board.remove(id);
      else if (answer?.code === 'daily_claim_limit_reached' || answer?.code === 'owned_limit_reached') rep.stopped = true;
      else rep.refused.add(id);
    }
  };
  const started = performance.now();
  await Promise.all(reps.map(runRep));
  return finish(db, poolId, t, (performance.now() - started) / 1000, afterLedgerId);
}

/**
 * The quota race: RACE_REPS reps each fire RACE_TAPS claims at once (on customers nobody else asks for), the way a
 * rep hammering "claim" on a weak network would. Exactly DAILY_CLAIM_LIMIT of each rep's claims may succeed.
 */
async function quotaRace(
  db: Db,
  origin: string,
  reps: Rep[],
  customerIds: number[],
  poolId: number,
  afterLedgerId: number,
): Promise<RoundResult & { repsAtExactLimit: number; repsUnderLimit: number }> {
  const pool = new Pool(origin, { connections: RACE_CONNECTIONS, pipelining: 1 });
  const t = newTally();
  try {
    const started = performance.now();
    // Rep-major order: the pool dispatches a rep's claims together, so they really race each other.
    await Promise.all(
      reps.flatMap((rep, r) =>
        Array.from({ length: RACE_TAPS }, async (_, k) => {
          const id = customerIds[r * RACE_TAPS + k]!;
          count(t, rep.id, id, await claim(pool, rep.token, id));
        }),
      ),
    );
    const result = await finish(db, poolId, t, (performance.now() - started) / 1000, afterLedgerId);
    const perRep = reps.map((rep) => t.claimsByRep.get(rep.id) ?? 0);
    return { ...result, repsAtExactLimit: perRep.filter((n) => n === DAILY_CLAIM_LIMIT).length, repsUnderLimit: perRep.filter((n) => n < DAILY_CLAIM_LIMIT).length };
  } finally {
    await pool.close();
  }
}

/** The HTTP floor: every phone hammering GET /healthz (one `select 1`) for `seconds`. */
async function healthzLoad(phones: Client[], seconds: number): Promise<{ requests: number; requestsPerS: number; latency: LatencySummary; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    phones.map(async (phone) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await phone.request({ path: '/healthz', method: 'GET' });
        await res.body.text();
        if (res.statusCode !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const durationS = (performance.now() - started) / 1000;
  return { requests: latencies.length, requestsPerS: latencies.length / durationS, latency: summarize(latencies), errors };
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
  const repIds = await insertReps(db, TENANT, REPS * (ROUNDS + 1) + RACE_REPS, { prefix: 'rep', departmentId: '10', now });
  const poolId = await insertPool(db, TENANT, '上海公海', now, { dailyClaimLimit: DAILY_CLAIM_LIMIT, maxOwnedPerRep: MAX_OWNED_PER_REP });
  await db.insertInto('pool_departments').values({ tenant_id: TENANT, pool_id: poolId, department_id: '10' }).execute();
  await insertDefaultRules(db, TENANT, poolId, now);
  await refreshPoolMembers(db, TENANT);
  const rnd = new SeededRandom(42);
  const city = { name: '上海', lat: peoplesSquare.lat, lng: peoplesSquare.lng, teamId: 21, poolRegionId: 2 } as const;
  const rows = Array.from({ length: CUSTOMERS }, (_, i) => {
    const p = offsetPoint(city.lat, city.lng, rnd.normal() * 5000, rnd.normal() * 5000);
    const createdAt = now - rnd.int(30, 400) * 86_400_000;
    const name = companyName(rnd, city, i + 1);
    return {
      tenant_id: TENANT, name, name_key: nameKey(name), address: streetAddress(rnd, city), lat: p.lat, lng: p.lng, geohash: encodeGeohash(p.lat, p.lng),
      level: customerLevel(rnd), tags: '[]', status: 'pool' as const, pool_id: poolId, owner_id: null, owned_since: null, pool_entered_at: createdAt, created_by: null, created_at: createdAt, updated_at: createdAt,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('customers').values(rows.slice(i, i + 500)).execute();
  const customerIds = (await db.selectFrom('customers').select('id').where('tenant_id', '=', TENANT).orderBy('id').execute()).map((r) => r.id);
  // Their `created` ledger rows, through the one writer of the ledger.
  const created = customerIds.map((customerId) => ({ tenantId: TENANT, customerId, toUserId: null, toPoolId: poolId, actorId: null, reason: '压测数据', now }));
  for (let i = 0; i < created.length; i += 500) await recordCreations(db, created.slice(i, i + 500));
  return { poolId, repIds, customerIds };
}

function roundLine(label: string, r: RoundResult): string {
  return (
    `  ${label}: ${thousands(r.claims)} claims in ${r.durationS.toFixed(2)} s = ${thousands(r.claimsPerS)} claims/s; ` +
    `${thousands(r.requests)} requests (${thousands(r.requestsPerS)}/s), p50 ${ms(r.latency.p50Ms)} p99 ${ms(r.latency.p99Ms)}; ` +
    `double owners ${r.check.doubleOwners}, quota overruns ${r.check.quotaOverruns}, owned ${thousands(r.check.owned)}`
  );
}

function roundFigures(r: RoundResult) {
  return {
    durationS: round(r.durationS, 3),
    claims: r.claims,
    claimsPerS: Math.round(r.claimsPerS),
    requests: r.requests,
    requestsPerS: Math.round(r.requestsPerS),
    latency: r.latency,
    claimLatency: r.claimLatency,
    responses: Object.fromEntries(Object.entries(r.responses).sort()),
    transportErrors: r.transportErrors,
    maxClaimsByOneRep: r.maxClaimsByOneRep,
    check: r.check,
  };
}

const serverErrorsIn = (r: RoundResult) => Object.entries(r.responses).filter(([k]) => k.startsWith('5')).reduce((s, [, n]) => s + n, 0);

export async function runClaimsBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const benchStarted = performance.now();
  const machine = await machineFacts(serverUrl);
  say(`\n== 抢客户 claim storm: ${REPS} reps, ${thousands(CUSTOMERS)} pool customers, ${DAILY_CLAIM_LIMIT} claims/day, cap ${MAX_OWNED_PER_REP} ==`);
  const bench = await createBenchDb(serverUrl, 'claims', { poolSize: 4 });
  let server: ChildProcess | null = null;
  const phones: Client[] = [];
  try {
    const { db } = bench;
    const now = Date.now();
    const { poolId, repIds, customerIds } = await seed(db, now);
    say(`  seeded ${bench.name}: ${thousands(repIds.length)} reps in the pool's member department (${REPS} per round), ${thousands(customerIds.length)} customers`);
    const started = await startApiServer(bench.url);
    server = started.child;
    say(`  API server (production app, own process) listening at ${started.origin}`);
    for (let i = 0; i < REPS; i++) phones.push(new Client(started.origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
    const signIn = (ids: string[], on: (i: number) => Client): Rep[] =>
      ids.map((id, i) => ({
        id,
        token: signToken({ sub: id, tid: TENANT, roles: ['rep'], tz: BENCH_TIME_ZONE }, BENCH_JWT_SECRET, 4 * 3600, Date.now()),
        client: on(i),
        refused: new Set(),
        stopped: false,
      }));
    const repsOfRound = (round: number) => signIn(repIds.slice(round * REPS, (round + 1) * REPS), (i) => phones[i]!);

    say('  warming up: GET /healthz for 1 s …');
    await healthzLoad(phones, 1);
    say(`  HTTP floor: GET /healthz on the same ${REPS} connections for ${HEALTHZ_SECONDS} s …`);
    const healthz = await healthzLoad(phones, HEALTHZ_SECONDS);
    say(`  healthz: ${thousands(healthz.requestsPerS)} requests/s, p50 ${ms(healthz.latency.p50Ms)} p99 ${ms(healthz.latency.p99Ms)}${healthz.errors ? `, ${healthz.errors} errors` : ''}`);

    const warmup = await stormRound(db, repsOfRound(0), customerIds, poolId, await resetCustomers(db, Date.now()));
    say(roundLine('warm-up storm (not counted)', warmup));
    const flush = await flushSetting(serverUrl);
    const rounds: RoundResult[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await stormRound(db, repsOfRound(i), customerIds, poolId, await resetCustomers(db, Date.now()));
      rounds.push(r);
      say(roundLine(`storm ${i} / ${ROUNDS} (innodb_flush_log_at_trx_commit=${flush})`, r));
    }
    const compared: RoundResult[] = [];
    if (COMPARE_FLUSH !== null) {
      await flushSetting(serverUrl, COMPARE_FLUSH);
      try {
        // The same reps again: their quota day is used up, so a new day's counters (the customers go back to the pool).
        for (let i = 1; i <= ROUNDS; i++) {
          const r = await stormRound(db, repsOfRound(i), customerIds, poolId, await resetCustomers(db, Date.now(), { forgetQuota: true }));
          compared.push(r);
          say(roundLine(`storm ${i} / ${ROUNDS} (innodb_flush_log_at_trx_commit=${COMPARE_FLUSH}, comparison)`, r));
        }
      } finally {
        await flushSetting(serverUrl, flush);
      }
    }

    say(`  quota race: ${RACE_REPS} reps × ${RACE_TAPS} simultaneous claims each (limit ${DAILY_CLAIM_LIMIT}/day) …`);
    const raceReps = signIn(repIds.slice((ROUNDS + 1) * REPS), (i) => phones[i]!);
    const race = await quotaRace(db, started.origin, raceReps, customerIds, poolId, await resetCustomers(db, Date.now()));
    say(
      `  quota race: ${thousands(race.requests)} requests in ${race.durationS.toFixed(2)} s; ${race.repsAtExactLimit} / ${RACE_REPS} reps got exactly ${DAILY_CLAIM_LIMIT}, ` +
        `${race.repsUnderLimit} fewer, max ${race.maxClaimsByOneRep}; quota overruns ${race.check.quotaOverruns}, double owners ${race.check.doubleOwners}`,
    );

    const storms = [warmup, ...rounds, ...compared];
    const doubleOwners = [...storms, race].reduce((s, r) => s + r.check.doubleOwners, 0);
    const overruns = [...storms, race].reduce((s, r) => s + r.check.quotaOverruns + r.check.capOverruns, 0);
    const incomplete = storms.filter((r) => r.check.owned !== CUSTOMERS || r.claims !== CUSTOMERS).length;
    const transportErrors = [...storms, race].reduce((s, r) => s + r.transportErrors, 0);
    const serverErrors = [...storms, race].reduce((s, r) => s + serverErrorsIn(r), 0);
    // The median storm by claims/s (nearest rank), reported whole so its figures belong together.
    const mid = [...rounds].sort((a, b) => a.claimsPerS - b.claimsPerS)[Math.ceil(rounds.length / 2) - 1]!;
    const medianClaims = mid.claimsPerS;

    const comparedMid = compared.length ? [...compared].sort((a, b) => a.claimsPerS - b.claimsPerS)[Math.ceil(compared.length / 2) - 1]! : null;

    say('');
    if (comparedMid) say(`  comparison, innodb_flush_log_at_trx_commit=${COMPARE_FLUSH}: median storm ${thousands(comparedMid.claimsPerS)} claims/s; claim p99 ${ms(comparedMid.claimLatency.p99Ms)}`);
    say(`  median storm (innodb_flush_log_at_trx_commit=${flush}): ${thousands(medianClaims)} claims/s (${thousands(mid.requestsPerS)} requests/s incl. lost races); claim p50 ${ms(mid.claimLatency.p50Ms)} p99 ${ms(mid.claimLatency.p99Ms)}; all requests p99 ${ms(mid.latency.p99Ms)}`);
    say(`  answers in that storm: ${Object.entries(mid.responses).map(([k, n]) => `${k} ×${thousands(n)}`).join(', ')}`);
    say(`  HTTP floor (healthz, one select 1): ${thousands(healthz.requestsPerS)} requests/s; the storm's request rate is ${((mid.requestsPerS / healthz.requestsPerS) * 100).toFixed(0)}% of it`);
    say(`  all storms + race: double owners ${doubleOwners}, quota/cap overruns ${overruns}, storms not ending with all ${thousands(CUSTOMERS)} owned ${incomplete}, 5xx ${serverErrors}, transport errors ${transportErrors}`);

    const targets: TargetCheck[] = [
      { name: 'double owners (storms + quota race)', target: '0', actual: String(doubleOwners), pass: doubleOwners === 0 },
      { name: 'quota/cap overruns (storms + quota race)', target: '0', actual: String(overruns), pass: overruns === 0 },
      {
        name: `quota race, ${RACE_REPS} reps × ${RACE_TAPS} simultaneous claims`,
        target: `every rep exactly ${DAILY_CLAIM_LIMIT}`,
        actual: `${race.repsAtExactLimit} / ${RACE_REPS} reps at ${DAILY_CLAIM_LIMIT}, max ${race.maxClaimsByOneRep}${serverErrorsIn(race) ? `, ${serverErrorsIn(race)} × 5xx` : ''}`,
        pass: race.repsAtExactLimit === RACE_REPS && serverErrorsIn(race) === 0,
      },
      {
        name: `claims/s through HTTP, ${REPS} reps, ${thousands(CUSTOMERS)} customers`,
        target: `≥ ${thousands(CLAIMS_PER_S_TARGET)}/s`,
        actual: `${thousands(medianClaims)}/s (median of ${ROUNDS}, innodb_flush_log_at_trx_commit=${flush}; claim p99 ${ms(mid.claimLatency.p99Ms)}; healthz floor ${thousands(healthz.requestsPerS)} req/s)`,
        pass: medianClaims >= CLAIMS_PER_S_TARGET,
      },
    ];
    const result: BenchResult = {
      bench: 'claims',
      title: '抢客户 claim storm',
      date: new Date().toISOString(),
      durationS: round((performance.now() - benchStarted) / 1000, 1),
      machine,
      targets,
      params: {
        reps: REPS,
        connections: REPS,
        customers: CUSTOMERS,
        dailyClaimLimit: DAILY_CLAIM_LIMIT,
        maxOwnedPerRep: MAX_OWNED_PER_REP,
        rounds: ROUNDS,
        quotaRace: { reps: RACE_REPS, simultaneousClaimsPerRep: RACE_TAPS, connections: RACE_CONNECTIONS },
        server: 'production app (createRuntime + buildApp) in a child process, default DB pool',
        mariadbFlushLogAtTrxCommit: flush,
        storm: "POST /api/v1/customers/:id/claim {} with each rep's JWT on its own keep-alive connection (undici), one request at a time; a rep picks random customers not yet seen claimed and not refused to it, until all are owned; each round signs in 200 new reps on the same connections, and customers go back to the pool between rounds by direct SQL",
      },
      healthz: { seconds: HEALTHZ_SECONDS, connections: REPS, requests: healthz.requests, requestsPerS: Math.round(healthz.requestsPerS), latency: healthz.latency, errors: healthz.errors },
      medianStorm: roundFigures(mid),
      storms: rounds.map(roundFigures),
      ...(comparedMid ? { flushComparison: { mariadbFlushLogAtTrxCommit: COMPARE_FLUSH, medianStorm: roundFigures(comparedMid), storms: compared.map(roundFigures) } } : {}),
      warmupStorm: roundFigures(warmup),
      quotaRace: { ...roundFigures(race), repsAtExactLimit: race.repsAtExactLimit, repsUnderLimit: race.repsUnderLimit },
      totals: { doubleOwners, overruns, incompleteStorms: incomplete, serverErrors, transportErrors },
    };
    return { result, correct: doubleOwners === 0 && overruns === 0 && incomplete === 0 };
  } finally {
    await Promise.all(phones.map((p) => p.close()));
    if (server) await stopApiServer(server);
    await bench.drop();
  }
}
