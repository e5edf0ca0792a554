import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { encodeGeohash } from '../../../geo/geo';
import type { AdminPool } from '../pool-admin';

const T = 'demo-dingtalk';

describe.each(dialects)('pool administration on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let rep: string;
  let company: number;
  let east: number;
  let south: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, rep] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'rep01')]);
    company = await poolIdByName(h.db, T, '总公司公海');
    east = await poolIdByName(h.db, T, '华东公海');
    south = await poolIdByName(h.db, T, '华南公海');
  });
  afterAll(() => h.close());

  async function pools(): Promise<AdminPool[]> {
    const res = await h.request('GET', '/api/v1/admin/pools', { token: admin });
    expect(res.status).toBe(200);
    return res.body.items;
  }
  const pool = async (id: number) => (await pools()).find((p) => p.id === id)!;
  const put = (id: number, body: unknown, token = admin) => h.request('PUT', `/api/v1/admin/pools/${id}`, { token, body });
  const versions = (ruleId: number) =>
    h.db.selectFrom('pool_rule_versions').select(['version', 'snapshot', 'changed_by']).where('tenant_id', '=', T).where('rule_id', '=', ruleId).orderBy('version').execute();
  const versionCount = async () => Number((await h.db.selectFrom('pool_rule_versions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it("lists the tenant's pools with their settings, member departments and rules", async () => {
    const items = await pools();
    expect(items.map((p) => p.name)).toEqual(['总公司公海', '华东公海', '华南公海']);
    const rule = { enabled: true, levels: [], tags: [], exemptWonCustomers: false, workingDaysOnly: false, remindDaysBefore: [3, 1], notifyManager: true, targetPoolId: null, version: 1 };
    expect(items[1]).toEqual({
      id: east,
      name: '华东公海',
      parentPoolId: company,
      escalateAfterDays: 60,
      escalateToPoolId: company,
      maxOwnedPerRep: 200,
      maxOwnedPerLevel: {},
      capExcludesWon: false,
      dailyClaimLimit: 20,
      priorOwnerCooldownDays: 30,
      claimRadiusM: null,
      departmentIds: ['2'],
      rules: [
        { id: expect.any(Number), kind: 'no_verified_visit', days: 15, ...rule },
        { id: expect.any(Number), kind: 'no_deal', days: 90, ...rule },
      ],
      archivedAt: null,
    });
    expect(items[0]).toMatchObject({ id: company, parentPoolId: null, escalateAfterDays: null, escalateToPoolId: null, departmentIds: ['1'] });
  });

  it('refuses the pool settings to reps and managers', async () => {
    for (const token of [rep, manager]) {
      expect((await h.request('GET', '/api/v1/admin/pools', { token })).status).toBe(403);
      const res = await put(east, await pool(east), token);
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'forbidden', message: '没有权限：此操作需要管理员角色。' });
    }
    expect((await h.request('POST', `/api/v1/admin/pools/${east}/preview`, { token: rep, body: {} })).status).toBe(403);
  });

  it('gives a changed rule version 2 with both versions recorded, and leaves an unchanged rule at version 1', async () => {
    const before = await pool(east);
    const [visit, deal] = before.rules;
    const res = await put(east, { ...before, maxOwnedPerRep: 150, rules: [{ ...visit!, days: 20 }, deal] });
    expect(res.status).toBe(200);
    expect(res.body.pool).toEqual({ ...before, maxOwnedPerRep: 150, rules: [{ ...visit!, days: 20, version: 2 }, deal] });
    expect(await pool(east)).toEqual(res.body.pool);

    const history = await versions(visit!.id);
    expect(history.map((v) => ({ version: v.version, changedBy: v.changed_by, snapshot: JSON.parse(v.snapshot) }))).toEqual([
      { version: 1, changedBy: null, snapshot: { poolId: east, ...visit } },
      { version: 2, changedBy: 'admin01', snapshot: { poolId: east, ...visit, days: 20, version: 2 } },
    ]);
    expect(await versions(deal!.id)).toEqual([]);

    // Saving the same thing again changes no version.
    const again = await put(east, res.body.pool);
    expect(again.status).toBe(200);
    expect(again.body.pool.rules.map((r: { version: number }) => r.version)).toEqual([2, 1]);
    expect(await versions(visit!.id)).toHaveLength(2);

    // Back to 15 days: a third version, the clock semantics of the seeded demo again.
    const restored = await put(east, { ...res.body.pool, maxOwnedPerRep: 200, rules: [{ ...visit!, version: 2 }, deal] });
    expect(restored.body.pool.rules).toEqual([{ ...visit!, version: 3 }, deal]);
  });

  it('adds new rules at version 1 and disables (does not delete) the rules left out', async () => {
    const before = await pool(south);
    const [visit, deal] = before.rules;
    const res = await put(south, { ...before, rules: [visit, { kind: 'no_follow_up', days: 30, remindDaysBefore: [1, 7], levels: ['A', 'B'] }] });
    expect(res.status).toBe(200);
    const rules = res.body.pool.rules;
    expect(rules).toEqual([
      visit,
      { ...deal!, enabled: false, version: 2 },
      {
        id: expect.any(Number),
        kind: 'no_follow_up',
        days: 30,
        enabled: true,
        levels: ['A', 'B'],
        tags: [],
        exemptWonCustomers: false,
        workingDaysOnly: false,
        remindDaysBefore: [7, 1],
        notifyManager: false,
        targetPoolId: null,
        version: 1,
      },
    ]);
    expect((await versions(rules[2].id)).map((v) => [v.version, v.changed_by])).toEqual([[1, 'admin01']]);
    expect((await versions(deal!.id)).map((v) => [v.version, v.changed_by, JSON.parse(v.snapshot).enabled])).toEqual([
      [1, null, true],
      [2, 'admin01', false],
    ]);
  });

  it('refuses invalid settings with Chinese messages and changes nothing', async () => {
    const before = await pools();
    const count = await versionCount();
    const e = before.find((p) => p.id === east)!;
    const [visit, deal] = e.rules;
    const wecomPool = await poolIdByName(h.db, 'demo-wecom', '华东公海');
    const cases: { body: unknown; id?: number; status: number; code: string; message: RegExp }[] = [
      { body: { ...e, rules: [{ ...visit!, days: 0 }, deal] }, status: 400, code: 'invalid_request', message: /天数 days不能小于 1；要停用规则请设 enabled: false/ },
      { body: { ...e, rules: [{ ...visit!, days: 4000 }, deal] }, status: 400, code: 'invalid_request', message: /不能大于 3650/ },
      { body: { ...e, rules: [{ ...visit!, remindDaysBefore: [20, 3] }, deal] }, status: 400, code: 'invalid_request', message: /提前 20 天提醒超过了规则的 15 天/ },
      { body: { ...e, rules: [{ ...visit!, remindDaysBefore: [3, 3] }, deal] }, status: 400, code: 'invalid_request', message: /提前提醒天数不能重复/ },
      { body: { ...e, rules: [{ ...visit!, kind: 'forever' }, deal] }, status: 400, code: 'invalid_request', message: /规则类型 kind 必须是/ },
      { body: { ...e, escalateToPoolId: null }, status: 400, code: 'invalid_request', message: /同时设置 escalateAfterDays 和 escalateToPoolId/ },
      { body: { ...e, rules: [{ ...visit!, targetPoolId: wecomPool }, deal] }, status: 422, code: 'invalid_pool_reference', message: /不存在或不属于本企业/ },
      { body: { ...e, rules: [{ ...visit!, targetPoolId: east }, deal] }, status: 422, code: 'invalid_pool_reference', message: /规则的回收目标公海不能是「华东公海」自己/ },
      { body: { ...e, escalateToPoolId: wecomPool }, status: 422, code: 'invalid_pool_reference', message: /升级目标公海（公海 \d+）不存在或不属于本企业/ },
      {
        id: company,
        body: { ...before.find((p) => p.id === company)!, escalateAfterDays: 30, escalateToPoolId: east },
        status: 422,
        code: 'escalation_cycle',
        message: /无人领取升级形成了循环：总公司公海 → 华东公海 → 总公司公海/,
      },
      { body: { ...e, rules: [{ ...visit!, id: before.find((p) => p.id === south)!.rules[0]!.id }, deal] }, status: 422, code: 'unknown_rule', message: /不属于「华东公海」；新增规则请不要带 id/ },
      { body: { ...e, name: '华南公海' }, status: 409, code: 'pool_name_taken', message: /已有名为「华南公海」的公海/ },
      { body: { ...e, departmentIds: ['2', 'no-such'] }, status: 422, code: 'unknown_department', message: /部门 no-such 不存在/ },
      { body: { ...e, rules: [{ ...visit!, days: 16, version: 1 }, deal] }, status: 409, code: 'rule_version_conflict', message: /当前是第 3 版，你编辑的是第 1 版/ },
    ];
    for (const c of cases) {
      const res = await put(c.id ?? east, c.body);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(res.body.error.message).toMatch(c.message);
    }
    expect((await put(999_999, e)).status).toBe(404);
    expect(await pools()).toEqual(before);
    expect(await versionCount()).toBe(count);
  });

  it('previews a stricter proposed rule: the exact extra customers, and nothing is written', async () => {
    const now = '2026-11-27T02:00:00+08:00';
    const at = h.clock.now();
    // Owned for 13 days without a visit: due under a 10-day rule, not under the stored 15 days.
    const row = { tenant_id: T, name: '预览测试客户', address: '上海', lat: 31.2, lng: 121.4, geohash: encodeGeohash(31.2, 121.4), level: 'Z', tags: '[]', status: 'owned' as const, pool_id: east, owner_id: 'rep01', owned_since: Date.parse('2026-11-14T10:00:00+08:00'), pool_entered_at: null, last_verified_visit_at: null, last_follow_up_at: null, last_deal_won_at: null, created_by: 'rep01', created_at: at, updated_at: at };
    const customerId = Number((await h.db.insertInto('customers').values(row).executeTakeFirstOrThrow()).insertId);
    const state = async () => ({
      owned: Number((await h.db.selectFrom('customers').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', T).where('status', '=', 'owned').executeTakeFirstOrThrow()).n),
      ledger: Number((await h.db.selectFrom('ownership_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      runs: Number((await h.db.selectFrom('reclaim_runs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      rules: await h.db.selectFrom('pool_rules').selectAll().where('tenant_id', '=', T).orderBy('id').execute(),
    });
    const before = await state();
    const preview = (body: unknown, token = admin) => h.request('POST', `/api/v1/admin/pools/${east}/preview`, { token, body });
    const [visit, deal] = (await pool(east)).rules;

    const stored = await preview({ now }, manager);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ tenantId: T, runDate: '2026-11-27', now: '2026-11-26T18:00:00.000Z', dryRun: true, alreadyRan: false });
    const stricter = await preview({ now, rules: [{ ...visit!, days: 10 }, deal] });
    expect(stricter.status).toBe(200);
    expect(stricter.body.reclaimed).toBeGreaterThan(stored.body.reclaimed);
    expect(stricter.body.byRule.find((r: { ruleId: number }) => r.ruleId === visit!.id)).toMatchObject({ kind: 'no_verified_visit', days: 10 });
    // Exactly the owned customers of the pool due under either rule at local midnight of 2026-11-27 minus the days.
    const owned = await h.db.selectFrom('customers').select(['owned_since', 'last_verified_visit_at', 'last_deal_won_at']).where('pool_id', '=', east).where('status', '=', 'owned').execute();
    const due = (visitDays: number) => {
      const before = (days: number) => Date.parse('2026-11-27T00:00:00+08:00') - days * 86_400_000;
      return owned.filter((c) => Math.max(c.owned_since!, c.last_verified_visit_at ?? 0) < before(visitDays) || Math.max(c.owned_since!, c.last_deal_won_at ?? 0) < before(90)).length;
    };
    expect(due(10)).toBeGreaterThan(due(15));
    expect({ stored: stored.body.reclaimed, stricter: stricter.body.reclaimed }).toEqual({ stored: due(15), stricter: due(10) });

    // Scoped to level Z, a new 10-day rule takes exactly the customer above, under a temporary negative id.
    const scoped = await preview({ now, rules: [{ kind: 'no_verified_visit', days: 10, levels: ['Z'] }] });
    expect(scoped.body).toMatchObject({
      reclaimed: 1,
      byRule: [{ ruleId: -1, kind: 'no_verified_visit', days: 10, count: 1 }],
      byRep: [{ userId: 'rep01', name: '张伟', count: 1 }],
      examples: [{ customerId, name: '预览测试客户', ownerId: 'rep01', ownerName: '张伟', reason: '10 天无有效拜访' }],
    });
    // An empty list previews the pool with no rules at all; 15 days (the stored rule) does not take it yet.
    expect((await preview({ now, rules: [] })).body.reclaimed).toBe(0);
    expect((await preview({ now, rules: [{ kind: 'no_verified_visit', days: 15, levels: ['Z'] }] })).body.reclaimed).toBe(0);

    expect((await preview({ now: 'yesterday' })).status).toBe(400);
    expect((await preview({ rules: [{ ...visit!, targetPoolId: east }] })).body.error.code).toBe('invalid_pool_reference');
    expect((await h.request('POST', '/api/v1/admin/pools/999999/preview', { token: admin, body: {} })).status).toBe(404);
    expect(await state()).toEqual(before);
    expect((await h.db.selectFrom('customers').select(['owner_id', 'status']).where('id', '=', customerId).executeTakeFirstOrThrow())).toEqual({ owner_id: 'rep01', status: 'owned' });
  });
});
