import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { demoCities } from '@gonghai/config';
import type { Db } from '../server/src/db/create-db';
import { createDb } from '../server/src/db/create-db';
import { migrateToLatest } from '../server/src/db/migrate';
import { SeededRandom } from '../server/src/demo/random';
import { encodeGeohash } from '../server/src/geo/geo';
import { duplicateCandidates, lockTenantCustomerCreation } from '../server/src/modules/customers/customers.repository';
import { DuplicateIndex, nameKey, normaliseName, normalisePhone, phoneKey, type DedupeCandidate, type DuplicateMatch } from '../server/src/modules/customers/duplicates';
import { createBenchDb, machineFacts } from './bench-db';
import { companyName, customerLevel, insertPool, insertTenant, offsetPoint, streetAddress } from './fixtures';
import type { BenchResult, TargetCheck } from './results';
import { round, summarize, thousands, type LatencySummary } from './stats';

const TENANT = 'bench-dedupe';
const CUSTOMERS = 100_000;
const SAMPLES = 400;
const TARGET_MS = 5;
const NOW = Date.parse('2026-12-01T10:00:00+08:00');

/**
 * The narrowing the check used before migration 36 (kept here as the baseline): a LIKE pattern of the name's characters
 * in order, and one of each phone's last eight digits — both scan the tenant's rows.
 */
async function likeCandidates(db: Db, tenantId: string, candidate: DedupeCandidate): Promise<DuplicateIndex> {
  const likeEscape = (x: string) => x.replace(/[!%_]/g, (m) => `!${m}`);
  const namePattern = `%${[...normaliseName(candidate.name)].map((c) => (/[a-z0-9]/.test(c) ? '_' : likeEscape(c))).join('%')}%`;
  const phones = candidate.phones.map(normalisePhone).filter((p): p is string => p !== null);
  const columns = ['id', 'name', 'lat', 'lng', 'status', 'pool_id', 'owner_id'] as const;
  const byName = await db.selectFrom('customers').select(columns).where('tenant_id', '=', tenantId).where(sql<boolean>`name like ${namePattern} escape '!'`).execute();
  const phoneRows = phones.length
    ? await db
        .selectFrom('customer_contacts')
        .select(['customer_id', 'phone'])
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or(phones.map((p) => sql<boolean>`phone like ${`%${[...p.slice(-8)].join('%')}%`}`)))
        .orderBy('id')
        .execute()
    : [];
  const known = new Set(byName.map((c) => Number(c.id)));
  const more = [...new Set(phoneRows.map((p) => Number(p.customer_id)))].filter((id) => !known.has(id));
  const byPhone = more.length ? await db.selectFrom('customers').select(columns).where('tenant_id', '=', tenantId).where('id', 'in', more).execute() : [];
  return new DuplicateIndex(
    [...byName, ...byPhone].map((c) => ({ id: Number(c.id), name: c.name, lat: Number(c.lat), lng: Number(c.lng), status: c.status, poolId: Number(c.pool_id), ownerId: c.owner_id })),
    phoneRows.map((p) => ({ customerId: Number(p.customer_id), phone: p.phone })),
  );
}

const phoneOf = (i: number) => `139${String(10_000_000 + i).padStart(8, '0')}`;

/** 100,000 pool customers of one tenant, one contact each, written with their keys. */
async function prepare(db: Db): Promise<string[]> {
  await insertTenant(db, TENANT, NOW);
  const poolId = await insertPool(db, TENANT, '查重公海', NOW);
  const rnd = new SeededRandom(36);
  const names: string[] = [];
  const CHUNK = 1000;
  for (let start = 0; start < CUSTOMERS; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, CUSTOMERS - start) }, (_, k) => {
      const i = start + k;
      const city = demoCities[i % demoCities.length]!;
      const p = offsetPoint(city.lat, city.lng, rnd.int(-20_000, 20_000), rnd.int(-20_000, 20_000));
      const name = companyName(rnd, city, i + 1);
      names.push(name);
      return {
        id: i + 1,
        tenant_id: TENANT,
        name,
        name_key: nameKey(name),
        address: streetAddress(rnd, city),
        lat: p.lat,
        lng: p.lng,
        geohash: encodeGeohash(p.lat, p.lng),
        level: customerLevel(rnd),
        tags: '[]',
        status: 'pool' as const,
        pool_id: poolId,
        owner_id: null,
        owned_since: null,
        pool_entered_at: NOW,
        created_by: null,
        created_at: NOW,
        updated_at: NOW,
      };
    });
    await db.insertInto('customers').values(rows).execute();
    await db
      .insertInto('customer_contacts')
      .values(rows.map((r) => ({ tenant_id: TENANT, customer_id: r.id, name: '联系人', title: null, phone: phoneOf(r.id), phone_key: phoneKey(phoneOf(r.id)), created_at: NOW })))
      .execute();
  }
  return names;
}

