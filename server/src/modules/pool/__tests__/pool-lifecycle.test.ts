import { dialects } from '../../../../test/databases';
import { insertPoolCustomer, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import type { AdminPool } from '../pool-admin';

const T = 'demo-dingtalk';
/** Far from every demo customer: a nearby search here finds only this suite's customers. */
const spot = { lat: 29.1, lng: 119.65 };

describe.each(dialects)('creating and archiving pools on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let rep01: string;
  let rep05: string;
  let company: number;
  let east: number;
  let south: number;
  /** The pool the suite creates for 杭州一组 (department 22, rep05's), archived later on. */
  let hangzhou: number;
  let owned: number;
  let free: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, rep01, rep05] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'rep01'), h.tokenFor(T, 'rep05')]);
    company = await poolIdByName(h.db, T, '总公司公海');
    east = await poolIdByName(h.db, T, '华东公海');
    south = await poolIdByName(h.db, T, '华南公海');
  });
  afterAll(() => h.close());

  const body = (over: Record<string, unknown> = {}) => ({
    name: '杭州一组公海',
    parentPoolId: east,
    escalateAfterDays: 30,
    escalateToPoolId: east,
    maxOwnedPerRep: 50,
    dailyClaimLimit: 10,
    priorOwnerCooldownDays: 7,
    departmentIds: ['22'],
    rules: [{ kind: 'no_verified_visit', days: 10, remindDaysBefore: [1] }],
    ...over,
  });
  const create = (b: unknown, token = admin) => h.request('POST', '/api/v1/admin/pools', { token, body: b });
  const archive = (id: number, b: unknown, token = admin) => h.request('POST', `/api/v1/admin/pools/${id}/archive`, { token, body: b });
  const adminPools = async (): Promise<AdminPool[]> => (await h.request('GET', '/api/v1/admin/pools', { token: admin })).body.items;
  const count = async (table: 'pools' | 'pool_rules' | 'ownership_events') =>
    Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', T).executeTakeFirstOrThrow()).n);
  /** Whether the rep is a member of the pool, as `GET /api/v1/pools` says; undefined when it is not listed. */
  const member = async (token: string, poolId: number): Promise<boolean | undefined> =>
    ((await h.request('GET', '/api/v1/pools', { token })).body.items as { id: number; member: boolean }[]).find((p) => p.id === poolId)?.member;
  const nearby = async (token: string) =>
    ((await h.request('GET', `/api/v1/pool/nearby?lat=${spot.lat}&lng=${spot.lng}&radius=500`, { token })).body.items as { id: number; poolId: number }[]).map((i) => ({ id: i.id, poolId: i.poolId })).sort((a, b) => a.id - b.id);
  const claim = (token: string, id: number) => h.request('POST', `/api/v1/customers/${id}/claim`, { token, body: {} });
  const customer = (id: number) => h.db.selectFrom('customers').select(['status', 'owner_id', 'pool_id', 'owned_since']).where('id', '=', id).executeTakeFirstOrThrow();

  it('refuses creating and archiving pools to reps and managers', async () => {
    for (const token of [rep01, manager]) {
      const created = await create(body(), token);
      expect({ status: created.status, error: created.body.error }).toEqual({ status: 403, error: { code: 'forbidden', message: '没有权限：此操作需要管理员角色。' } });
      expect((await archive(south, { moveCustomersToPoolId: east }, token)).status).toBe(403);
    }
    expect(await count('pools')).toBe(3);
    expect((await adminPools()).map((p) => p.archivedAt)).toEqual([null, null, null]);
  });

  it('refuses a bad body with a 400 naming its fields, and bad references with Chinese messages, creating nothing', async () => {
    const [pools, rules] = [await count('pools'), await count('pool_rules')];
    const bad = await create({ escalateAfterDays: 30, rules: 'none' });
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['name', 'maxOwnedPerRep', 'dailyClaimLimit', 'priorOwnerCooldownDays', 'rules']));
    expect(bad.body.error.message).toMatch(/请填写公海名称 name/);

    const wecomPool = await poolIdByName(h.db, 'demo-wecom', '华东公海');
    const eastRule = (await adminPools()).find((p) => p.id === east)!.rules[0]!;
    const cases: { body: unknown; status: number; code: string; message: RegExp }[] = [
      { body: body({ departmentIds: ['22', 'no-such'] }), status: 422, code: 'unknown_department', message: /部门 no-such 不存在/ },
      { body: body({ name: '华东公海' }), status: 409, code: 'pool_name_taken', message: /已有名为「华东公海」的公海，请换一个名称/ },
      { body: body({ escalateToPoolId: wecomPool }), status: 422, code: 'invalid_pool_reference', message: /升级目标公海（公海 \d+）不存在或不属于本企业/ },
      { body: body({ rules: [{ ...eastRule, days: 12 }] }), status: 422, code: 'unknown_rule', message: /不属于「杭州一组公海」；新增规则请不要带 id/ },
      { body: body({ escalateAfterDays: null }), status: 400, code: 'invalid_request', message: /同时设置 escalateAfterDays 和 escalateToPoolId/ },
    ];
    for (const c of cases) {
      const res = await create(c.body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(res.body.error.message).toMatch(c.message);
    }
    expect([await count('pools'), await count('pool_rules')]).toEqual([pools, rules]);
  });

  it('creates a pool: 201 with its rules at version 1, and the reps of its departments may claim from it', async () => {
    const res = await create(body());
    expect(res.status).toBe(201);
    expect(res.body.pool).toEqual({
      id: expect.any(Number),
      name: '杭州一组公海',
      parentPoolId: east,
      escalateAfterDays: 30,
      escalateToPoolId: east,
      maxOwnedPerRep: 50,
      maxOwnedPerLevel: {},
      capExcludesWon: false,
      dailyClaimLimit: 10,
      priorOwnerCooldownDays: 7,
      claimRadiusM: null,
      departmentIds: ['22'],
      rules: [
        { id: expect.any(Number), kind: 'no_verified_visit', days: 10, enabled: true, levels: [], tags: [], exemptWonCustomers: false, workingDaysOnly: false, remindDaysBefore: [1], notifyManager: false, targetPoolId: null, version: 1 },
      ],
      archivedAt: null,
    });
    hangzhou = res.body.pool.id;
    expect((await adminPools()).find((p) => p.id === hangzhou)).toEqual(res.body.pool);
    const versions = await h.db.selectFrom('pool_rule_versions').select(['version', 'changed_by', 'snapshot']).where('rule_id', '=', res.body.pool.rules[0].id).execute();
    expect(versions.map((v) => [v.version, v.changed_by, JSON.parse(v.snapshot).poolId])).toEqual([[1, 'admin01', hangzhou]]);

    // Members: 杭州一组's reps, not 上海一组's.
    expect({ rep05: await member(rep05, hangzhou), rep01: await member(rep01, hangzhou) }).toEqual({ rep05: true, rep01: false });
    owned = await insertPoolCustomer(h.db, T, hangzhou, { name: '新公海客户一', ...spot, now: h.clock.now() });
    free = await insertPoolCustomer(h.db, T, hangzhou, { name: '新公海客户二', ...spot, now: h.clock.now() });
    expect(await nearby(rep05)).toEqual([{ id: owned, poolId: hangzhou }, { id: free, poolId: hangzhou }]);
    const taken = await claim(rep05, owned);
    expect(taken.status).toBe(200);
    expect(await customer(owned)).toMatchObject({ status: 'owned', owner_id: 'rep05', pool_id: hangzhou });
    const refused = await claim(rep01, free);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 422, code: 'not_pool_member' });
    expect(refused.body.error.message).toMatch(/你不是「杭州一组公海」的成员/);
  });

  it('archives a pool: its customers move through the ledger, an owner keeps theirs, and the pool is gone for reps', async () => {
    h.clock.advance(3_600_000);
    const ownedBefore = await customer(owned);
    const ledgerBefore = await count('ownership_events');
    const res = await archive(hangzhou, { moveCustomersToPoolId: east });
    expect(res.status).toBe(200);
    expect(res.body.moved).toEqual({ poolCustomers: 1, ownedCustomers: 1 });
    expect(res.body.pool).toMatchObject({ id: hangzhou, departmentIds: ['22'], archivedAt: new Date(h.clock.now()).toISOString() });

    // The owner keeps the customer and the clock the reclaim rules read; the free one is in 华东公海's pool.
    expect(await customer(owned)).toEqual({ ...ownedBefore, pool_id: east });
    expect(await customer(free)).toMatchObject({ status: 'pool', owner_id: null, pool_id: east });
    const ledger = await h.db
      .selectFrom('ownership_events')
      .select(['customer_id', 'type', 'from_user_id', 'to_user_id', 'from_pool_id', 'to_pool_id', 'actor_id', 'reason'])
      .where('tenant_id', '=', T)
      .where('customer_id', 'in', [owned, free])
      .where('type', '=', 'moved')
      .orderBy('customer_id')
      .execute();
    const reason = '公海「杭州一组公海」归档，客户移入「华东公海」';
    expect(ledger).toEqual([
      { customer_id: owned, type: 'moved', from_user_id: 'rep05', to_user_id: 'rep05', from_pool_id: hangzhou, to_pool_id: east, actor_id: 'admin01', reason },
      { customer_id: free, type: 'moved', from_user_id: null, to_user_id: null, from_pool_id: hangzhou, to_pool_id: east, actor_id: 'admin01', reason },
    ]);
    expect(await count('ownership_events')).toBe(ledgerBefore + 2);

    // Gone from the reps' pool list, from nearby and from membership; still listed for admins, archived.
    expect(await member(rep05, hangzhou)).toBeUndefined();
    expect(await nearby(rep05)).toEqual([{ id: free, poolId: east }]);
    const members = await h.db.selectFrom('pool_members').select('user_id').where('tenant_id', '=', T).where('pool_id', '=', hangzhou).execute();
    expect(members).toEqual([]);
    expect((await adminPools()).find((p) => p.id === hangzhou)!.archivedAt).toBe(res.body.pool.archivedAt);

    // A customer left in it (as after a crash mid-way) is neither found nor claimable; archiving again moves it.
    const stray = await insertPoolCustomer(h.db, T, hangzhou, { name: '遗留客户', ...spot, now: h.clock.now() });
    expect(await nearby(rep05)).toEqual([{ id: free, poolId: east }]);
    const refused = await claim(rep05, stray);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'pool_archived' });
    // Not even an admin puts a new customer in it or gives its stray customer away from it.
    const created = await h.request('POST', '/api/v1/customers', { token: admin, body: { name: '归档后新建', address: '杭州', ...spot, poolId: hangzhou } });
    expect({ status: created.status, code: created.body.error.code, message: created.body.error.message }).toEqual({
      status: 409,
      code: 'pool_archived',
      message: '公海「杭州一组公海」已归档，不能再放入客户；请选择一个在用的公海。',
    });
    const assigned = await h.request('POST', `/api/v1/customers/${stray}/assign`, { token: admin, body: { userId: 'rep05', reason: '归档后分配', force: true } });
    expect({ status: assigned.status, code: assigned.body.error.code }).toEqual({ status: 409, code: 'pool_archived' });
    const again = await archive(hangzhou, { moveCustomersToPoolId: south });
    expect(again.body.moved).toEqual({ poolCustomers: 1, ownedCustomers: 0 });
    expect(await customer(stray)).toMatchObject({ status: 'pool', pool_id: south });
    const done = await archive(hangzhou, { moveCustomersToPoolId: east });
    expect({ status: done.status, code: done.body.error.code, message: done.body.error.message }).toEqual({ status: 409, code: 'pool_archived', message: '「杭州一组公海」已经归档，其中没有客户需要移动。' });
  });

  it('refuses archiving into itself, an archived or another tenant’s pool, a pool others point at, reserved customers, the last pool', async () => {
    const ledgerBefore = await count('ownership_events');
    const inSouth = async () => Number((await h.db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('pool_id', '=', south).executeTakeFirstOrThrow()).n);
    const southBefore = await inSouth();
    const wecomPool = await poolIdByName(h.db, 'demo-wecom', '华东公海');
    const cases: { id: number; body: unknown; status: number; code: string; message: RegExp }[] = [
      { id: south, body: { moveCustomersToPoolId: south }, status: 422, code: 'invalid_pool_reference', message: /客户不能移回「华南公海」自己/ },
      { id: south, body: { moveCustomersToPoolId: hangzhou }, status: 422, code: 'invalid_pool_reference', message: /「杭州一组公海」已归档，不能接收客户/ },
      { id: south, body: { moveCustomersToPoolId: wecomPool }, status: 422, code: 'invalid_pool_reference', message: /不存在或不属于本企业/ },
      {
        id: company,
        body: { moveCustomersToPoolId: east },
        status: 409,
        code: 'pool_in_use',
        message: /^「华东公海」的无人领取升级、「华南公海」的无人领取升级、「华东公海」的上级公海、「华南公海」的上级公海仍指向「总公司公海」，不能归档/,
      },
      { id: south, body: {}, status: 400, code: 'invalid_request', message: /moveCustomersToPoolId/ },
    ];
    for (const c of cases) {
      const res = await archive(c.id, c.body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(res.body.error.message).toMatch(c.message);
    }
    expect((await archive(999_999, { moveCustomersToPoolId: east })).status).toBe(404);

    // An archived pool is no longer edited nor referred to, and keeps its name.
    const archived = (await adminPools()).find((p) => p.id === hangzhou)!;
    const { id: _id, archivedAt: _at, ...settings } = archived;
    const put = await h.request('PUT', `/api/v1/admin/pools/${hangzhou}`, { token: admin, body: settings });
    expect({ status: put.status, code: put.body.error.code }).toEqual({ status: 409, code: 'pool_archived' });
    const pointing = await create(body({ name: '另一个公海', escalateToPoolId: hangzhou }));
    expect({ status: pointing.status, code: pointing.body.error.code }).toEqual({ status: 422, code: 'invalid_pool_reference' });
    expect(pointing.body.error.message).toMatch(/升级目标公海「杭州一组公海」已归档，请选择一个在用的公海/);
    expect((await create(body())).body.error.message).toMatch(/已有名为「杭州一组公海」的公海（已归档）/);

    // A customer an HR assignment in flight has reserved keeps its pool until the assignment ends.
    const reserved = (await h.db.selectFrom('customers').select('id').where('pool_id', '=', south).where('status', '=', 'pool').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: 999 }).where('id', '=', reserved).execute();
    const reservedInSouth = Number((await h.db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('pool_id', '=', south).where('reserved_by_assignment_id', 'is not', null).executeTakeFirstOrThrow()).n);
    const held = await archive(south, { moveCustomersToPoolId: east });
    expect({ status: held.status, code: held.body.error.code }).toEqual({ status: 409, code: 'customers_reserved' });
    expect(held.body.error.message).toBe(`「华南公海」有 ${reservedInSouth} 个客户被人事预留给新员工（审批中），请等审批结束（或撤回申请）后再归档。`);
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: null }).where('id', '=', reserved).execute();

    // The only pool in use.
    await h.db.updateTable('pools').set({ archived_at: h.clock.now() }).where('id', 'in', [east, south]).execute();
    const last = await archive(company, { moveCustomersToPoolId: east });
    expect({ status: last.status, code: last.body.error.code }).toEqual({ status: 409, code: 'last_pool' });
    expect(last.body.error.message).toMatch(/「总公司公海」是本企业唯一在用的公海，不能归档；请先新建一个公海/);
    await h.db.updateTable('pools').set({ archived_at: null }).where('id', 'in', [east, south]).execute();

    expect(await count('ownership_events')).toBe(ledgerBefore);
    expect(await inSouth()).toBe(southBefore);
    expect((await adminPools()).filter((p) => p.archivedAt !== null).map((p) => p.id)).toEqual([hangzhou]);
  });
});
