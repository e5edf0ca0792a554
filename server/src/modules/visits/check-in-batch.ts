import { CompiledQuery } from 'kysely';
import type { Actor } from '../../context';
import { isMysql, type Db } from '../../db/create-db';
import { GroupCommit } from '../../db/group-commit';
import { writeTransaction } from '../../db/write-retry';
import { notFound } from '../../errors';
import { haversineM, toGcj02 } from '../../geo/geo';
import { loadVisibleCustomer } from '../customers/customers.service';
import { checkInPayload, type EvidenceChain, type SealedEntry } from '../evidence/evidence.service';
import { ensureTip } from '../evidence/evidence.repository';
import { assessCheckIn, mockFlagClass, reportedBssids, type MockFlag } from './risk';
import type { Assessment, CheckInFacts, RiskFix, RiskPolicy, WifiSighting } from './risk/risk';
import type { CheckInBody } from './visits';
import type { VisitRow } from './visits.repository';

/** One check-in as the service hands it over: the request's facts, already validated and converted to GCJ-02. */
export interface CheckInRequest {
  actor: Actor;
  customerId: number;
  /** As sent (stored on the visit); `undefined` or empty means no nonce. */
  nonce: string | undefined;
  fixes: RiskFix[];
  /** Whether the fixes' sources on this OS always carry a mock flag. */
  mockFlag: MockFlag;
  wifi: WifiSighting[];
  /** The reported access points, normalised, placeholders dropped, each once. */
  bssids: string[];
  deviceLabel: string;
  /** The request's fixes, Wi-Fi and device as JSON, stored on the visit as sent. */
  fixesJson: string;
  wifiJson: string;
  deviceJson: string;
  photoTokenHash: string;
  policy: RiskPolicy;
  /** Server time of the request. */
  now: number;
}

/** A validated check-in body as a batch takes it: fixes in GCJ-02, access points normalised, what is stored as JSON. */
export function checkInRequest(actor: Actor, body: CheckInBody, at: { policy: RiskPolicy; now: number; photoTokenHash: string }): CheckInRequest {
  return {
    actor,
    customerId: body.customerId,
    nonce: body.nonce,
    fixes: body.fixes.map((f) => {
      // Fields copied one by one: spreading the converted point cost as much as the rest of the request's preparation.
      const { lat, lng } = toGcj02(f.lat, f.lng, f.coord);
      return { lat, lng, accuracy: f.accuracy, ts: f.ts, isMock: f.isMock };
    }),
    mockFlag: mockFlagClass(body.fixes.map((f) => f.source), body.device.os),
    wifi: body.wifi,
    // Placeholder BSSIDs (what a phone reports without location permission) say nothing about where it is.
    bssids: reportedBssids(body.wifi),
    deviceLabel: `${body.device.platform} · ${body.device.os} · ${body.device.model}`,
    fixesJson: JSON.stringify(body.fixes),
    wifiJson: JSON.stringify(body.wifi),
    deviceJson: JSON.stringify(body.device),
    photoTokenHash: at.photoTokenHash,
    policy: at.policy,
    now: at.now,
  };
}

/** A stored check-in (whatever its verdict) and its assessment. */
export interface CheckInDone {
  visit: VisitRow;
  assessment: Assessment;
}

type Outcome = { done: CheckInDone } | { error: unknown };

/** Most check-ins in one batch (one transaction: a slow batch delays all of them). */
const MAX_BATCH = 64;
/** Access points of the tenant's other customers a check-in is compared with, and the customer's own it knows. */
const MAX_SIGHTINGS = 50;
const MAX_KNOWN_BSSIDS = 100;

interface Statement {
  sql: string;
  parameters: unknown[];
}
interface StatementResult {
  rows: Record<string, any>[];
  affectedRows: number;
  insertId: number;
}

const marks = (n: number) => new Array<string>(n).fill('?').join(', ');

/**
 * Runs statements in order, one round trip each on MySQL, and returns each one's result. Never one multi-statement
 * packet: Galera can abort the transaction under a packet's INSERT and still answer OK for the rest, run outside it
 * (DESIGN §10). SQLite runs them on the connection, which costs no round trip.
 */
