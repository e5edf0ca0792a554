import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';

const T = 'demo-dingtalk';

describe.each(dialects)('customers, profiles and activity on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    rep01 = await h.tokenFor(T, 'rep01');
  });
  afterAll(() => h.close());

  const newCustomer = (over: Record<string, unknown> = {}) => ({
    name: `测试客户${Math.random().toString(36).slice(2, 8)}`,
    address: '上海市黄浦区人民大道 200 号',
    lat: 31.2304,
    lng: 121.4737,
    level: 'B',
    // A phone of its own: the same phone twice is a duplicate customer (duplicates.ts).
    contacts: [{ name: '李经理', title: '采购', phone: `139${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}5678` }],
    ...over,
  });

  it('creates a customer owned by its creator, with a created ledger row and a reclaim countdown', async () => {
    const res = await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer({ name: '上海新建测试商行' }) });
    expect(res.status).toBe(201);
    const c = res.body.customer;
    expect(c).toMatchObject({ name: '上海新建测试商行', status: 'owned', ownerId: 'rep01', level: 'B', poolId: await poolIdByName(h.db, T, '华东公海') });
    // Created 2026-11-27 10:00 Shanghai, 15 days without a verified visit → reclaimable from 2026-12-13 00:00 Shanghai.
    expect(c.reclaim).toEqual({ ruleId: expect.any(Number), kind: 'no_verified_visit', dueDate: '2026-12-12T16:00:00.000Z' });
    const ledger = await h.db.selectFrom('ownership_events').select(['type', 'to_user_id']).where('customer_id', '=', c.id).execute();
    expect(ledger).toEqual([{ type: 'created', to_user_id: 'rep01' }]);

    const dup = await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer({ name: '上海新建测试商行' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'duplicate_customer', customerId: c.id });
  });

  it('creates straight into a pool, converting WGS-84 to GCJ-02', async () => {
    const pool = await poolIdByName(h.db, T, '华东公海');
    const res = await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer({ poolId: pool, coord: 'wgs84', lat: 31.23237, lng: 121.46904 }) });
    expect(res.status).toBe(201);
    expect(res.body.customer).toMatchObject({ status: 'pool', ownerId: null, reclaim: null });
    expect(res.body.customer.lat).toBeCloseTo(31.2304, 3);
    expect(res.body.customer.lng).toBeCloseTo(121.4737, 3);
    const south = await poolIdByName(h.db, T, '华南公海');
    const refused = await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer({ poolId: south }) });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('not_pool_member');
  });

  it('rejects bad input with a 400 that names the field', async () => {
    const res = await h.request('POST', '/api/v1/customers', { token: rep01, body: { name: '', address: 'x', lat: 500, lng: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['name', 'lat']));
  });

  it('shows the full profile with the ownership timeline to the next owner, phones masked for others', async () => {
    const created = (await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer({ contacts: [{ name: '李经理', title: '采购', phone: '13912345678' }] }) })).body.customer;
    const fu = await h.request('POST', `/api/v1/customers/${created.id}/follow-ups`, { token: rep01, body: { kind: 'call', content: '电话沟通报价' } });
    expect(fu.status).toBe(201);
    h.clock.advance(1000);
    const deal = await h.request('POST', `/api/v1/customers/${created.id}/deals`, { token: rep01, body: { title: '首单', amount: 12800.5 } });
    expect(deal.status).toBe(201);
    expect(deal.body.deal).toMatchObject({ title: '首单', amount: 12800.5, status: 'open', closedAt: null });

    const rep02 = await h.tokenFor(T, 'rep02');
    expect((await h.request('GET', `/api/v1/customers/${created.id}`, { token: rep02 })).status).toBe(404);
    const notOwner = await h.request('POST', `/api/v1/customers/${created.id}/follow-ups`, { token: rep02, body: { kind: 'note', content: 'x' } });
    expect(notOwner.status).toBe(404);

    h.clock.advance(60_000);
    expect((await h.request('POST', `/api/v1/customers/${created.id}/release`, { token: rep01, body: { reason: '区域调整', note: '交给同事' } })).status).toBe(200);
    const inPool = await h.request('GET', `/api/v1/customers/${created.id}`, { token: rep02 });
    expect(inPool.status).toBe(200);
    expect(inPool.body.customer.contacts).toEqual([{ id: expect.any(Number), name: '李经理', title: '采购', phone: '139****5678' }]);

    h.clock.advance(60_000);
    expect((await h.request('POST', `/api/v1/customers/${created.id}/claim`, { token: rep02, body: {} })).status).toBe(200);
    const profile = (await h.request('GET', `/api/v1/customers/${created.id}`, { token: rep02 })).body.customer;
    expect(profile.contacts[0].phone).toBe('13912345678');
    expect(profile.ownerName).toBe('王芳');
    expect(profile.timeline.map((t: { type: string }) => t.type)).toEqual(['claimed', 'released', 'deal', 'follow_up', 'created']);
    expect(profile.timeline[1]).toMatchObject({ type: 'released', fromUserId: 'rep01', fromUserName: '张伟', reason: '区域调整：交给同事' });
    expect(profile.timeline[3]).toMatchObject({ type: 'follow_up', kind: 'call', content: '电话沟通报价', userName: '张伟' });

    // The manager of the region sees it and its phones; the other region's manager does not.
    const east = await h.request('GET', `/api/v1/customers/${created.id}`, { token: await h.tokenFor(T, 'mgr-east') });
    expect(east.status).toBe(200);
    expect(east.body.customer.contacts[0].phone).toBe('13912345678');
    expect((await h.request('GET', `/api/v1/customers/${created.id}`, { token: await h.tokenFor(T, 'mgr-south') })).status).toBe(404);
  });

  it('restarts the no-deal clock when a deal is won', async () => {
    const created = (await h.request('POST', '/api/v1/customers', { token: rep01, body: newCustomer() })).body.customer;
    const deal = (await h.request('POST', `/api/v1/customers/${created.id}/deals`, { token: rep01, body: { title: '年框', amount: 1000 } })).body.deal;
    h.clock.advanceDays(2);
    const won = await h.request('PATCH', `/api/v1/customers/${created.id}/deals/${deal.id}`, { token: rep01, body: { status: 'won' } });
    expect(won.status).toBe(200);
    expect(won.body.deal).toMatchObject({ status: 'won', closedAt: new Date(h.clock.now()).toISOString() });
    const row = await h.db.selectFrom('customers').select('last_deal_won_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.last_deal_won_at).toBe(h.clock.now());
    const again = await h.request('PATCH', `/api/v1/customers/${created.id}/deals/${deal.id}`, { token: rep01, body: { status: 'lost' } });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('deal_closed');
  });

  it('lists my customers most urgent first, with the countdown and its reason', async () => {
    const token = await h.tokenFor(T, 'rep05');
    const res = await h.request('GET', '/api/v1/me/customers', { token });
    expect(res.status).toBe(200);
    const items = res.body.items as { ownerId: string; reclaim: { dueDate: string; kind: string } | null }[];
    expect(items).toHaveLength(40);
    expect(items.every((c) => c.ownerId === 'rep05')).toBe(true);
    const dues = items.map((c) => Date.parse(c.reclaim!.dueDate));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    // The demo makes a few customers of every rep due within two days.
    expect(dues[0]! - h.clock.now()).toBeLessThan(2 * 86_400_000);
    expect(items[0]!.reclaim!.kind).toBe('no_verified_visit');
  });

  it('pages through the pool with a cursor and a search', async () => {
    const first = await h.request('GET', '/api/v1/pool/customers?limit=50', { token: rep01 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items.every((c: { status: string }) => c.status === 'pool')).toBe(true);
    const second = await h.request('GET', `/api/v1/pool/customers?limit=50&cursor=${first.body.nextCursor}`, { token: rep01 });
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[49].id);
    const search = await h.request('GET', `/api/v1/pool/customers?q=${encodeURIComponent('杭州')}&limit=200`, { token: rep01 });
    expect(search.body.items.length).toBeGreaterThan(0);
    expect(search.body.items.every((c: { name: string }) => c.name.includes('杭州'))).toBe(true);
    const literal = await h.request('GET', `/api/v1/pool/customers?q=${encodeURIComponent('%')}`, { token: rep01 });
    expect(literal.body.items).toEqual([]);
  });
});
