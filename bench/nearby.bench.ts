import { performance } from 'node:perf_hooks';
import { demoCities } from '@gonghai/config';
import { sql } from 'kysely';
import { createPool } from 'mysql2/promise';
import type { Actor } from '../server/src/context';
import type { Db } from '../server/src/db/create-db';
import { SeededRandom } from '../server/src/demo/random';
import { coveringRanges, encodeGeohash, haversineM } from '../server/src/geo/geo';
import { nearbyPoolCustomers, type NearbyItem } from '../server/src/modules/pool/nearby.service';
import { memberPoolIds } from '../server/src/modules/pool/pool.repository';
import { createBenchDb, machineFacts } from './bench-db';
import { BENCH_TIME_ZONE, companyName, customerLevel, insertPool, insertReps, insertTenant, offsetPoint, streetAddress, type City } from './fixtures';
import type { BenchResult, TargetCheck } from './results';
import { median, ms, round, summarize, thousands } from './stats';

const TENANT = 'bench-nearby';
const REP = 'nearby-rep';
const RADIUS_M = 1000;
const LIMIT = 100;
const CHUNK_ROWS = 5000;
const WARMUP_QUERIES = 200;
const QUERIES = 2000;
const BASELINE_RUNS = 15;
const OWNED_SHARE = 0.3;
const P99_TARGET_MS = 10;
const RATIO_TARGET = 100;
/** Metres: two distances closer than this are a tie (the two sides compute them with different libm code). */
const TIE_M = 1e-6;

/** Share of the tenant's customers per city, and how spread out each city is. */
const cityMix: { name: City['name']; share: number; broadSigmaM: number }[] = [
  { name: '上海', share: 0.35, broadSigmaM: 12_000 },
  { name: '杭州', share: 0.15, broadSigmaM: 9_000 },
  { name: '广州', share: 0.25, broadSigmaM: 11_000 },
  { name: '深圳', share: 0.25, broadSigmaM: 11_000 },
];
/** Per city: a broad spread plus business districts (sub-centres), which is what real customer maps look like. */
const DISTRICTS_PER_CITY = 30;
const DISTRICT_SHARE = 0.6;
const DISTRICT_SIGMA_M = 1_500;
/** Query points: normal around the city centres (σ metres), where reps and customers are densest. */
const QUERY_SIGMA_M = 4_000;

interface CityModel {
  city: City;
  share: number;
  broadSigmaM: number;
  districts: { lat: number; lng: number; weight: number }[];
  districtTotal: number;
}

function cityModels(rnd: SeededRandom): CityModel[] {
  return cityMix.map((mix) => {
    const city = demoCities.find((c) => c.name === mix.name)!;
    const districts = Array.from({ length: DISTRICTS_PER_CITY }, () => {
      const p = offsetPoint(city.lat, city.lng, rnd.normal() * mix.broadSigmaM * 0.6, rnd.normal() * mix.broadSigmaM * 0.6);
      return { ...p, weight: Math.exp(rnd.normal() * 0.8) };
    });
    return { city, share: mix.share, broadSigmaM: mix.broadSigmaM, districts, districtTotal: districts.reduce((s, d) => s + d.weight, 0) };
  });
}

function pickCity(models: CityModel[], rnd: SeededRandom): CityModel {
  let u = rnd.next();
  for (const m of models) {
    if ((u -= m.share) < 0) return m;
  }
  return models[models.length - 1]!;
}

function customerPoint(m: CityModel, rnd: SeededRandom): { lat: number; lng: number } {
  if (rnd.next() >= DISTRICT_SHARE) return offsetPoint(m.city.lat, m.city.lng, rnd.normal() * m.broadSigmaM, rnd.normal() * m.broadSigmaM);
  let u = rnd.next() * m.districtTotal;
  let d = m.districts[0]!;
  for (const candidate of m.districts) {
    d = candidate;
    if ((u -= candidate.weight) < 0) break;
  }
  return offsetPoint(d.lat, d.lng, rnd.normal() * DISTRICT_SIGMA_M, rnd.normal() * DISTRICT_SIGMA_M);
}