async function run(conn: Db, statements: Statement[]): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  for (const s of statements) {
    const r = await conn.executeQuery<Record<string, any>>(CompiledQuery.raw(s.sql, s.parameters));
    results.push({ rows: r.rows, affectedRows: Number(r.numAffectedRows ?? 0), insertId: Number(r.insertId ?? 0) });
  }
  return results;
}

/** Statements numbered as they are added, so results can be found again by name. */
class Script {
  readonly statements: Statement[] = [];
  add(text: string, parameters: unknown[] = []): number {
    this.statements.push({ sql: text, parameters });
    return this.statements.length - 1;
  }
}

interface CustomerState {
  id: number;
  lat: number;
  lng: number;
  status: string;
  owner_id: string | null;
  last_verified_visit_at: number | null;
}

interface Sighting {
  bssid: string;
  customerId: number;
  lat: number;
  lng: number;
}

/**
 * Everything the batch's check-ins are judged on, read at once and under the locks the writes need (MySQL): the nonces
 * and the customers (ascending ids) are locked, the rest is read as of now. Reads of visits and access points come one
 * row per rep and per access point and customer, however long their history. Outside a transaction (`inTransaction`
 * false: a single request's facts, readCheckInFacts) nothing is locked.
 */
function readScript(tenantId: string, requests: CheckInRequest[], mysql: boolean, inTransaction = true): { script: Script; at: Record<string, number> } {
  const lock = mysql && inTransaction ? ' for update' : '';
  const script = new Script();
  const at: Record<string, number> = {};
  const nonces = [...new Set(requests.map((r) => r.nonce).filter((n): n is string => n !== undefined && n !== ''))];
  if (nonces.length > 0) {
    at.nonces = script.add(`select nonce, user_id, used_at, expires_at from visit_nonces where tenant_id = ? and nonce in (${marks(nonces.length)})${lock}`, [tenantId, ...nonces]);
  }
  const customerIds = [...new Set(requests.map((r) => r.customerId))].sort((a, b) => a - b);
  at.customers = script.add(
    `select id, lat, lng, status, owner_id, last_verified_visit_at from customers where tenant_id = ? and id in (${marks(customerIds.length)})${lock}`,
    [tenantId, ...customerIds],
  );
  // Where each rep last provably was, and the devices they have checked in from: rows by key, however long their
  // history (kept by the batches' writes below).
  const users = [...new Set(requests.map((r) => r.actor.userId))].sort();
  at.lastFixes = script.add(`select user_id, lat, lng, checked_in_at from rep_last_fixes where tenant_id = ? and user_id in (${marks(users.length)})`, [tenantId, ...users]);
  at.devices = script.add(`select user_id, device_label from rep_devices where tenant_id = ? and user_id in (${marks(users.length)})`, [tenantId, ...users]);
  // Where the reported access points stand (one row per access point and customer, at its latest verified visit
  // there), and the access points these customers are known by.
  const bssids = [...new Set(requests.flatMap((r) => r.bssids))];
  if (bssids.length > 0) {
    at.sightings = script.add(`select bssid, customer_id, lat, lng from bssid_sightings where tenant_id = ? and bssid in (${marks(bssids.length)})`, [tenantId, ...bssids]);
  }
  at.known = script.add(`select customer_id, bssid from bssid_sightings where tenant_id = ? and customer_id in (${marks(customerIds.length)}) order by customer_id, bssid`, [
    tenantId,
    ...customerIds,
  ]);
  return { script, at };
}

const VISIT_COLUMNS = [
  'tenant_id',
  'customer_id',
  'user_id',
  'status',
  'verdict',
  'checkin_verdict',
  'risk_score',
  'checkin_risk_score',
  'reasons',
  'checkin_reasons',
  'distance_m',
  'lat',
  'lng',
  'accuracy',
  'fixes',
  'wifi',
  'device',
  'device_label',
  'nonce',
  'photo_token_hash',
  'checked_in_at',
  'clock_restarted',
  'previous_verified_visit_at',
  'finished_at',
  'dwell_s',
  'finish_fix',
  'notes',
  'feedback',
] as const satisfies readonly (keyof VisitRow)[];
const INSERT_VISIT = `insert into visits (${VISIT_COLUMNS.join(', ')}) values (${marks(VISIT_COLUMNS.length)})`;

