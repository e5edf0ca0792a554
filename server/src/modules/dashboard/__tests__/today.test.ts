import { finishedVisitRow } from '../../../../test/factories';
import { createTestDb, dialects, type TestDb } from '../../../../test/databases';
import type { Db } from '../../../db/create-db';
import { encodeGeohash } from '../../../geo/geo';
import { startOfLocalDate } from '../../../time';
import type { OwnershipEventType } from '../../pool/pool.table';
import type { DayRow } from '../dashboard';
import { rowsForRange, tenantPools } from '../dashboard.service';
import { computeDayRows, stockAt, type PoolInfo, type StockBase } from '../day-rows.service';
import { buildCheckpoint, CHECKPOINT_LAG_MS, checkpointFor, forgetCheckpoints, refreshCheckpoint, todayRows, todayRowsFrom } from '../today.service';
import { RULE_ID, seedOrg, t, T, type Org } from './scenario';

const zone = 'Asia/Shanghai';
const tenant = { id: T, timeZone: zone };
const TODAY = '2026-11-27';
const MIN = 60_000;

type PoolKey = 'E' | 'S' | 'C';
/** [customer, type, from user, to user, from pool, to pool, at, rule]. */
type Event = [string, OwnershipEventType, string | null, string | null, PoolKey | null, PoolKey, string, number?];

// The world up to today's checkpoint (12:00). Before today: a claimed by e1 on 11-20 09:00 (its hoarding window
// closes today 09:00) and visited 11-22 (suspect); b claimed by e2 11-15, released 11-26 10:00; c waiting in 华南公海
// since 11-01; d claimed by e1 11-20 14:00 (window closes today 14:00, after the checkpoint), visited verified 11-21.
// Today before 12:00: b claimed by e1 08:00, released 10:00, claimed by e2 10:30 (e2 → e1 → e2: a bounce); c claimed
// by s1 09:00; check-ins c 09:30 (s1, verified), b 11:00 and 11:30 (e2, both verified).
const morning: Event[] = [
  ['a', 'created', null, null, null, 'E', '11-01 10:00'],
  ['c', 'created', null, null, null, 'S', '11-01 10:00'],
  ['b', 'created', null, null, null, 'E', '11-10 08:00'],
  ['b', 'claimed', null, 'e2', 'E', 'E', '11-15 09:00'],
  ['d', 'created', null, null, null, 'E', '11-19 10:00'],
  ['a', 'claimed', null, 'e1', 'E', 'E', '11-20 09:00'],
  ['d', 'claimed', null, 'e1', 'E', 'E', '11-20 14:00'],
  ['b', 'released', 'e2', null, 'E', 'E', '11-26 10:00'],
  ['b', 'claimed', null, 'e1', 'E', 'E', '11-27 08:00'],
  ['c', 'claimed', null, 's1', 'S', 'S', '11-27 09:00'],
  ['b', 'released', 'e1', null, 'E', 'E', '11-27 10:00'],
  ['b', 'claimed', null, 'e2', 'E', 'E', '11-27 10:30'],
];
const morningVisits: [string, string, 'verified' | 'suspect' | 'rejected', string][] = [
  ['d', 'e1', 'verified', '11-21 10:00'],
  ['a', 'e1', 'suspect', '11-22 10:00'],
  ['c', 's1', 'verified', '11-27 09:30'],
  ['b', 'e2', 'verified', '11-27 11:00'],
  ['b', 'e2', 'verified', '11-27 11:30'],
];
// After the checkpoint: e created 12:30 and escalated to 总公司公海 13:30; a reclaimed from e1 13:00 (rule 7);
// b checked in again 14:30 (rejected).
const afternoon: Event[] = [
  ['e', 'created', null, null, null, 'E', '11-27 12:30'],
  ['a', 'reclaimed', 'e1', null, 'E', 'E', '11-27 13:00', RULE_ID],
  ['e', 'escalated', null, null, 'E', 'C', '11-27 13:30'],
];
const afternoonVisits: typeof morningVisits = [['b', 'e2', 'rejected', '11-27 14:30']];