const customerColumns = ['id', 'tenant_id', 'name', 'address', 'lat', 'lng', 'geohash', 'level', 'tags', 'status', 'pool_id', 'owner_id', 'owned_since', 'pool_entered_at', 'created_by', 'created_at', 'updated_at'];

interface Pools {
  east: number;
  south: number;
  company: number;
}

/** Bulk-loads `total` customers with multi-row INSERTs (two statements in flight while the next chunk is generated). */
async function loadCustomers(url: string, total: number, pools: Pools, owners: string[], now: number, say: (line: string) => void): Promise<number> {
  const rnd = new SeededRandom(20261127);
  const models = cityModels(rnd);
  const conn = createPool({ uri: url, connectionLimit: 2, charset: 'utf8mb4', timezone: 'Z' });
  const insert = `INSERT INTO customers (${customerColumns.join(', ')}) VALUES ?`;
  const started = performance.now();
  let inserted = 0;
  let nextReport = 100_000;
  let failure: unknown = null;
  const inFlight: Promise<void>[] = [];
  try {
    for (let start = 0; start < total && failure === null; start += CHUNK_ROWS) {
      const rows: unknown[][] = [];
      for (let id = start + 1; id <= Math.min(total, start + CHUNK_ROWS); id++) {
        const m = pickCity(models, rnd);
        const p = customerPoint(m, rnd);
        const poolId = rnd.next() < 0.1 ? pools.company : m.city.poolRegionId === 2 ? pools.east : pools.south;
        const owned = rnd.next() < OWNED_SHARE;
        const createdAt = now - rnd.int(1, 700) * 86_400_000;
        rows.push([
          id, TENANT, companyName(rnd, m.city, id), streetAddress(rnd, m.city), p.lat, p.lng, encodeGeohash(p.lat, p.lng), customerLevel(rnd), '[]',
          owned ? 'owned' : 'pool', poolId, owned ? rnd.pick(owners) : null, owned ? createdAt + 86_400_000 : null, owned ? null : createdAt, null, createdAt, createdAt,
        ]);
      }
      if (inFlight.length >= 2) await inFlight.shift();
      inFlight.push(
        conn.query(insert, [rows]).then(
          () => {
            inserted += rows.length;
            if (inserted >= nextReport || inserted === total) {
              const perS = inserted / ((performance.now() - started) / 1000);
              say(`  inserted ${thousands(inserted)} / ${thousands(total)} customers  (${thousands(perS)} rows/s)`);
              while (nextReport <= inserted) nextReport += 100_000;
            }
          },
          (err: unknown) => {
            failure ??= err;
          },
        ),
      );
    }
    await Promise.all(inFlight);
    if (failure !== null) throw failure;
  } finally {
    await conn.end();
  }
  return (performance.now() - started) / 1000;
}

/** The way open-source CRMs answer "customers near me": haversine over every candidate row in SQL, sorted, limited. */
function fullScanQuery(pools: number[], actor: Actor, lat: number, lng: number) {
  return sql<{ id: number; name: string; address: string; lat: number; lng: number; level: string; pool_id: number; distance_m: number }>`
    SELECT id, name, address, lat, lng, level, pool_id,
      2 * 6371008.8 * ASIN(LEAST(1, SQRT(
        POW(SIN(RADIANS(lat - ${lat}) / 2), 2) + COS(RADIANS(${lat})) * COS(RADIANS(lat)) * POW(SIN(RADIANS(lng - ${lng}) / 2), 2)
      ))) AS distance_m
    FROM customers
    WHERE tenant_id = ${actor.tenantId} AND status = 'pool' AND pool_id IN (${sql.join(pools)})
    HAVING distance_m <= ${RADIUS_M}
    ORDER BY distance_m, id
    LIMIT ${LIMIT}`;
}

async function fullScanNearby(db: Db, actor: Actor, lat: number, lng: number): Promise<{ id: number; distance_m: number }[]> {
  const pools = await memberPoolIds(db, actor.tenantId, actor.userId);
  return (await fullScanQuery(pools, actor, lat, lng).execute(db)).rows;
}