type VisitValues = Omit<VisitRow, 'id'>;

interface Decided {
  index: number;
  values: VisitValues;
  assessment: Assessment;
  /** Access points this visit vouches for (verified visits only). */
  bssids: string[];
  /** The check-in's nonce was valid and is used by it. */
  usesNonce: boolean;
  /** The rep's first check-in from this device. */
  newDevice: boolean;
}

/** What check-ins are judged on, from the reads of `readScript`; judging a check-in updates it for the next one. */
interface JudgeState {
  nonces: Map<string, Record<string, any>>;
  /** Nonces used by check-ins judged earlier in this batch. */
  consumed: Set<string>;
  customers: Map<number, CustomerState>;
  lastFix: Map<string, { lat: number; lng: number; at: number }>;
  /** Reps with any check-in, and each rep's devices (`deviceKey`). */
  anyVisit: Set<string>;
  knownDevices: Set<string>;
  /** Where access points stand, by `bssid customerId`. */
  sightings: Map<string, Sighting>;
  known: Map<number, Set<string>>;
}

const deviceKey = (userId: string, label: string) => `${userId}\u0000${label}`;

function judgeState(results: StatementResult[], at: Record<string, number>): JudgeState {
  const nonces = new Map((at.nonces === undefined ? [] : results[at.nonces]!.rows).map((r) => [String(r.nonce), r]));
  const customers = new Map<number, CustomerState>(
    results[at.customers!]!.rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        lat: Number(r.lat),
        lng: Number(r.lng),
        status: String(r.status),
        owner_id: r.owner_id === null ? null : String(r.owner_id),
        last_verified_visit_at: r.last_verified_visit_at === null ? null : Number(r.last_verified_visit_at),
      },
    ]),
  );
  const lastFix = new Map<string, { lat: number; lng: number; at: number }>(
    results[at.lastFixes!]!.rows.map((r) => [String(r.user_id), { lat: Number(r.lat), lng: Number(r.lng), at: Number(r.checked_in_at) }]),
  );
  const anyVisit = new Set<string>();
  const knownDevices = new Set<string>();
  for (const r of results[at.devices!]!.rows) {
    anyVisit.add(String(r.user_id));
    knownDevices.add(deviceKey(String(r.user_id), String(r.device_label)));
  }
  const sightings = new Map<string, Sighting>();
  for (const r of at.sightings === undefined ? [] : results[at.sightings]!.rows) {
    sightings.set(`${String(r.bssid)} ${Number(r.customer_id)}`, { bssid: String(r.bssid), customerId: Number(r.customer_id), lat: Number(r.lat), lng: Number(r.lng) });
  }
  const known = new Map<number, Set<string>>();
  for (const r of results[at.known!]!.rows) {
    const set = known.get(Number(r.customer_id)) ?? new Set<string>();
    set.add(String(r.bssid));
    known.set(Number(r.customer_id), set);
  }
  return { nonces, consumed: new Set<string>(), customers, lastFix, anyVisit, knownDevices, sightings, known };
}

/** The facts the engine judges one request on, given what was read and judged before it; a valid nonce is marked used. */
function factsOf(state: JudgeState, req: CheckInRequest, customer: CustomerState): CheckInFacts {
  const { userId } = req.actor;
  let nonce: CheckInFacts['nonce'] = 'missing';
  if (req.nonce !== undefined && req.nonce !== '') {
    const row = state.nonces.get(req.nonce);
    if (row === undefined || row.user_id !== userId) nonce = 'unknown';
    else if (row.used_at !== null || state.consumed.has(req.nonce)) nonce = 'used';
    else if (Number(row.expires_at) <= req.now) nonce = 'expired';
    else {
      nonce = 'ok';
      state.consumed.add(req.nonce);
    }
  }
  const seen = [...state.sightings.values()].filter((s) => s.customerId !== customer.id && req.bssids.includes(s.bssid)).slice(0, MAX_SIGHTINGS);
  return {
    now: req.now,
    fixes: req.fixes,
    customer: { lat: customer.lat, lng: customer.lng, knownBssids: [...(state.known.get(customer.id) ?? [])].slice(0, MAX_KNOWN_BSSIDS) },
    wifi: req.wifi,
    nonce,
    previousFix: state.lastFix.get(userId) ?? null,
    bssidSightings: seen.map(({ bssid, lat, lng }) => ({ bssid, lat, lng })),
    device: { firstVisit: !state.anyVisit.has(userId), known: state.knownDevices.has(deviceKey(userId, req.deviceLabel)), label: req.deviceLabel },
    mockFlag: req.mockFlag,
  };
}

