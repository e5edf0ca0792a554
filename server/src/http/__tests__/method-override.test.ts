import { dialects } from '../../../test/databases';
import { poolIdByName } from '../../../test/factories';
import { startHarness, type Harness } from '../../../test/harness';

const T = 'demo-dingtalk';

/** `X-HTTP-Method-Override` (method-override.ts): how the mini-programs reach PUT/PATCH routes with GET and POST alone. */
describe.each(dialects)('method override on %s', (dialect) => {
  let h: Harness;
  let rep: string;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    [rep, admin] = await Promise.all([h.tokenFor(T, 'rep01'), h.tokenFor(T, 'admin01')]);
  });
  afterAll(() => h.close());

  const override = (method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
    h.request('POST', path, { token, body, headers: { 'x-http-method-override': method, ...headers } });

  async function newDeal(): Promise<{ customerId: number; dealId: number }> {
    const customer = await h.request('POST', '/api/v1/customers', {
      token: rep,
      body: { name: `改方法测试${Math.random().toString(36).slice(2, 8)}`, address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737 },
    });
    expect(customer.status).toBe(201);
    const deal = await h.request('POST', `/api/v1/customers/${customer.body.customer.id}/deals`, { token: rep, body: { title: '年框', amount: 1000 } });
    expect(deal.status).toBe(201);
    return { customerId: customer.body.customer.id, dealId: deal.body.deal.id };
  }

  const dealRow = (dealId: number) => h.db.selectFrom('deals').select(['status', 'closed_at']).where('id', '=', dealId).executeTakeFirstOrThrow();
  const wonAt = async (customerId: number) => (await h.db.selectFrom('customers').select('last_deal_won_at').where('id', '=', customerId).executeTakeFirstOrThrow()).last_deal_won_at;

  it('wins a deal through POST + override PATCH, writing exactly what a PATCH writes', async () => {
    const viaOverride = await newDeal();
    const viaPatch = await newDeal();
    h.clock.advance(5 * 60_000);
    const a = await override('PATCH', `/api/v1/customers/${viaOverride.customerId}/deals/${viaOverride.dealId}`, rep, { status: 'won' });
    const b = await h.request('PATCH', `/api/v1/customers/${viaPatch.customerId}/deals/${viaPatch.dealId}`, { token: rep, body: { status: 'won' } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const closedAt = new Date(h.clock.now()).toISOString();
    expect(a.body.deal).toMatchObject({ id: viaOverride.dealId, status: 'won', closedAt });
    expect({ ...a.body.deal, id: 0 }).toEqual({ ...b.body.deal, id: 0 });
    expect(await dealRow(viaOverride.dealId)).toEqual(await dealRow(viaPatch.dealId));
    expect((await dealRow(viaOverride.dealId)).status).toBe('won');
    expect(await wonAt(viaOverride.customerId)).toBe(h.clock.now());
    expect(await wonAt(viaPatch.customerId)).toBe(h.clock.now());
  });

  it('keeps the idempotency key of an overridden POST: a retry replays the first answer instead of writing again', async () => {
    const { customerId, dealId } = await newDeal();
    const path = `/api/v1/customers/${customerId}/deals/${dealId}`;
    const key = { 'idempotency-key': `override-${dialect}-${dealId}` };
    const first = await override('PATCH', path, rep, { status: 'won' }, key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const closedAt = h.clock.now();
    h.clock.advance(60_000);
    // The retry gets the first answer back and writes nothing: the deal keeps the time it was won.
    const retry = await override('PATCH', path, rep, { status: 'won' }, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await dealRow(dealId)).toEqual({ status: 'won', closed_at: closedAt });
    expect(await wonAt(customerId)).toBe(closedAt);
    // Without the key the same write runs again and moves the closing time: the replay above came from the key.
    const unkeyed = await override('PATCH', path, rep, { status: 'won' });
    expect(unkeyed.status).toBe(200);
    expect(unkeyed.headers.get('idempotent-replayed')).toBeNull();
    expect(await dealRow(dealId)).toEqual({ status: 'won', closed_at: h.clock.now() });
    // The same key for another overridden write is refused as a reused key, as for any POST.
    const other = await override('PATCH', path, rep, { status: 'lost' }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('saves a pool and the calendar through POST + override PUT', async () => {
    const east = await poolIdByName(h.db, T, '华东公海');
    const pools = async () => (await h.request('GET', '/api/v1/admin/pools', { token: admin })).body.items as { id: number; maxOwnedPerRep: number }[];
    const before = (await pools()).find((p) => p.id === east)!;
    const saved = await override('PUT', `/api/v1/admin/pools/${east}`, admin, { ...before, maxOwnedPerRep: 123 });
    expect(saved.status).toBe(200);
    expect(saved.body.pool).toEqual({ ...before, maxOwnedPerRep: 123 });
    expect((await pools()).find((p) => p.id === east)).toEqual({ ...before, maxOwnedPerRep: 123 });
    // And back through the REST route itself, which still works for other clients.
    const restored = await h.request('PUT', `/api/v1/admin/pools/${east}`, { token: admin, body: before });
    expect(restored.status).toBe(200);
    expect(restored.body.pool).toEqual(before);

    const days = [{ day: '2026-10-01', kind: 'holiday', note: '国庆节' }];
    const cal = await override('put', '/api/v1/admin/calendar', admin, { year: 2026, days });
    expect(cal.status).toBe(200);
    expect(cal.body).toEqual({ year: 2026, days });
    expect((await h.request('GET', '/api/v1/admin/calendar?year=2026', { token: admin })).body).toEqual({ year: 2026, days });
    const direct = await h.request('PUT', '/api/v1/admin/calendar', { token: admin, body: { year: 2026, days: [] } });
    expect(direct.status).toBe(200);
    expect(direct.body).toEqual({ year: 2026, days: [] });
  });

  it('refuses the header on any method but POST, and changes nothing', async () => {
    const { customerId, dealId } = await newDeal();
    const path = `/api/v1/customers/${customerId}/deals/${dealId}`;
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const res = await h.request(method, path, { token: rep, body: method === 'GET' ? undefined : { status: 'won' }, headers: { 'x-http-method-override': 'PATCH' } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'method_override_not_allowed', message: `X-HTTP-Method-Override 只能用在 POST 请求上，这个请求是 ${method}：请去掉这个头，或改用 POST 发送。` },
      });
    }
    expect((await dealRow(dealId)).status).toBe('open');
  });

  it('refuses an override to GET, POST, HEAD or an unknown method with a 400', async () => {
    const { customerId, dealId } = await newDeal();
    const path = `/api/v1/customers/${customerId}/deals/${dealId}`;
    for (const value of ['GET', 'POST', 'HEAD', 'OPTIONS', 'TRACE', 'FROB']) {
      const res = await override(value, path, rep, { status: 'won' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'invalid_method_override', message: `X-HTTP-Method-Override 只能是 PUT、PATCH、DELETE，收到的是「${value}」：GET 和 POST 请直接发送，不要带这个头。` },
      });
    }
    expect((await dealRow(dealId)).status).toBe('open');
  });

  it('answers an overridden method a path does not take with the same 405 as the method itself', async () => {
    const res = await override('DELETE', '/api/v1/admin/calendar', admin, {});
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
    expect(res.body.error.message).toContain('此接口不支持 DELETE 请求');
  });

  it('leaves requests without the header alone: the REST PATCH and plain POSTs work as before', async () => {
    const { customerId, dealId } = await newDeal();
    const res = await h.request('PATCH', `/api/v1/customers/${customerId}/deals/${dealId}`, { token: rep, body: { status: 'lost' } });
    expect(res.status).toBe(200);
    expect(res.body.deal.status).toBe('lost');
    // A POST to the PATCH route without the header is still a 405 naming PATCH.
    const post = await h.request('POST', `/api/v1/customers/${customerId}/deals/${dealId}`, { token: rep, body: { status: 'won' } });
    expect(post.status).toBe(405);
    expect(post.body.error.code).toBe('method_not_allowed');
  });
});
