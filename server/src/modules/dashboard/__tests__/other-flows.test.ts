import { createTestDb, dialects, type TestDb } from '../../../../test/databases';
import { encodeGeohash } from '../../../geo/geo';
import { startOfLocalDate } from '../../../time';
import { deleteCustomer, moveCustomerChildren } from '../../customers/customer-merge.repository';
import { applyOwnershipChange, recordCreations, recordMerge, type OwnershipChange } from '../../pool/ownership-writer';
import type { OwnershipEventType } from '../../pool/pool.table';
import type { DayRow } from '../dashboard';
import { readSnapshots, stockNow } from '../dashboard.repository';
import { tenantPools } from '../dashboard.service';
import { computeDayRows, stockAt, type PoolInfo } from '../day-rows.service';
import { figuresOf } from '../figures';
import { snapshotTenant } from '../snapshots.service';
import { buildCheckpoint, todayRowsFrom } from '../today.service';
import { seedOrg, t, T, type Org } from './scenario';

const zone = 'Asia/Shanghai';
const tenant = { id: T, timeZone: zone };
const thresholds = { understaffedRatio: 1, saturatedRatio: 0.25 };

/**
 * The flows with no name of their own, written by the real writers (ownership-writer.ts) into a real ledger and
 * customers table: snapshots of finished days and today's live rows both count them, and every pool's inflow − outflow
 * is the change in its pool size.
 *
 * 12-01: a, b in 华东公海 (E), c and m in 华南公海 (S), d owned by e1 in E.
 * 12-02: a transferred from E to S (a pool customer between pools); b restored to e1 on appeal out of E; d transferred
 *        from e1 to 总公司公海 (C); c moved from S to C (S archived); m merged into a (leaves S; a stays in S); b moved
 *        from E to S with its owner, then transferred owner to owner (neither changes any pool's size).
 * 12-03: a claimed by s1 out of S (09:00); d transferred from C to E (10:00).
 */