/** MariaDB's plan for the baseline (access type, index, estimated rows), recorded with the figures. */
async function explainFullScan(db: Db, actor: Actor, lat: number, lng: number): Promise<{ type: string; key: string | null; rows: number }[]> {
  const pools = await memberPoolIds(db, actor.tenantId, actor.userId);
  const result = await sql<{ type: string; key: string | null; rows: number | string }>`EXPLAIN ${fullScanQuery(pools, actor, lat, lng)}`.execute(db);
  return result.rows.map((r) => ({ type: r.type, key: r.key, rows: Number(r.rows) }));
}

/** Rows the storage engine handed to the server on this connection so far (all Handler_read_* counters). */
async function handlerReads(db: Db): Promise<number> {
  const result = await sql<{ Variable_name: string; Value: string }>`SHOW SESSION STATUS LIKE 'Handler_read%'`.execute(db);
  return result.rows.reduce((s, r) => s + Number(r.Value), 0);
}

/** Rows read per call of `run`, net of what the SHOW STATUS itself reads. */
async function rowsReadPerCall(db: Db, calls: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const a = await handlerReads(db);
  const b = await handlerReads(db);
  const showCost = b - a;
  for (let i = 0; i < calls; i++) await run(i);
  const c = await handlerReads(db);
  return (c - b - showCost) / calls;
}

/** Same ids in the same order, allowing ties to swap and rows exactly on the radius to differ. */
function sameAnswer(indexed: { id: number; d: number }[], baseline: { id: number; d: number }[]): boolean {
  const n = Math.max(indexed.length, baseline.length);
  for (let i = 0; i < n; i++) {
    const a = indexed[i];
    const b = baseline[i];
    if (a && b) {
      if (a.id !== b.id && Math.abs(a.d - b.d) > TIE_M) return false;
    } else {
      const extra = (a ?? b)!;
      if (Math.abs(extra.d - RADIUS_M) > TIE_M) return false;
    }
  }
  const ids = (xs: { id: number; d: number }[], cut: number) => xs.filter((x) => x.d < cut - TIE_M).map((x) => x.id).sort((p, q) => p - q).join();
  const cut = Math.min(indexed[indexed.length - 1]?.d ?? RADIUS_M, baseline[baseline.length - 1]?.d ?? RADIUS_M);
  return ids(indexed, cut) === ids(baseline, cut);
}