/**
 * The facts a check-in-shaped request (a proximity-gated claim: claim-location.ts) would be judged on right now, read
 * as a check-in batch reads them but outside any batch and without locks; `undefined` for an unknown customer. The
 * nonce is only read: the caller uses it up (`useNonce`) before trusting the verdict.
 */
export async function readCheckInFacts(db: Db, req: CheckInRequest): Promise<CheckInFacts | undefined> {
  const mysql = isMysql(db);
  const reads = readScript(req.actor.tenantId, [req], mysql, false);
  const state = judgeState(await run(db, reads.script.statements), reads.at);
  const customer = state.customers.get(req.customerId);
  return customer === undefined ? undefined : factsOf(state, req, customer);
}

/**
 * Judges the batch's check-ins in arrival order, as if each had run alone after the ones before it: a nonce is used
 * once, a rep's later check-in sees the earlier one's fix and device, a verified one's access points count for the
 * next, and the customer's clock moves as each verified visit would move it.
 */
function decide(tenantId: string, requests: CheckInRequest[], results: StatementResult[], at: Record<string, number>, refused: Map<number, unknown>): Decided[] {
  const state = judgeState(results, at);
  const { customers, lastFix, anyVisit, knownDevices, sightings, known } = state;
  const decided: Decided[] = [];
  requests.forEach((req, index) => {
    if (refused.has(index)) return;
    const { userId } = req.actor;
    const customer = customers.get(req.customerId);
    if (customer === undefined) {
      refused.set(index, notFound('客户'));
      return;
    }
    const facts = factsOf(state, req, customer);
    const assessment = assessCheckIn(facts, req.policy);
    // The fix the visit is placed at: the most accurate one.
    const best = [...req.fixes].sort((a, b) => a.accuracy - b.accuracy)[0]!;
    const distanceM = Math.round(haversineM(best.lat, best.lng, customer.lat, customer.lng));
    const verified = assessment.verdict === 'verified';
    const rejected = assessment.verdict === 'rejected';
    // Only while the rep still owns the customer, and only forward (DESIGN §3 invariant 4).
    const previous = customer.last_verified_visit_at;
    const restarted = verified && customer.status === 'owned' && customer.owner_id === userId && (previous === null || previous < req.now);
    const reasons = JSON.stringify(assessment.reasons);
    const values: VisitValues = {
      tenant_id: tenantId,
      customer_id: customer.id,
      user_id: userId,
      status: rejected ? 'finished' : 'open',
      verdict: assessment.verdict,
      checkin_verdict: assessment.verdict,
      risk_score: assessment.score,
      checkin_risk_score: assessment.score,
      reasons,
      checkin_reasons: reasons,
      distance_m: distanceM,
      lat: best.lat,
      lng: best.lng,
      accuracy: best.accuracy,
      fixes: req.fixesJson,
      wifi: req.wifiJson,
      device: req.deviceJson,
      device_label: req.deviceLabel,
      nonce: req.nonce ?? null,
      photo_token_hash: rejected ? null : req.photoTokenHash,
      checked_in_at: req.now,
      clock_restarted: restarted ? 1 : 0,
      previous_verified_visit_at: restarted ? previous : null,
      finished_at: rejected ? req.now : null,
      dwell_s: rejected ? 0 : null,
      finish_fix: null,
      notes: null,
      feedback: null,
      // Undecided (not inserted: the columns default to null).
      review_decision: null,
      reviewed_by: null,
      reviewed_as: null,
      reviewed_at: null,
      review_note: null,
    };
    // What the next check-ins of the batch see.
    const device = deviceKey(userId, req.deviceLabel);
    const newDevice = !knownDevices.has(device);
    anyVisit.add(userId);
    knownDevices.add(device);
    if (!rejected) {
      const last = lastFix.get(userId);
      if (last === undefined || req.now >= last.at) lastFix.set(userId, { lat: best.lat, lng: best.lng, at: req.now });
    }
    if (restarted) customer.last_verified_visit_at = req.now;
    // Only verified visits vouch for where an access point stands.
    if (verified) {
      for (const bssid of req.bssids) {
        const key = `${bssid} ${customer.id}`;
        sightings.delete(key);
        sightings.set(key, { bssid, customerId: customer.id, lat: best.lat, lng: best.lng });
        const set = known.get(customer.id) ?? new Set<string>();
        set.add(bssid);
        known.set(customer.id, set);
      }
    }
    decided.push({ index, values, assessment, bssids: verified ? req.bssids : [], usesNonce: facts.nonce === 'ok', newDevice });
  });
  return decided;
}