describe.each(dialects)('the dashboard’s other flows on %s', (dialect) => {
  let db: TestDb;
  let org: Org;
  let pools: PoolInfo[];
  const ids = new Map<string, number>();

  const create = async (key: string, pool: number, owner: string | null, at: number) => {
    const res = await db.db
      .insertInto('customers')
      .values({ tenant_id: T, name: `客户${key}`, address: '测试地址', lat: 31.2, lng: 121.4, geohash: encodeGeohash(31.2, 121.4), level: 'C', tags: '[]', status: owner === null ? 'pool' : 'owned', pool_id: pool, owner_id: owner, owned_since: owner === null ? null : at, pool_entered_at: owner === null ? at : null, created_by: null, created_at: at, updated_at: at })
      .executeTakeFirstOrThrow();
    ids.set(key, Number(res.insertId));
    await recordCreations(db.db, [{ tenantId: T, customerId: Number(res.insertId), toUserId: owner, toPoolId: pool, actorId: 'admin01', now: at }]);
  };
  /** One change of hands through the writer; it must apply. */
  const change = async (key: string, type: OwnershipEventType, from: { owner: string | null; pool: number }, to: { owner: string | null; pool: number }, at: number) => {
    const c: OwnershipChange = {
      tenantId: T,
      customerId: ids.get(key)!,
      type,
      expect: from.owner === null ? { status: 'pool' } : { status: 'owned', ownerId: from.owner },
      toUserId: to.owner,
      toPoolId: to.pool,
      fromPoolId: from.pool,
      actorId: 'admin01',
      now: at,
    };
    expect(await applyOwnershipChange(db.db, c)).toBe(true);
  };

  beforeAll(async () => {
    db = await createTestDb(dialect);
    org = await seedOrg(db.db, t('11-01 00:00'));
    pools = (await tenantPools(db.db, T)).pools;
    const { E, S, C } = org.pools;
    await create('a', E, null, t('12-01 09:00'));
    await create('b', E, null, t('12-01 09:10'));
    await create('c', S, null, t('12-01 09:20'));
    await create('m', S, null, t('12-01 09:30'));
    await create('d', E, 'e1', t('12-01 09:40'));

    await change('a', 'transferred', { owner: null, pool: E }, { owner: null, pool: S }, t('12-02 09:00'));
    await change('b', 'appeal_restored', { owner: null, pool: E }, { owner: 'e1', pool: E }, t('12-02 10:00'));
    await change('d', 'transferred', { owner: 'e1', pool: E }, { owner: null, pool: C }, t('12-02 11:00'));
    await change('c', 'moved', { owner: null, pool: S }, { owner: null, pool: C }, t('12-02 12:00'));
    // The merge as customer-merge.service.ts writes it: children moved to the survivor, two ledger rows, the row deleted.
    await db.db.transaction().execute(async (trx) => {
      await moveCustomerChildren(trx, T, ids.get('m')!, ids.get('a')!);
      await recordMerge(trx, { tenantId: T, survivorId: ids.get('a')!, merged: { ownerId: null, poolId: S }, survivor: { ownerId: null, poolId: S }, actorId: 'admin01', reason: '合并', evidence: {}, now: t('12-02 13:00') });
      await deleteCustomer(trx, T, ids.get('m')!);
    });
    await change('b', 'moved', { owner: 'e1', pool: E }, { owner: 'e1', pool: S }, t('12-02 14:00'));
    await change('b', 'transferred', { owner: 'e1', pool: S }, { owner: 's1', pool: S }, t('12-02 15:00'));

    await change('a', 'claimed', { owner: null, pool: S }, { owner: 's1', pool: S }, t('12-03 09:00'));
    await change('d', 'transferred', { owner: null, pool: C }, { owner: null, pool: E }, t('12-03 10:00'));
  });
  afterAll(() => db.destroy());

  const pick = (rows: DayRow[], day: string) =>
    [org.pools.E, org.pools.S, org.pools.C].map((id) => {
      const r = rows.find((x) => x.day === day && x.poolId === id)!;
      return { poolSize: r.poolSize, inOther: r.inOther, outOther: r.outOther, outClaimed: r.outClaimed, inCreated: r.inCreated };
    });

  it('stores them in the snapshots, and each day’s inflow − outflow is the change in pool size', async () => {
    expect((await snapshotTenant(db.db, tenant, t('12-03 12:00'))).written).toEqual(['2026-12-01', '2026-12-02']);
    const rows = await readSnapshots(db.db, T, '2026-12-01', '2026-12-02');
    expect(pick(rows, '2026-12-01')).toEqual([
      { poolSize: 2, inOther: 0, outOther: 0, outClaimed: 0, inCreated: 2 },
      { poolSize: 2, inOther: 0, outOther: 0, outClaimed: 0, inCreated: 2 },
      { poolSize: 0, inOther: 0, outOther: 0, outClaimed: 0, inCreated: 0 },
    ]);
    // E: a and b out; S: a in, c and m out; C: d and c in.
    expect(pick(rows, '2026-12-02')).toEqual([
      { poolSize: 0, inOther: 0, outOther: 2, outClaimed: 0, inCreated: 0 },
      { poolSize: 1, inOther: 1, outOther: 2, outClaimed: 0, inCreated: 0 },
      { poolSize: 2, inOther: 2, outOther: 0, outClaimed: 0, inCreated: 0 },
    ]);
    for (const p of pools) {
      const day = (d: string) => rows.find((r) => r.day === d && r.poolId === p.id)!;
      const f = figuresOf([day('2026-12-02')], thresholds, new Map());
      expect(f.inflow.total - f.outflow.total).toBe(day('2026-12-02').poolSize - day('2026-12-01').poolSize);
    }
  });

  it('counts them live today, from a checkpoint plus the rows after it, as the whole day computed at once', async () => {
    const start = { at: 'start' as const, counts: await stockAt(db.db, T, startOfLocalDate('2026-12-03', zone)) };
    const checkpoint = await buildCheckpoint(db.db, tenant, '2026-12-03', t('12-03 09:30'), t('12-03 09:35'));
    const today = await todayRowsFrom(db.db, tenant, pools, '2026-12-03', checkpoint, start);
    expect(today).toEqual(await computeDayRows(db.db, T, zone, pools, '2026-12-03', '2026-12-03', start));
    // S: a claimed; C → E: d transferred between pools. The end of the day is the customers table now.
    expect(pick(today, '2026-12-03')).toEqual([
      { poolSize: 1, inOther: 1, outOther: 0, outClaimed: 0, inCreated: 0 },
      { poolSize: 0, inOther: 0, outOther: 0, outClaimed: 1, inCreated: 0 },
      { poolSize: 1, inOther: 0, outOther: 1, outClaimed: 0, inCreated: 0 },
    ]);
    const now = await stockNow(db.db, T);
    for (const r of today) {
      expect(r.poolSize).toBe(now.find((n) => n.pool_id === r.poolId && n.status === 'pool')?.n ?? 0);
      const f = figuresOf([r], thresholds, new Map());
      expect(f.inflow.total - f.outflow.total).toBe(r.poolSize - start.counts.get(r.poolId)!.poolSize);
      expect(f.series.map((p) => p.inflow - p.outflow)).toEqual([r.poolSize - start.counts.get(r.poolId)!.poolSize]);
    }
  });
});