/** Writes customers (new keys), ledger rows and check-ins, appending to what is there; returns the visits' ids by "customer at". */
async function append(db: Db, org: Org, ids: Map<string, number>, events: Event[], visits: typeof morningVisits): Promise<Map<string, number>> {
  for (const [key, , , , , toPool, when] of events) {
    if (ids.has(key)) continue;
    const res = await db
      .insertInto('customers')
      .values({ tenant_id: T, name: `客户${key}`, address: '测试地址', lat: 31.2, lng: 121.4, geohash: encodeGeohash(31.2, 121.4), level: 'C', tags: '[]', status: 'pool', pool_id: org.pools[toPool], owner_id: null, owned_since: null, pool_entered_at: t(when), created_by: null, created_at: t(when), updated_at: t(when) })
      .executeTakeFirstOrThrow();
    ids.set(key, Number(res.insertId));
  }
  for (const [key, type, fromUser, toUser, fromPool, toPool, when, rule] of events) {
    await db
      .insertInto('ownership_events')
      .values({ tenant_id: T, customer_id: ids.get(key)!, type, from_user_id: fromUser, to_user_id: toUser, from_pool_id: fromPool === null ? null : org.pools[fromPool], to_pool_id: org.pools[toPool], actor_id: toUser, reason: null, rule_id: rule ?? null, rule_version: rule === undefined ? null : 1, evidence: null, at: t(when) })
      .execute();
  }
  const visitIds = new Map<string, number>();
  for (const [key, user, verdict, when] of visits) {
    const res = await db.insertInto('visits').values(finishedVisitRow(T, ids.get(key)!, user, verdict, t(when))).executeTakeFirstOrThrow();
    visitIds.set(`${key} ${when}`, Number(res.insertId));
  }
  return visitIds;
}

const byPool = (rows: DayRow[], poolId: number) => rows.find((r) => r.poolId === poolId)!;

