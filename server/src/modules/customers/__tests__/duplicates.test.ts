import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { DuplicateIndex, nameKey, normaliseName, normalisePhone, phoneKey } from '../duplicates';

describe('the de-duplication rule', () => {
  it('normalises full-width letters, spaces, punctuation, case and a trailing legal form', () => {
    expect(normaliseName(' 杭州 ＡＢＣ 贸易（有限）有限公司 ')).toBe('杭州abc贸易有限');
    expect(normaliseName('杭州abc贸易')).toBe(normaliseName('杭州 ＡＢＣ 贸易有限公司'));
    expect(normaliseName('杭州abc贸易股份有限公司')).toBe('杭州abc贸易');
    // The stored keys the database looks candidates up by are these normal forms.
    expect(nameKey(' 杭州 ＡＢＣ 贸易有限公司')).toBe('杭州abc贸易');
    expect(nameKey('长'.repeat(300))).toBe('长'.repeat(255));
    expect(phoneKey('+86 139-1234-5678')).toBe('13912345678');
    // A branch is another customer: only the legal form goes.
    expect(normaliseName('杭州abc贸易分公司')).not.toBe(normaliseName('杭州abc贸易'));
  });

  it('normalises phones to digits without +86', () => {
    expect(normalisePhone('+86 139-1234-5678')).toBe('13912345678');
    expect(normalisePhone('008613912345678')).toBe('13912345678');
    expect(normalisePhone('0571-8888 6666')).toBe('057188886666');
    expect(normalisePhone('12')).toBeNull();
    expect(normalisePhone(null)).toBeNull();
  });

  it('matches by place when the same name is within 200 m, by name otherwise, then by phone', () => {
    const near = { id: 1, name: '甲公司', lat: 30.0, lng: 120.0, status: 'pool' as const, poolId: 7, ownerId: null };
    const index = new DuplicateIndex([near, { id: 2, name: '乙', lat: 31, lng: 121, status: 'owned', poolId: 7, ownerId: 'u' }], [{ customerId: 2, phone: '139 1234 5678' }]);
    expect(index.match({ name: '甲', lat: 30.001, lng: 120.0, phones: [] })).toMatchObject({ existing: { id: 1 }, reason: 'place' });
    expect(index.match({ name: '甲', lat: 30.01, lng: 120.0, phones: [] })).toMatchObject({ existing: { id: 1 }, reason: 'name' });
    expect(index.match({ name: '丙', lat: 30, lng: 120, phones: ['+8613912345678'] })).toMatchObject({ existing: { id: 2 }, reason: 'phone' });
    expect(index.match({ name: '丙', lat: 30, lng: 120, phones: ['13900000000'] })).toBeNull();
    index.add({ id: -3, name: '丙', lat: 30, lng: 120, status: 'pool', poolId: 7, ownerId: null }, ['13900000000']);
    expect(index.match({ name: '丁', lat: null, lng: null, phones: ['13900000000'] })).toMatchObject({ existing: { id: -3 }, reason: 'phone' });
  });
});

const T = 'demo-dingtalk';

describe.each(dialects)('creating a duplicate customer on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  let rep02: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    rep01 = await h.tokenFor(T, 'rep01');
    rep02 = await h.tokenFor(T, 'rep02');
  });
  afterAll(() => h.close());

  const body = (over: Record<string, unknown>) => ({ address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737, level: 'B', ...over });

  it('answers 409 duplicate_customer for an owned customer of the same normalised name, not claimable', async () => {
    const first = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '上海查重贸易有限公司', lat: 31.1, lng: 121.3 }) });
    expect(first.status).toBe(201);
    const dup = await h.request('POST', '/api/v1/customers', { token: rep02, body: body({ name: '上海 查重贸易' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toEqual({
      code: 'duplicate_customer',
      message: `已有相同客户「上海查重贸易有限公司」（编号 ${first.body.customer.id}，客户名称相同）：它已有负责人，请勿重复录入（撞单）；如有争议请联系经理。`,
      customerId: first.body.customer.id,
      status: 'owned',
      poolId: first.body.customer.poolId,
      reason: 'name',
      claimable: false,
    });
  });

  it('says 去领取 when the existing customer is in a pool the rep belongs to, matched by phone', async () => {
    const pool = await poolIdByName(h.db, T, '华东公海');
    const first = await h.request('POST', '/api/v1/customers', {
      token: rep01,
      body: body({ name: '查重电话商行', poolId: pool, contacts: [{ name: '王', phone: '139-0000-1111' }] }),
    });
    expect(first.status).toBe(201);
    const dup = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '另一个名字', contacts: [{ name: '王', phone: '+86 13900001111' }] }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'duplicate_customer', customerId: first.body.customer.id, status: 'pool', poolId: pool, reason: 'phone', claimable: true, hint: '去领取' });
    expect(dup.body.error.message).toContain('可以去领取');
  });

  it('finds a stored name written with full-width letters, spaces and brackets (the database narrows, the rule decides)', async () => {
    const first = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: 'ＡＢＣ 五金（杭州） 有限公司', lat: 30.3, lng: 120.2 }) });
    expect(first.status).toBe(201);
    const dup = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: 'abc五金(杭州)', lat: 31.3, lng: 121.2 }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ customerId: first.body.customer.id, reason: 'name' });
    // A name that merely contains the same characters in order is not the same name.
    expect((await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: 'abc五金杭州分店', lat: 31.4, lng: 121.2 }) })).status).toBe(201);
  });

  it('reports the place when the same name is within 200 m', async () => {
    const first = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '查重同址店', lat: 31.2, lng: 121.4 }) });
    const dup = await h.request('POST', '/api/v1/customers', { token: rep01, body: body({ name: '查重同址店', lat: 31.2005, lng: 121.4 }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ customerId: first.body.customer.id, reason: 'place', status: 'owned', claimable: false });
    expect(dup.body.error.message).toContain('它已经是你的客户');
  });
});
