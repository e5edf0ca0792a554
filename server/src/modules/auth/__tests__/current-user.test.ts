import jwt from 'jsonwebtoken';
import { dialects } from '../../../../test/databases';
import { poolCustomerIds, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { claimCustomer } from '../../pool/claim.service';
import { CURRENT_USER_TTL_MS } from '../current-users';

const T = 'demo-dingtalk';

describe.each(dialects)('every request sees the caller as the database has them now, on %s', (dialect) => {
  let h: Harness;
  let east: number;
  beforeAll(async () => {
    h = await startHarness(dialect);
    east = await poolIdByName(h.db, T, '华东公海');
  });
  afterAll(() => h.close());

  const customerRow = (id: number) => h.db.selectFrom('customers').select(['status', 'owner_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const claims = (id: number) => h.db.selectFrom('ownership_events').select('to_user_id').where('customer_id', '=', id).where('type', '=', 'claimed').execute();

  it('locks a rep out as soon as the platform says they left: their next claim is a 401 and the customer stays in the pool', async () => {
    const token = await h.tokenFor(T, 'rep01');
    // The rep is known to this process (and remembered) before the event.
    expect((await h.request('GET', '/api/v1/me/customers', { token })).status).toBe(200);

    expect(await h.control('dingtalk', 'DELETE', 'org/users/rep01')).toMatchObject({ status: 200, body: { delivered: true } });

    const [target] = await poolCustomerIds(h.db, T, east, 1);
    const claim = await h.request('POST', `/api/v1/customers/${target}/claim`, { token, body: {} });
    expect(claim.status).toBe(401);
    expect(claim.body).toEqual({ error: { code: 'user_inactive', message: '你的账号已停用（已离职或被管理员停用），不能再使用公海；如有疑问请联系管理员。' } });
    expect(await customerRow(target!)).toEqual({ status: 'pool', owner_id: null });
    expect(await claims(target!)).toEqual([]);
    expect((await h.request('GET', '/api/v1/me/customers', { token })).status).toBe(401);
  });

  it('takes a manager’s routes away on the next request after the platform says they no longer lead a department', async () => {
    const token = await h.tokenFor(T, 'mgr-south');
    expect((await h.request('GET', '/api/v1/dashboard/pools', { token })).status).toBe(200);

    // Still in 华南, no longer its leader: the org sync makes them a rep.
    const changed = await h.control('dingtalk', 'POST', 'org/users', { userId: 'mgr-south', name: '林南', departmentIds: [3] });
    expect(changed).toMatchObject({ status: 200, body: { delivered: true } });
    expect((await h.db.selectFrom('users').select('roles').where('tenant_id', '=', T).where('id', '=', 'mgr-south').executeTakeFirstOrThrow()).roles).toBe('rep');

    const refused = await h.request('GET', '/api/v1/dashboard/pools', { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'forbidden', message: '没有权限：此操作需要管理员或经理角色。' });
  });

  it('sees a change made straight in the database once the few seconds it may remember a user are over', async () => {
    const admin = await h.tokenFor(T, 'admin01');
    const rep = await h.tokenFor(T, 'rep02');
    expect((await h.request('GET', '/api/v1/admin/pools', { token: admin })).status).toBe(200);
    expect((await h.request('GET', '/api/v1/me/customers', { token: rep })).status).toBe(200);

    const setUser = (id: string, values: { roles?: string; active?: number }) =>
      h.db.updateTable('users').set(values).where('tenant_id', '=', T).where('id', '=', id).execute();
    await setUser('admin01', { roles: 'rep' });
    await setUser('rep02', { active: 0 });
    try {
      // No event told this process: it answers from what it read, for less than the TTL…
      h.clock.advance(CURRENT_USER_TTL_MS - 1);
      expect((await h.request('GET', '/api/v1/admin/pools', { token: admin })).status).toBe(200);
      expect((await h.request('GET', '/api/v1/me/customers', { token: rep })).status).toBe(200);
      // …and from the database after it.
      h.clock.advance(1);
      const demoted = await h.request('GET', '/api/v1/admin/pools', { token: admin });
      expect(demoted.status).toBe(403);
      expect(demoted.body.error.code).toBe('forbidden');
      const gone = await h.request('GET', '/api/v1/me/customers', { token: rep });
      expect(gone.status).toBe(401);
      expect(gone.body.error.code).toBe('user_inactive');
      // Roles come from the database, not the token: a token that says admin does not make a rep one.
      const forged = await h.tokenFor(T, 'admin01', ['admin']);
      expect((await h.request('GET', '/api/v1/admin/pools', { token: forged })).status).toBe(403);
    } finally {
      await setUser('admin01', { roles: 'admin' });
      await setUser('rep02', { active: 1 });
      h.deps.users.invalidate(T);
    }
    expect((await h.request('GET', '/api/v1/admin/pools', { token: admin })).status).toBe(200);
  });

  it('refuses a token for a user this tenant does not have', async () => {
    const res = await h.request('GET', '/api/v1/me/customers', { token: await h.tokenFor(T, 'nobody01', ['rep']) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('user_inactive');
  });

  it(`refuses, in the claim's own transaction, a claimant who left after the request was let in (${dialect === 'mysql' ? 'claim batch' : 'claim transaction'})`, async () => {
    const [target] = await poolCustomerIds(h.db, T, east, 1);
    const actor = { tenantId: T, userId: 'rep03', roles: ['rep' as const], timeZone: 'Asia/Shanghai' };
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep03').execute();
    try {
      await expect(claimCustomer(h.db, h.clock, actor, target!, { coord: 'gcj02' })).rejects.toMatchObject({ status: 403, code: 'user_inactive' });
      expect(await customerRow(target!)).toEqual({ status: 'pool', owner_id: null });
      expect(await claims(target!)).toEqual([]);
    } finally {
      await h.db.updateTable('users').set({ active: 1 }).where('tenant_id', '=', T).where('id', '=', 'rep03').execute();
    }
    // The same claim by the same rep, active again, goes through: the refusal was about the rep, nothing else.
    const claimed = await claimCustomer(h.db, h.clock, actor, target!, { coord: 'gcj02' });
    expect(claimed.ownerId).toBe('rep03');
  });

  it('refuses, in the claim transaction, an inactive claimant in a proximity-gated pool (a single claim on MariaDB too)', async () => {
    const [target] = await poolCustomerIds(h.db, T, east, 1);
    const customer = await h.db.selectFrom('customers').select(['lat', 'lng']).where('id', '=', target!).executeTakeFirstOrThrow();
    const actor = { tenantId: T, userId: 'rep04', roles: ['rep' as const], timeZone: 'Asia/Shanghai' };
    await h.db.updateTable('pools').set({ claim_radius_m: 500 }).where('id', '=', east).execute();
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep04').execute();
    try {
      const here = { lat: customer.lat, lng: customer.lng, accuracy: 10, coord: 'gcj02' as const };
      await expect(claimCustomer(h.db, h.clock, actor, target!, here)).rejects.toMatchObject({ status: 403, code: 'user_inactive' });
      expect(await customerRow(target!)).toEqual({ status: 'pool', owner_id: null });
    } finally {
      await h.db.updateTable('pools').set({ claim_radius_m: null }).where('id', '=', east).execute();
      await h.db.updateTable('users').set({ active: 1 }).where('tenant_id', '=', T).where('id', '=', 'rep04').execute();
    }
  });

  it('refuses a token without an expiry and one with a time zone that does not exist, with 401s', async () => {
    const secret = h.deps.config.jwt.secret;
    const nowS = Math.floor(h.clock.now() / 1000);
    const [target] = await poolCustomerIds(h.db, T, east, 1);
    const sign = (payload: object) => jwt.sign({ sub: 'rep05', tid: T, roles: ['rep'], iat: nowS, ...payload }, secret, { algorithm: 'HS256' });

    const forever = await h.request('POST', `/api/v1/customers/${target}/claim`, { token: sign({ tz: 'Asia/Shanghai' }), body: {} });
    expect(forever.status).toBe(401);
    expect(forever.body).toEqual({ error: { code: 'unauthenticated', message: '登录凭证无效，请重新打开应用登录。' } });

    const badZone = await h.request('POST', `/api/v1/customers/${target}/claim`, { token: sign({ tz: 'Mars/Olympus_Mons', exp: nowS + 3600 }), body: {} });
    expect(badZone.status).toBe(401);
    expect(badZone.body.error.code).toBe('unauthenticated');
    expect(await customerRow(target!)).toEqual({ status: 'pool', owner_id: null });
  });
});
