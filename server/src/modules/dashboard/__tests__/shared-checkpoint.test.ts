import { finishedVisitRow } from '../../../../test/factories';
import { createTestDb, dialects, type TestDb } from '../../../../test/databases';
import type { Db } from '../../../db/create-db';
import { encodeGeohash } from '../../../geo/geo';
import { tenantPools } from '../dashboard.service';
import { computeDayRows, type PoolInfo, type StockBase } from '../day-rows.service';
import { checkpointFor, refreshCheckpoint, todayRows } from '../today.service';
import { seedOrg, t, T, type Org } from './scenario';

const zone = 'Asia/Shanghai';
const tenant = { id: T, timeZone: zone };
const TODAY = '2026-11-27';

describe.each(dialects)('the intraday dashboard checkpoint is shared by every instance, on %s', (dialect) => {
  let db: TestDb;
  let org: Org;
  let pools: PoolInfo[];
  let start: StockBase;

  beforeAll(async () => {
    db = await createTestDb(dialect);
    org = await seedOrg(db.db, t('11-01 00:00'));
    pools = (await tenantPools(db.db, T)).pools;
    start = { at: 'start', counts: new Map([[org.pools.E, { poolSize: 3, owned: 2 }]]) };
    const customer = async (name: string, at: string) =>
      Number(
        (
          await db.db
            .insertInto('customers')
            .values({ tenant_id: T, name, address: '测试地址', lat: 31.2, lng: 121.4, geohash: encodeGeohash(31.2, 121.4), level: 'C', tags: '[]', status: 'pool', pool_id: org.pools.E, owner_id: null, owned_since: null, pool_entered_at: t(at), created_by: null, created_at: t(at), updated_at: t(at) })
            .executeTakeFirstOrThrow()
        ).insertId,
      );
    const event = (customerId: number, type: 'created' | 'claimed', toUser: string | null, at: string) =>
      db.db
        .insertInto('ownership_events')
        .values({ tenant_id: T, customer_id: customerId, type, from_user_id: null, to_user_id: toUser, from_pool_id: type === 'created' ? null : org.pools.E, to_pool_id: org.pools.E, actor_id: toUser, reason: null, rule_id: null, rule_version: null, evidence: null, at: t(at) })
        .execute();
    const x = await customer('客户x', '11-27 08:00');
    const y = await customer('客户y', '11-27 08:30');
    await event(x, 'created', null, '11-27 08:00');
    await event(y, 'created', null, '11-27 08:30');
    await event(x, 'claimed', 'e1', '11-27 09:00');
    await db.db.insertInto('visits').values(finishedVisitRow(T, x, 'e1', 'verified', t('11-27 10:00'))).execute();
    // After the checkpoint A builds at 12:05 (up to 12:00): y claimed at 12:03.
    await event(y, 'claimed', 'e2', '11-27 12:03');
  });
  afterAll(() => db.destroy());

  it('instance B answers from the checkpoint instance A built, with the same figures', async () => {
    // Two handles on one database: each has its own in-process checkpoints, as two server processes would.
    const a: Db = db.db;
    const b: Db = db.db.withoutPlugins();
    const built = await checkpointFor(a, tenant, TODAY, t('11-27 12:05'));
    expect([built!.builtAt, built!.stretch.to, built!.stretch.visits.length]).toEqual([t('11-27 12:05'), t('11-27 12:00'), 1]);

    const taken = await checkpointFor(b, tenant, TODAY, t('11-27 12:10'));
    expect([taken!.builtAt, taken!.stretch.to]).toEqual([t('11-27 12:05'), t('11-27 12:00')]);
    expect(taken!.stretch).toEqual(built!.stretch);
    expect(taken!.stretch.parts.get(org.pools.E)).toMatchObject({ inCreated: 2, outClaimed: 1 });

    const live = await computeDayRows(a, T, zone, pools, TODAY, TODAY, start);
    expect(await todayRows(a, tenant, pools, TODAY, t('11-27 12:10'), start)).toEqual(live);
    expect(await todayRows(b, tenant, pools, TODAY, t('11-27 12:10'), start)).toEqual(live);
    expect(live.find((r) => r.poolId === org.pools.E)).toMatchObject({ inCreated: 2, outClaimed: 2, visitsVerified: 1 });
  });

  it('the refresh job on an instance nobody asked rebuilds the stored checkpoint, and a third instance answers from it', async () => {
    const jobs: Db = db.db.withoutPlugins();
    const refreshed = await refreshCheckpoint(jobs, tenant, t('11-27 12:15'));
    expect([refreshed!.builtAt, refreshed!.stretch.to]).toEqual([t('11-27 12:15'), t('11-27 12:10')]);
    const third = await checkpointFor(db.db.withoutPlugins(), tenant, TODAY, t('11-27 12:16'));
    expect([third!.builtAt, third!.stretch.to]).toEqual([t('11-27 12:15'), t('11-27 12:10')]);
    expect(third!.stretch.parts.get(org.pools.E)).toMatchObject({ inCreated: 2, outClaimed: 2 });
  });
});