/**
 * The writes: nonces used, clocks moved (each customer once, to where the batch left it), one visit row each (one
 * statement each, for its id). Rows the reads locked are the only rows touched, so the counts must match; anything
 * else rolls the batch back.
 */
function writeScript(
  tenantId: string,
  requests: CheckInRequest[],
  decided: Decided[],
  mysql: boolean,
): { script: Script; visits: number[]; tip: number; nonceUpdate?: number; clockUpdate?: number; nonces: number; clocks: number } {
  const script = new Script();
  const used = decided.filter((d) => d.usesNonce);
  let nonceUpdate: number | undefined;
  if (used.length > 0) {
    nonceUpdate = script.add(
      `update visit_nonces set used_at = case nonce ${used.map(() => 'when ? then ?').join(' ')} end where tenant_id = ? and nonce in (${marks(used.length)}) and used_at is null`,
      [...used.flatMap((d) => [requests[d.index]!.nonce, requests[d.index]!.now]), tenantId, ...used.map((d) => requests[d.index]!.nonce)],
    );
  }
  const clocks = new Map<number, number>();
  for (const d of decided) if (d.values.clock_restarted === 1) clocks.set(d.values.customer_id, d.values.checked_in_at);
  let clockUpdate: number | undefined;
  if (clocks.size > 0) {
    const ids = [...clocks.keys()];
    clockUpdate = script.add(
      `update customers set last_verified_visit_at = case id ${ids.map(() => 'when ? then ?').join(' ')} end where tenant_id = ? and id in (${marks(ids.length)})`,
      [...ids.flatMap((id) => [id, clocks.get(id)]), tenantId, ...ids],
    );
  }
  const visits = decided.map((d) => script.add(INSERT_VISIT, VISIT_COLUMNS.map((c) => d.values[c])));
  // The chain tip last, locked until the commit: taken after every other lock (nothing takes a customer or a nonce
  // after the tip, so no cycle) and held only for the chain's few statements and the commit, so another batch's reads
  // and writes overlap this one.
  const tip = script.add(`select seq, hash from evidence_tips where tenant_id = ?${mysql ? ' for update' : ''}`, [tenantId]);
  return { script, visits, tip, nonceUpdate, clockUpdate, nonces: used.length, clocks: clocks.size };
}

/**
 * Once the visits have ids: where the verified ones place their access points, where each rep last provably was, the
 * devices new to them, the chain entries, and the tip moved past them. Rows are written in key order, and a sighting
 * or a last fix only moves forward, so batches of several server processes, committing in any order, leave the latest.
 */
