import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';

const T = 'demo-dingtalk';

describe.each(dialects)('customers per pool for the 公海池 list on %s', (dialect) => {
  let h: Harness;
  let admin: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await h.tokenFor(T, 'admin01');
  });
  afterAll(() => h.close());

  /** What the database holds, counted the plain way, to compare the answer with. */
  const counted = async (tenantId: string) => {
    const rows = await h.db.selectFrom('customers').select(['pool_id', 'status']).where('tenant_id', '=', tenantId).execute();
    const out = new Map<number, { poolCustomers: number; ownedCustomers: number }>();
    for (const r of rows) {
      const c = out.get(r.pool_id) ?? { poolCustomers: 0, ownedCustomers: 0 };
      if (r.status === 'pool') c.poolCustomers++;
      else c.ownedCustomers++;
      out.set(r.pool_id, c);
    }
    return [...out.entries()].sort(([a], [b]) => a - b).map(([poolId, c]) => ({ poolId, ...c }));
  };

  it('answers each pool’s unowned and owned customers of this tenant, and follows a change', async () => {
    const res = await h.request('GET', '/api/v1/admin/pool-counts', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(await counted(T));
    const east = await poolIdByName(h.db, T, '华东公海');
    const before = res.body.items.find((c: { poolId: number }) => c.poolId === east);
    expect(before.poolCustomers).toBeGreaterThan(0);
    expect(before.ownedCustomers).toBeGreaterThan(0);

    const one = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('pool_id', '=', east).where('status', '=', 'pool').orderBy('id').executeTakeFirstOrThrow();
    await h.db.updateTable('customers').set({ status: 'owned', owner_id: 'rep01' }).where('id', '=', one.id).execute();
    const after = (await h.request('GET', '/api/v1/admin/pool-counts', { token: admin })).body.items.find((c: { poolId: number }) => c.poolId === east);
    expect(after).toEqual({ poolId: east, poolCustomers: before.poolCustomers - 1, ownedCustomers: before.ownedCustomers + 1 });
  });

  it('refuses reps and managers', async () => {
    for (const user of ['rep01', 'mgr-east']) {
      const res = await h.request('GET', '/api/v1/admin/pool-counts', { token: await h.tokenFor(T, user) });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
    }
  });
});