export async function runNearbyBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const benchStarted = performance.now();
  const machine = await machineFacts(serverUrl);
  const total = Number(process.env.BENCH_NEARBY_CUSTOMERS ?? 1_000_000);
  const now = Date.now();
  say(`\n== 附近公海客户 nearby search: ${thousands(total)} customers, radius ${RADIUS_M} m, limit ${LIMIT} ==`);
  // One connection: the queries run one after another, and the Handler_read counters are per session.
  const bench = await createBenchDb(serverUrl, 'nearby', { poolSize: 1 });
  try {
    const { db } = bench;
    await insertTenant(db, TENANT, now);
    await insertReps(db, TENANT, 1, { prefix: REP, now });
    const owners = await insertReps(db, TENANT, 300, { prefix: 'owner', now });
    const pools: Pools = {
      company: await insertPool(db, TENANT, '总公司公海', now),
      east: await insertPool(db, TENANT, '华东公海', now),
      south: await insertPool(db, TENANT, '华南公海', now),
    };
    const repId = `${REP}0001`;
    await db
      .insertInto('pool_members')
      .values(Object.values(pools).map((poolId) => ({ tenant_id: TENANT, user_id: repId, pool_id: poolId })))
      .execute();

    say(`  loading into database ${bench.name} …`);
    const loadS = await loadCustomers(bench.url, total, pools, owners, now, say);
    const analyzeStarted = performance.now();
    await sql`ANALYZE TABLE customers, pool_members, pools`.execute(db);
    const analyzeS = (performance.now() - analyzeStarted) / 1000;
    say(`  loaded in ${loadS.toFixed(1)} s (${thousands(total / loadS)} rows/s); ANALYZE TABLE ${analyzeS.toFixed(1)} s`);

    const actor: Actor = { tenantId: TENANT, userId: repId, roles: ['rep'], timeZone: BENCH_TIME_ZONE };
    const qrnd = new SeededRandom(7);
    const qmodels = cityModels(new SeededRandom(20261127));
    const points = Array.from({ length: WARMUP_QUERIES + QUERIES }, () => {
      const m = pickCity(qmodels, qrnd);
      return offsetPoint(m.city.lat, m.city.lng, qrnd.normal() * QUERY_SIGMA_M, qrnd.normal() * QUERY_SIGMA_M);
    });
    const query = (p: { lat: number; lng: number }) => nearbyPoolCustomers(db, actor, { lat: p.lat, lng: p.lng, radius: RADIUS_M, coord: 'gcj02', limit: LIMIT });

    say(`  warming up (${WARMUP_QUERIES} queries) …`);
    for (const p of points.slice(0, WARMUP_QUERIES)) await query(p);
    // The baseline runs interleaved with the indexed queries, so both see the same machine (others' load included).
    say(`  timing ${thousands(QUERIES)} indexed queries (nearbyPoolCustomers, the production path) with ${BASELINE_RUNS} full-scan baseline runs interleaved …`);
    const samples: number[] = [];
    const baselineSamples: number[] = [];
    const mismatches: { lat: number; lng: number; indexed: number[]; baseline: number[] }[] = [];
    const withDistance = (p: { lat: number; lng: number }, items: NearbyItem[]) => items.map((it) => ({ id: it.id, d: haversineM(p.lat, p.lng, it.lat, it.lng) }));
    const baselineEvery = Math.floor(QUERIES / BASELINE_RUNS);
    let returned = 0;
    const measured = points.slice(WARMUP_QUERIES);
    for (const [i, p] of measured.entries()) {
      const t0 = performance.now();
      const items = await query(p);
      samples.push(performance.now() - t0);
      returned += items.length;
      if (i % baselineEvery === Math.floor(baselineEvery / 2) && baselineSamples.length < BASELINE_RUNS) {
        // The same point through the full scan: its time, and whether it gives the same answer.
        const b0 = performance.now();
        const rows = await fullScanNearby(db, actor, p.lat, p.lng);
        baselineSamples.push(performance.now() - b0);
        const mine = withDistance(p, items);
        const theirs = rows.map((r) => ({ id: Number(r.id), d: Number(r.distance_m) }));
        if (!sameAnswer(mine, theirs)) mismatches.push({ ...p, indexed: mine.map((x) => x.id).slice(0, 10), baseline: theirs.map((x) => x.id).slice(0, 10) });
      }
      if ((i + 1) % 250 === 0) {
        say(
          `    ${thousands(i + 1)} / ${thousands(QUERIES)}: indexed p50 so far ${ms(median(samples))}; ` +
            `full scan ${baselineSamples.length} runs, p50 ${ms(median(baselineSamples))}; ${baselineSamples.length - mismatches.length} / ${baselineSamples.length} answers identical`,
        );
      }
    }
    const indexed = summarize(samples);
    const indexedRowsRead = await rowsReadPerCall(db, 100, (i) => query(measured[i]!));

    // Density, measured by the bench itself (not through the repository): pool customers in the geohash ranges that
    // cover the circle, and how many of them lie inside it.
    const densitySample = measured.slice(0, 200);
    let candidates = 0;
    let inside = 0;
    for (const p of densitySample) {
      for (const r of coveringRanges(p.lat, p.lng, RADIUS_M)) {
        let q = db.selectFrom('customers').select(['lat', 'lng']).where('tenant_id', '=', TENANT).where('status', '=', 'pool').where('geohash', '>=', r.from);
        if (r.to !== null) q = q.where('geohash', '<', r.to);
        const rows = await q.execute();
        candidates += rows.length;
        inside += rows.filter((row) => haversineM(p.lat, p.lng, row.lat, row.lng) <= RADIUS_M).length;
      }
    }
    const baseline = summarize(baselineSamples);
    const plan = await explainFullScan(db, actor, measured[0]!.lat, measured[0]!.lng);
    const baselineRowsRead = await rowsReadPerCall(db, 2, (i) => fullScanNearby(db, actor, measured[i]!.lat, measured[i]!.lng));
    const ratioP50 = baseline.p50Ms / indexed.p50Ms;
    const ratioP99 = baseline.p50Ms / indexed.p99Ms;

    say('');
    say(`  indexed   p50 ${ms(indexed.p50Ms)}  p95 ${ms(indexed.p95Ms)}  p99 ${ms(indexed.p99Ms)}  mean ${ms(indexed.meanMs)}  max ${ms(indexed.maxMs)}  (${thousands(QUERIES)} queries)`);
    say(`            ${(returned / QUERIES).toFixed(1)} results per query; ${thousands(candidates / densitySample.length)} pool customers in the covering geohash ranges, ${thousands(inside / densitySample.length)} of them inside ${RADIUS_M} m; ~${thousands(indexedRowsRead)} handler row reads per query`);
    say(`  full scan p50 ${ms(baseline.p50Ms)}  p99 ${ms(baseline.p99Ms)}  (${BASELINE_RUNS} runs; ~${thousands(baselineRowsRead)} handler row reads per query; plan ${plan.map((p) => `${p.type}${p.key ? ` on ${p.key}` : ''}`).join(', ')})`);
    say(`  ratio     ${ratioP50.toFixed(0)}× at p50 (full-scan p50 / indexed p50), ${ratioP99.toFixed(0)}× against the indexed p99`);
    say(`  correctness: ${BASELINE_RUNS - mismatches.length} / ${BASELINE_RUNS} answers identical to the full scan`);

    const targets: TargetCheck[] = [
      { name: `nearby p99, radius 1 km, ${thousands(total)} customers`, target: `≤ ${P99_TARGET_MS} ms`, actual: `p99 ${ms(indexed.p99Ms)} (p50 ${ms(indexed.p50Ms)})`, pass: indexed.p99Ms <= P99_TARGET_MS },
      { name: 'speed-up over a full-scan haversine query', target: `≥ ${RATIO_TARGET}×`, actual: `${ratioP50.toFixed(0)}× at p50 (${ratioP99.toFixed(0)}× vs indexed p99; full scan p50 ${ms(baseline.p50Ms)})`, pass: ratioP50 >= RATIO_TARGET },
      { name: 'same answers as the full scan', target: '0 mismatches', actual: `${mismatches.length} of ${BASELINE_RUNS}`, pass: mismatches.length === 0 },
    ];
    const result: BenchResult = {
      bench: 'nearby',
      title: '附近公海客户 nearby',
      date: new Date().toISOString(),
      durationS: round((performance.now() - benchStarted) / 1000, 1),
      machine,
      targets,
      params: {
        customers: total,
        ownedShare: OWNED_SHARE,
        pools: 3,
        radiusM: RADIUS_M,
        limit: LIMIT,
        warmupQueries: WARMUP_QUERIES,
        queries: QUERIES,
        baselineRuns: BASELINE_RUNS,
        distribution: `${cityMix.map((c) => `${c.name} ${Math.round(c.share * 100)}%`).join(', ')}; per city ${DISTRICT_SHARE * 100}% in ${DISTRICTS_PER_CITY} districts (σ ${DISTRICT_SIGMA_M} m), the rest normal around the centre (σ 9–12 km); query points normal around the centres (σ ${QUERY_SIGMA_M} m)`,
        connection: 'one connection, queries run one after another',
      },
      load: { rows: total, seconds: round(loadS, 1), rowsPerSecond: Math.round(total / loadS), analyzeSeconds: round(analyzeS, 1) },
      indexed: {
        ...indexed,
        resultsPerQuery: round(returned / QUERIES, 1),
        poolCustomersInCoveringRanges: Math.round(candidates / densitySample.length),
        insideRadiusPerQuery: Math.round(inside / densitySample.length),
        handlerReadsPerQuery: Math.round(indexedRowsRead),
      },
      baseline: { ...baseline, handlerReadsPerQuery: Math.round(baselineRowsRead), plan },
      ratio: { p50OverP50: round(ratioP50, 1), baselineP50OverIndexedP99: round(ratioP99, 1) },
      correctness: { compared: BASELINE_RUNS, mismatches: mismatches.length, examples: mismatches.slice(0, 3) },
    };
    return { result, correct: mismatches.length === 0 };
  } finally {
    await bench.drop();
  }
}