describe.each(dialects)('today from an intraday checkpoint on %s', (dialect) => {
  let db: TestDb;
  let org: Org;
  let pools: PoolInfo[];
  const ids = new Map<string, number>();
  /** Today's stock at its start, as yesterday's snapshot would give it (any numbers: both paths walk on from them). */
  let start: StockBase;
  /** The full live computation of today at this instant: what every checkpoint answer must equal. */
  const live = () => computeDayRows(db.db, T, zone, pools, TODAY, TODAY, start);

  beforeAll(async () => {
    db = await createTestDb(dialect);
    org = await seedOrg(db.db, t('11-01 00:00'));
    pools = (await tenantPools(db.db, T)).pools;
    start = { at: 'start', counts: new Map([[org.pools.E, { poolSize: 3, owned: 2 }], [org.pools.S, { poolSize: 1, owned: 0 }]]) };
  });
  afterAll(() => db.destroy());

  it('a checkpoint plus the rows after it equals the whole day computed live, after new rows and verdicts lowered since', async () => {
    const visitIds = await append(db.db, org, ids, morning, morningVisits);
    const checkpoint = await buildCheckpoint(db.db, tenant, TODAY, t('11-27 12:00'), t('11-27 12:05'));
    expect([checkpoint.day, checkpoint.dayStart, checkpoint.stretch.from, checkpoint.stretch.to]).toEqual([TODAY, t('11-27 00:00'), t('11-27 00:00'), t('11-27 12:00')]);
    // The morning's two claims of b, the bounce and the two 11:00/11:30 check-ins are in it.
    expect(checkpoint.stretch.visits.map((f) => f.id)).toEqual([visitIds.get('c 11-27 09:30'), visitIds.get('b 11-27 11:00'), visitIds.get('b 11-27 11:30')]);
    expect(await todayRowsFrom(db.db, tenant, pools, TODAY, checkpoint, start)).toEqual(await live());

    // Rows arrive after the checkpoint, and verdicts of check-ins it holds are lowered (a reused photo, a short stay).
    await append(db.db, org, ids, afternoon, afternoonVisits);
    const lower = (key: string, verdict: 'suspect' | 'rejected') => db.db.updateTable('visits').set({ verdict }).where('id', '=', visitIds.get(key)!).execute();
    await lower('a 11-22 10:00', 'rejected');
    await lower('b 11-27 11:00', 'suspect');
    await lower('c 11-27 09:30', 'suspect');

    const rows = await todayRowsFrom(db.db, tenant, pools, TODAY, checkpoint, start);
    expect(rows).toEqual(await live());
    expect(await todayRowsFrom(db.db, tenant, pools, TODAY, null, start)).toEqual(rows);
    // Worked out by hand. 华东公海: created e; released b; reclaimed a (rule 7, from e1); claimed b twice; escalated e.
    // Waits: b 08:00 (22 h after its release) 0 days, b 10:30 0, e 13:30 0. b's first verified check-in by e2 since
    // the 10:30 claim is now 11:30 (11:00 was lowered): 1 h. Windows closing today: a (its only check-in now rejected:
    // unvisited) and d (verified 11-21). Check-ins at b: 11:30 verified, 11:00 suspect, 14:30 rejected. Stock walked
    // from 3 / 2: b out, in, out; e in, out; a in → 3 in the pool, 2 owned.
    expect(byPool(rows, org.pools.E)).toEqual({
      day: TODAY,
      poolId: org.pools.E,
      regionId: '2',
      poolSize: 3,
      owned: 2,
      reps: 1,
      maxOwnedPerRep: 5,
      dailyClaimLimit: 2,
      inCreated: 1,
      inReleased: 1,
      inReclaimed: 1,
      inDeparted: 0,
      inEscalated: 0,
      inOther: 0,
      outClaimed: 2,
      outAssigned: 0,
      outEscalated: 1,
      outOther: 0,
      reclaimedByRule: { [RULE_ID]: 1 },
      waitDays: { 0: 3 },
      firstVisitHours: { 1: 1 },
      hoardClaims: 2,
      hoardUnvisited: 1,
      visitsVerified: 1,
      visitsSuspect: 1,
      visitsRejected: 1,
      repReclaims: { e1: 1 },
      bounces: 1,
      bouncePairs: { 'e1|e2': 1 },
    });
    // 华南公海: c claimed 09:00 after 25 days 23 hours; its only check-in, lowered to suspect, is no first verified one.
    expect(byPool(rows, org.pools.S)).toMatchObject({ poolSize: 0, owned: 1, outClaimed: 1, waitDays: { 25: 1 }, firstVisitHours: {}, visitsVerified: 0, visitsSuspect: 1, hoardClaims: 0 });
    // 总公司公海: e escalated in.
    expect(byPool(rows, org.pools.C)).toMatchObject({ poolSize: 1, owned: 0, inEscalated: 1, outClaimed: 0 });
  });

  it('a checkpoint of yesterday is never used for today: at the tenant\'s midnight the next request builds today\'s', async () => {
    forgetCheckpoints(db.db);
    // 23:50 Shanghai on 11-26 (15:50 UTC): yesterday's checkpoint holds b's release of 11-26 10:00.
    const yesterday = await checkpointFor(db.db, tenant, '2026-11-26', t('11-26 23:50'));
    expect([yesterday!.day, yesterday!.stretch.to, yesterday!.stretch.parts.get(org.pools.E)!.inReleased]).toEqual(['2026-11-26', t('11-26 23:45'), 1]);
    // Handed to today directly, it is ignored; asked for today at 00:20, a new one is built up to 00:15.
    expect(await todayRowsFrom(db.db, tenant, pools, TODAY, yesterday, start)).toEqual(await live());
    const today = await checkpointFor(db.db, tenant, TODAY, t('11-27 00:20'));
    expect([today!.day, today!.dayStart, today!.builtAt, today!.stretch.to]).toEqual([TODAY, startOfLocalDate(TODAY, zone), t('11-27 00:20'), t('11-27 00:15')]);
    expect(await todayRows(db.db, tenant, pools, TODAY, t('11-27 00:20'), start)).toEqual(await live());
  });

  it('answers exactly with no checkpoint (early in the day), a fresh one, a stale one rebuilt, and one from a clock that went back', async () => {
    forgetCheckpoints(db.db);
    const expected = await live();
    // Within CHECKPOINT_LAG_MS of midnight there is nothing to hold: the whole day is read.
    expect(await checkpointFor(db.db, tenant, TODAY, t('11-27 00:00') + CHECKPOINT_LAG_MS)).toBeNull();
    expect(await todayRows(db.db, tenant, pools, TODAY, t('11-27 00:03'), start)).toEqual(expected);
    // Two requests at once share one build.
    const [first, second] = await Promise.all([checkpointFor(db.db, tenant, TODAY, t('11-27 12:05')), checkpointFor(db.db, tenant, TODAY, t('11-27 12:05'))]);
    expect(second).toBe(first);
    expect([first!.builtAt, first!.stretch.to]).toEqual([t('11-27 12:05'), t('11-27 12:00')]);
    // Ten minutes on, the same one answers; at 16 minutes old it is rebuilt.
    expect(await checkpointFor(db.db, tenant, TODAY, t('11-27 12:15'))).toBe(first);
    const rebuilt = await checkpointFor(db.db, tenant, TODAY, t('11-27 12:21'));
    expect([rebuilt!.builtAt, rebuilt!.stretch.to]).toEqual([t('11-27 12:21'), t('11-27 12:16')]);
    // A checkpoint read after "now" (a clock set back) is not trusted.
    const back = await checkpointFor(db.db, tenant, TODAY, t('11-27 12:10'));
    expect([back!.builtAt, back!.stretch.to]).toEqual([t('11-27 12:10'), t('11-27 12:05')]);
    for (const at of ['11-27 12:10', '11-27 12:14', '11-27 15:00']) expect(await todayRows(db.db, tenant, pools, TODAY, t(at), start)).toEqual(expected);
  });

  it('the five-minute refresh rebuilds a held checkpoint for the requests after it, and builds none for a tenant nobody looked at', async () => {
    forgetCheckpoints(db.db);
    expect(await refreshCheckpoint(db.db, tenant, t('11-27 12:05'))).toBeNull();
    const looked = await checkpointFor(db.db, tenant, TODAY, t('11-27 12:05'));
    const refreshed = await refreshCheckpoint(db.db, tenant, t('11-27 12:10'));
    expect(refreshed).not.toBe(looked);
    expect([refreshed!.day, refreshed!.builtAt, refreshed!.stretch.to]).toEqual([TODAY, t('11-27 12:10'), t('11-27 12:05')]);
    expect(await checkpointFor(db.db, tenant, TODAY, t('11-27 12:12'))).toBe(refreshed);
    expect(await todayRows(db.db, tenant, pools, TODAY, t('11-27 12:12'), start)).toEqual(await live());
    // Just after the tenant's midnight there is nothing to hold yet.
    expect(await refreshCheckpoint(db.db, tenant, t('11-28 00:03'))).toBeNull();
  });

  it('the dashboard\'s range read gives today the same rows through the held checkpoint', async () => {
    forgetCheckpoints(db.db);
    // No snapshot of yesterday: today's stock is walked back from the customers now.
    const end: StockBase = { at: 'end', counts: await stockAt(db.db, T, startOfLocalDate('2026-11-28', zone)) };
    const expected = await computeDayRows(db.db, T, zone, pools, TODAY, TODAY, end);
    expect(await rowsForRange(db.db, tenant, pools, TODAY, TODAY, t('11-27 15:00'))).toEqual(expected);
    expect(await rowsForRange(db.db, tenant, pools, TODAY, TODAY, t('11-27 15:01'))).toEqual(expected);
  });
});
