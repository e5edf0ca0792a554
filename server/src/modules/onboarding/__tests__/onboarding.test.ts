import { dialects } from '../../../../test/databases';
import { insertPoolCustomer } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { replaceDepartments, upsertUsers } from '../../org/org.repository';
import { updateTenantSettings } from '../../tenants/tenant-settings.service';
import { newTenant, registerTenant } from '../../tenants/tenants.service';
import type { OnboardingStep } from '../onboarding';
import { decideOnboarding, onboardingSteps } from '../onboarding.service';

const T = 'acme';
const acme = newTenant.parse({ id: T, name: '阿克米贸易', platform: 'wecom', corpId: 'wwacme', appKey: 'wwacme', appSecret: 'acme-secret', agentId: '1000005', admins: ['boss'] });

describe.each(dialects)('开通向导 (GET /api/v1/admin/onboarding) on %s', (dialect) => {
  let h: Harness;
  let boss: string;

  beforeAll(async () => {
    // A real company's database: no demo, the tenant registered the way `npm run tenant -- add` does.
    h = await startHarness(dialect, { seed: false });
    await registerTenant(h.db, h.deps.secrets, acme, h.clock.now(), { sandbox: 'auto' });
  });
  afterAll(() => h.close());

  const steps = async (token = boss) => {
    const res = await h.request('GET', '/api/v1/admin/onboarding', { token });
    expect(res.status).toBe(200);
    return res.body.steps as OnboardingStep[];
  };
  const done = (list: OnboardingStep[]) => Object.fromEntries(list.map((s) => [s.key, s.done]));
  const step = (list: OnboardingStep[], key: string) => list.find((s) => s.key === key)!;

  it('shows a freshly registered tenant with only the registration done, each step saying what to do', async () => {
    // Nobody can log in before the org sync, so the checklist is read through the service here.
    const fresh = await onboardingSteps(h.db, T, 'Asia/Shanghai');
    expect(fresh.map((s) => s.key)).toEqual(['tenant', 'org', 'admins', 'regions', 'pools', 'customers', 'approval', 'robots']);
    expect(done(fresh)).toEqual({ tenant: true, org: false, admins: false, regions: false, pools: false, customers: false, approval: false, robots: false });
    expect(step(fresh, 'tenant')).toMatchObject({ title: '登记企业', detail: '企业微信 · CorpId wwacme · 企业编号 acme' });
    expect(step(fresh, 'org')).toMatchObject({ command: 'npm run tenant -- sync acme', page: null });
    expect(step(fresh, 'org').detail).toMatch(/^还没有同步到成员/);
    expect(step(fresh, 'pools')).toMatchObject({ page: '/pages/admin-pools/index', detail: '还没有公海：在「公海池」新建公海，选成员部门并设回收规则。' });
    expect(step(fresh, 'customers').page).toBe('/pages/admin-import/index');
    expect(step(fresh, 'regions').page).toBe('/pages/admin-org/index');
  });

  it('turns the steps done as the org is synced, a region tagged, a pool set up, customers arrive and settings are made', async () => {
    // What the org sync writes (its repository), with the admin named at registration.
    const now = h.clock.now();
    await replaceDepartments(h.db, T, [
      { id: '1', parentId: null, name: '阿克米贸易', path: '/1/' },
      { id: '2', parentId: '1', name: '华东大区', path: '/1/2/' },
      { id: '21', parentId: '2', name: '杭州一组', path: '/1/2/21/' },
    ], now);
    await upsertUsers(h.db, T, [
      { id: 'boss', name: '老板', mobile: null, title: null, managerId: null, hiredDate: null, roles: ['rep', 'admin'], departments: [{ id: '1', isLeader: true }] },
      { id: 'r1', name: '小李', mobile: null, title: null, managerId: 'boss', hiredDate: null, roles: ['rep'], departments: [{ id: '21', isLeader: false }] },
    ], now);
    boss = await h.tokenFor(T, 'boss');

    let list = await steps();
    expect(done(list)).toEqual({ tenant: true, org: true, admins: true, regions: false, pools: false, customers: false, approval: false, robots: false });
    expect(step(list, 'org').detail).toBe('3 个部门、2 名在职成员，最近更新 2026-11-27 10:00');
    expect(step(list, 'admins').detail).toBe('1 位管理员：老板');

    expect((await h.request('PUT', '/api/v1/admin/departments/2', { token: boss, body: { region: true } })).status).toBe(200);
    list = await steps();
    expect(step(list, 'regions')).toMatchObject({ done: true, detail: '1 个大区：华东大区' });

    // A pool without rules is not set up yet: nothing would ever come back to it.
    const pool = { name: '杭州公海', maxOwnedPerRep: 100, dailyClaimLimit: 10, priorOwnerCooldownDays: 30, departmentIds: ['21'], rules: [] as unknown[] };
    const created = await h.request('POST', '/api/v1/admin/pools', { token: boss, body: pool });
    expect(created.status).toBe(201);
    list = await steps();
    expect(step(list, 'pools')).toMatchObject({ done: false, detail: '0 个公海已设好；「杭州公海」缺启用的回收规则' });
    const withRule = await h.request('PUT', `/api/v1/admin/pools/${created.body.pool.id}`, { token: boss, body: { ...pool, rules: [{ kind: 'no_verified_visit', days: 15 }] } });
    expect(withRule.status).toBe(200);
    list = await steps();
    expect(step(list, 'pools')).toMatchObject({ done: true, detail: '1 个公海已设好' });

    await insertPoolCustomer(h.db, T, created.body.pool.id, { name: '西湖茶庄', lat: 30.25, lng: 120.15, now });
    list = await steps();
    expect(step(list, 'customers')).toMatchObject({ done: true, detail: '已有 1 个客户' });

    expect(step(list, 'approval')).toMatchObject({ done: false, command: 'npm run tenant -- set acme --approval-template <模板编号>' });
    expect(step(list, 'robots')).toMatchObject({ done: false, command: 'npm run tenant -- set acme --robot <群机器人 Webhook 地址>' });
    // What `npm run tenant -- set acme --approval-template tmpl-assign --robot <webhook>` does.
    await updateTenantSettings(h.db, h.deps.secrets, T, { approvalTemplateId: 'tmpl-assign', addRobots: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'] });
    list = await steps();
    expect(done(list)).toEqual({ tenant: true, org: true, admins: true, regions: true, pools: true, customers: true, approval: true, robots: true });
    expect(step(list, 'approval').detail).toBe('审批模板 tmpl-assign');
    expect(step(list, 'robots').detail).toBe('1 个群机器人接收每晚的回收汇总');
  });

  it('is for admins only', async () => {
    const res = await h.request('GET', '/api/v1/admin/onboarding', { token: await h.tokenFor(T, 'r1') });
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 403, error: { code: 'forbidden', message: '没有权限：此操作需要管理员角色。' } });
  });
});