function chainScript(tenantId: string, visits: VisitRow[], decided: Decided[], entries: SealedEntry[], tip: { seq: number; hash: string }, mysql: boolean): { script: Script; tipUpdate: number } {
  const script = new Script();
  const lastFixes = new Map<string, VisitRow>();
  for (const v of visits) {
    const last = lastFixes.get(v.user_id);
    if (v.verdict !== 'rejected' && (last === undefined || v.checked_in_at >= last.checked_in_at)) lastFixes.set(v.user_id, v);
  }
  if (lastFixes.size > 0) {
    const rows = [...lastFixes.values()].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
    script.add(
      `insert into rep_last_fixes (tenant_id, user_id, visit_id, lat, lng, checked_in_at) values ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ` +
        (mysql
          ? // Assigned left to right, each seeing the ones before: checked_in_at last.
            'on duplicate key update visit_id = if(values(checked_in_at) >= checked_in_at, values(visit_id), visit_id), ' +
            'lat = if(values(checked_in_at) >= checked_in_at, values(lat), lat), lng = if(values(checked_in_at) >= checked_in_at, values(lng), lng), ' +
            'checked_in_at = greatest(checked_in_at, values(checked_in_at))'
          : 'on conflict (tenant_id, user_id) do update set visit_id = excluded.visit_id, lat = excluded.lat, lng = excluded.lng, checked_in_at = excluded.checked_in_at ' +
            'where excluded.checked_in_at >= rep_last_fixes.checked_in_at'),
      rows.flatMap((v) => [tenantId, v.user_id, v.id, v.lat, v.lng, v.checked_in_at]),
    );
  }
  const devices = decided.flatMap((d, i) => (d.newDevice ? [visits[i]!] : [])).sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.device_label < b.device_label ? -1 : 1));
  if (devices.length > 0) {
    script.add(
      `insert ${mysql ? 'ignore' : 'or ignore'} into rep_devices (tenant_id, user_id, device_label, first_visit_id, first_seen_at) values ${devices.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      devices.flatMap((v) => [tenantId, v.user_id, v.device_label, v.id, v.checked_in_at]),
    );
  }
  // Each access point and customer once, at the batch's latest verified visit there (visits are in id order).
  const sightings = new Map<string, unknown[]>();
  decided.forEach((d, i) => {
    for (const bssid of d.bssids) sightings.set(`${bssid} ${d.values.customer_id}`, [tenantId, bssid, d.values.customer_id, visits[i]!.id, d.values.lat, d.values.lng]);
  });
  if (sightings.size > 0) {
    const rows = [...sightings.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([, row]) => row);
    script.add(
      `insert into bssid_sightings (tenant_id, bssid, customer_id, visit_id, lat, lng) values ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ` +
        (mysql
          ? 'on duplicate key update lat = if(values(visit_id) > visit_id, values(lat), lat), lng = if(values(visit_id) > visit_id, values(lng), lng), visit_id = greatest(visit_id, values(visit_id))'
          : 'on conflict (tenant_id, bssid, customer_id) do update set visit_id = excluded.visit_id, lat = excluded.lat, lng = excluded.lng where excluded.visit_id > bssid_sightings.visit_id'),
      rows.flat(),
    );
  }
  script.add(
    `insert into evidence_chain (tenant_id, seq, kind, ref_id, payload, prev_hash, hash, hmac, created_at) values ${entries.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    entries.flatMap((e) => [tenantId, e.seq, e.kind, e.refId, e.payload, e.prevHash, e.hash, e.hmac, e.createdAt]),
  );
  const last = entries[entries.length - 1]!;
  const tipUpdate = script.add('update evidence_tips set seq = ?, hash = ? where tenant_id = ? and seq = ?', [last.seq, last.hash, tenantId, tip.seq]);
  return { script, tipUpdate };
}

/**
 * Check-ins of one tenant, judged, stored and chained together: one transaction and one commit for all of them, the
 * chain entries inside it (so a stored check-in is never left unchained). A statement's size does not grow the number
 * of statements (reads under lock; one row per visit; access points and chain); on SQLite each statement is prepared
 * once and runs without a round trip. A conflict retries the whole batch (write-retry.ts). Returns, per request in
 * order, the stored visit or why it was refused (unknown or invisible customer); a database failure rejects the whole
 * batch, and nothing of it stays.
 */
export async function runCheckInBatch(db: Db, chain: EvidenceChain, requests: CheckInRequest[]): Promise<Outcome[]> {
  const tenantId = requests[0]!.actor.tenantId;
  if (requests.some((r) => r.actor.tenantId !== tenantId)) throw new Error('a check-in batch holds one tenant');
  await ensureTip(db, tenantId);
  const mysql = isMysql(db);
  const attempt = async (conn: Db): Promise<Outcome[]> => {
    const refused = new Map<number, unknown>();
    const reads = readScript(tenantId, requests, mysql);
    const readResults = await run(conn, reads.script.statements);
    // Customers the rep does not own: the full visibility rules (pool members, managers, admins), rarely needed.
    const customerRows = new Map(readResults[reads.at.customers!]!.rows.map((r) => [Number(r.id), r]));
    for (const [index, req] of requests.entries()) {
      const row = customerRows.get(req.customerId);
      if (row === undefined || row.owner_id === req.actor.userId || req.actor.roles.includes('admin') || req.actor.roles.includes('hr')) continue;
      await loadVisibleCustomer(conn, req.actor, req.customerId).catch((error: unknown) => refused.set(index, error));
    }
    const decided = decide(tenantId, requests, readResults, reads.at, refused);
    const outcomes: Outcome[] = requests.map((_, index) => ({ error: refused.get(index) }));
    if (decided.length === 0) return outcomes;
    const writes = writeScript(tenantId, requests, decided, mysql);
    const written = await run(conn, writes.script.statements);
    if (writes.nonceUpdate !== undefined && written[writes.nonceUpdate]!.affectedRows !== writes.nonces) {
      throw new Error(`check-in batch used ${written[writes.nonceUpdate]!.affectedRows} of ${writes.nonces} locked nonces`);
    }
    if (writes.clockUpdate !== undefined && written[writes.clockUpdate]!.affectedRows !== writes.clocks) {
      throw new Error(`check-in batch moved ${written[writes.clockUpdate]!.affectedRows} of ${writes.clocks} locked customer clocks`);
    }
    const visits: VisitRow[] = decided.map((d, i) => ({ id: written[writes.visits[i]!]!.insertId, ...d.values }));
    const tipRow = written[writes.tip]!.rows[0];
    if (tipRow === undefined) throw new Error(`the evidence chain tip of tenant ${tenantId} is missing`);
    const tip = { seq: Number(tipRow.seq), hash: String(tipRow.hash) };
    const entries = chain.seal(
      tip.seq + 1,
      tip.hash,
      visits.map((v) => ({ kind: 'check_in' as const, refId: v.id, payload: checkInPayload(v), now: v.checked_in_at })),
    );
    const chained = chainScript(tenantId, visits, decided, entries, tip, mysql);
    const done = await run(conn, chained.script.statements);
    if (done[chained.tipUpdate]!.affectedRows !== 1) throw new Error(`the evidence chain tip of tenant ${tenantId} moved under a check-in batch`);
    decided.forEach((d, i) => (outcomes[d.index] = { done: { visit: visits[i]!, assessment: d.assessment } }));
    return outcomes;
  };
  return writeTransaction(db, attempt);
}

/**
 * Check-ins gathered into batches per tenant by group commit: what arrives in one turn of the event loop, or while the
 * tenant's batch is being written, goes together into its next batch, oldest first. One batch of a tenant runs at a
 * time in a process, on either database: on MariaDB two at once (the second doing its reads and visit writes while
 * the first holds the chain tip) made batches half as large, which cost more in MariaDB's per-statement work than the
 * overlap saved (check-in bench at 500/s: p99 30–38 ms with one, 41–115 ms with two; MariaDB CPU 1.1 against 1.4 ms a
 * check-in). Batches of other server processes still overlap this way. Resolves with the stored visit once its batch
 * committed; rejects with why it was refused, or with the batch's failure.
 */
export function checkInBatcher(db: Db, chain: EvidenceChain): (request: CheckInRequest) => Promise<CheckInDone> {
  const group = new GroupCommit<CheckInRequest, Outcome>({
    keyOf: (request) => request.actor.tenantId,
    maxInFlight: 1,
    maxBatch: MAX_BATCH,
    run: (requests) => runCheckInBatch(db, chain, requests),
  });
  return async (request) => {
    const outcome = await group.submit(request);
    if ('error' in outcome) throw outcome.error;
    return outcome.done;
  };
}