/** Half the samples duplicate a stored customer (its name written differently, or its phone), half are new. */
function samples(names: string[]): DedupeCandidate[] {
  const rnd = new SeededRandom(7);
  return Array.from({ length: SAMPLES }, (_, s) => {
    const i = rnd.int(0, CUSTOMERS - 1);
    // Full-width digits, spaces and a legal form the stored name does not have: the same name to the rule.
    if (s % 4 === 0) return { name: ` ${names[i]!.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))} 公司`, lat: 30, lng: 120, phones: [] };
    if (s % 4 === 1) return { name: `新客户${s}`, lat: 30, lng: 120, phones: [`+86 ${phoneOf(i + 1)}`] };
    return { name: `${demoCities[s % demoCities.length]!.name}新开${s}号店`, lat: 30, lng: 120, phones: [`137${String(s).padStart(8, '0')}`] };
  });
}

interface Run {
  database: string;
  /** The keyed lookups and the rule alone (as the LIKE baseline is timed). */
  keyed: LatencySummary;
  /** As createCustomer runs the check: its own transaction, the tenant lock, the lookups, the commit. */
  keyedInLockedTransaction: LatencySummary;
  like: LatencySummary;
  duplicatesFound: number;
  sameMatches: boolean;
}

const outcome = (m: DuplicateMatch | null) => (m ? `${m.existing.id}:${m.reason}` : '-');

async function runOn(database: string, db: Db, say: (line: string) => void): Promise<Run> {
  let t = performance.now();
  const names = await prepare(db);
  say(`  ${database}: ${thousands(CUSTOMERS)} customers written in ${round((performance.now() - t) / 1000)} s`);
  const candidates = samples(names);
  const keyedMs: number[] = [];
  const lockedMs: number[] = [];
  const likeMs: number[] = [];
  const keyedOut: string[] = [];
  const likeOut: string[] = [];
  for (const c of candidates) {
    // As createCustomer runs it: in the creating transaction, the tenant's creation lock, then the keyed lookups.
    t = performance.now();
    const match = await db.transaction().execute(async (trx) => {
      await lockTenantCustomerCreation(trx, TENANT);
      return (await duplicateCandidates(trx, TENANT, [c])).match(c);
    });
    lockedMs.push(performance.now() - t);
    keyedOut.push(outcome(match));
    t = performance.now();
    (await duplicateCandidates(db, TENANT, [c])).match(c);
    keyedMs.push(performance.now() - t);
    t = performance.now();
    likeOut.push(outcome((await likeCandidates(db, TENANT, c)).match(c)));
    likeMs.push(performance.now() - t);
  }
  const run: Run = {
    database,
    keyed: summarize(keyedMs),
    keyedInLockedTransaction: summarize(lockedMs),
    like: summarize(likeMs),
    duplicatesFound: keyedOut.filter((o) => o !== '-').length,
    sameMatches: keyedOut.join() === likeOut.join(),
  };
  say(
    `  ${database}: keyed check p50 ${run.keyed.p50Ms} ms, p95 ${run.keyed.p95Ms} ms (in its locked transaction p50 ${run.keyedInLockedTransaction.p50Ms} ms, p95 ${run.keyedInLockedTransaction.p95Ms} ms); LIKE baseline p50 ${run.like.p50Ms} ms, p95 ${run.like.p95Ms} ms; ${run.duplicatesFound}/${SAMPLES} duplicates; same answers: ${run.sameMatches}`,
  );
  return run;
}

/** `npm run bench -- dedupe`: one creation's duplicate check against 100,000 customers of a tenant, keyed vs the LIKE scan it replaced. */
export async function runDedupeBench(serverUrl: string, say: (line: string) => void): Promise<{ result: BenchResult; correct: boolean }> {
  const started = performance.now();
  const machine = await machineFacts(serverUrl);
  say(`\n== 查重 duplicate check: ${thousands(CUSTOMERS)} customers of one tenant, ${SAMPLES} checks ==`);
  const runs: Run[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-bench-dedupe-'));
  try {
    const sqlite = createDb({ dialect: 'sqlite', file: path.join(dir, 'dedupe.db') });
    try {
      await migrateToLatest(sqlite);
      runs.push(await runOn('SQLite', sqlite, say));
    } finally {
      await sqlite.destroy();
    }
    const maria = await createBenchDb(serverUrl, 'dedupe', { poolSize: 4 });
    try {
      runs.push(await runOn('MariaDB', maria.db, say));
    } finally {
      await maria.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Every fourth sample repeats a stored name, every fourth a stored phone: half of them are duplicates.
  const correct = runs.every((r) => r.sameMatches && r.duplicatesFound === SAMPLES / 2);
  const targets: TargetCheck[] = runs.map((r) => ({
    name: `查重 one creation's duplicate check at ${thousands(CUSTOMERS)} customers on ${r.database} (p95)`,
    target: `< ${TARGET_MS} ms`,
    actual: `${r.keyed.p95Ms} ms (LIKE scan before: ${r.like.p95Ms} ms; with transaction and lock: ${r.keyedInLockedTransaction.p95Ms} ms)`,
    pass: r.keyed.p95Ms < TARGET_MS,
  }));
  const result: BenchResult = {
    bench: 'dedupe',
    title: `查重 duplicate check: ${thousands(CUSTOMERS)} customers`,
    date: new Date().toISOString(),
    durationS: round((performance.now() - started) / 1000),
    machine,
    targets,
    customers: CUSTOMERS,
    samples: SAMPLES,
    runs,
  };
  return { result, correct };
}