describe('decideOnboarding', () => {
  const facts = {
    tenant: { id: 'acme', name: '阿克米贸易', platform: 'dingtalk' as const, corpId: 'dingacme', approvalTemplateId: null, poolReturnBots: 0 },
    departments: 3,
    activeUsers: 12,
    orgUpdatedAt: null,
    admins: ['甲', '乙', '丙', '丁', '戊', '己'],
    regions: [],
    pools: [
      { name: '空公海', departments: 0, enabledRules: 0 },
      { name: '无规则公海', departments: 2, enabledRules: 0 },
      { name: '好公海', departments: 1, enabledRules: 1 },
    ],
    customers: 0,
  };

  it('says what each pool lacks, shortens long name lists, and leaves out an unknown sync time', () => {
    const steps = decideOnboarding(facts, 'Asia/Shanghai');
    const byKey = Object.fromEntries(steps.map((s) => [s.key, s]));
    expect(byKey.pools).toMatchObject({ done: true, detail: '1 个公海已设好；「空公海」缺成员部门和启用的回收规则；「无规则公海」缺启用的回收规则' });
    expect(byKey.admins!.detail).toBe('6 位管理员：甲、乙、丙、丁、戊 等 6 人');
    expect(byKey.org!.detail).toBe('3 个部门、12 名在职成员');
    expect(byKey.tenant!.detail).toBe('钉钉 · CorpId dingacme · 企业编号 acme');
  });
});
