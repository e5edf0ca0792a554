import { startHarness, type Harness } from '../../../../server/test/harness';
import { apiAs } from '../../../test/api-as';
import type { Api } from '../../services/api';
import type { AdminPool } from '../../services/api-types';
import { ApiError } from '../../services/errors';
import { addCalendarDay, toCalendarBody } from '../work-calendar';
import { errorsOfRule, formChanged, newRule, poolToForm, previewHeadline, serverFieldErrors, toPoolBody, toPreviewBody, type PoolForm } from '../pool-form';

const pool: AdminPool = {
  id: 2,
  name: '华东公海',
  parentPoolId: 1,
  escalateAfterDays: 60,
  escalateToPoolId: 1,
  maxOwnedPerRep: 200,
  maxOwnedPerLevel: { B: 80, A: 50 },
  capExcludesWon: false,
  dailyClaimLimit: 20,
  priorOwnerCooldownDays: 30,
  claimRadiusM: null,
  archivedAt: null,
  departmentIds: ['2'],
  rules: [
    { id: 4, kind: 'no_verified_visit', days: 15, enabled: true, levels: [], tags: [], exemptWonCustomers: false, workingDaysOnly: false, remindDaysBefore: [3, 1], notifyManager: true, targetPoolId: null, version: 1 },
    { id: 5, kind: 'no_deal', days: 90, enabled: false, levels: ['A', 'B'], tags: ['重点'], exemptWonCustomers: true, workingDaysOnly: true, remindDaysBefore: [7], notifyManager: false, targetPoolId: 1, version: 3 },
  ],
};

describe('pool form ↔ API body', () => {
  it('loads a pool into text fields and maps it back to the same PUT body', () => {
    const f = poolToForm(pool);
    expect(f).toEqual({
      id: 2,
      name: '华东公海',
      parentPoolId: 1,
      escalate: true,
      escalateAfterDays: '60',
      escalateToPoolId: 1,
      maxOwnedPerRep: '200',
      levelCaps: [
        { level: 'A', cap: '50' },
        { level: 'B', cap: '80' },
      ],
      capExcludesWon: false,
      dailyClaimLimit: '20',
      priorOwnerCooldownDays: '30',
      claimRadiusM: '',
      rules: [
        { id: 4, version: 1, kind: 'no_verified_visit', days: '15', enabled: true, levels: '', tags: '', exemptWonCustomers: false, workingDaysOnly: false, remindDaysBefore: '3, 1', notifyManager: true, targetPoolId: null },
        { id: 5, version: 3, kind: 'no_deal', days: '90', enabled: false, levels: 'A, B', tags: '重点', exemptWonCustomers: true, workingDaysOnly: true, remindDaysBefore: '7', notifyManager: false, targetPoolId: 1 },
      ],
    });
    const { body, errors } = toPoolBody(f);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: '华东公海',
      parentPoolId: 1,
      escalateAfterDays: 60,
      escalateToPoolId: 1,
      maxOwnedPerRep: 200,
      maxOwnedPerLevel: { A: 50, B: 80 },
      capExcludesWon: false,
      dailyClaimLimit: 20,
      priorOwnerCooldownDays: 30,
      claimRadiusM: null,
      rules: pool.rules,
    });
    expect(formChanged(f, pool)).toBe(false);
  });

  it('reads lists typed with Chinese separators, sorts reminders and turns escalation off as a pair', () => {
    const f: PoolForm = { ...poolToForm(pool), escalate: false, claimRadiusM: ' 800 ', rules: [{ ...newRule(), levels: 'a，b', tags: '重点 新店', remindDaysBefore: '1、5、3' }] };
    const { body, errors } = toPoolBody(f);
    expect(errors).toEqual({});
    expect(body.escalateAfterDays).toBeNull();
    expect(body.escalateToPoolId).toBeNull();
    expect(body.claimRadiusM).toBe(800);
    expect(body.rules).toEqual([{ kind: 'no_verified_visit', days: 30, enabled: true, levels: ['A', 'B'], tags: ['重点', '新店'], exemptWonCustomers: true, workingDaysOnly: false, remindDaysBefore: [5, 3, 1], notifyManager: false, targetPoolId: null }]);
    expect(formChanged(f, pool)).toBe(true);
  });

  it('reports every bad field under the key the server would use', () => {
    const f: PoolForm = {
      ...poolToForm(pool),
      name: ' ',
      maxOwnedPerRep: '0',
      dailyClaimLimit: '2.5',
      priorOwnerCooldownDays: '',
      claimRadiusM: '5',
      escalateToPoolId: 2,
      levelCaps: [
        { level: 'a', cap: '5' },
        { level: '', cap: '' },
        { level: 'A', cap: '3' },
        { level: 'c', cap: '-1' },
        { level: '', cap: '4' },
      ],
      rules: [
        { ...newRule(), days: '0' },
        { ...newRule(), days: '10', remindDaysBefore: '3, 12' },
        { ...newRule(), remindDaysBefore: '2, 2' },
        { ...newRule(), levels: 'A, a' },
      ],
    };
    expect(toPoolBody(f).errors).toEqual({
      name: '请填写公海名称',
      maxOwnedPerRep: '每人最多持有不能小于 1',
      dailyClaimLimit: '每日领取上限必须是整数',
      priorOwnerCooldownDays: '请填写原持有人冷却天数',
      claimRadiusM: '领取距离不能小于 10',
      escalateToPoolId: '不能升级到本公海',
      'maxOwnedPerLevel.A': '等级 A 出现了两次',
      'maxOwnedPerLevel.C': 'C 级持有上限不能小于 0',
      'maxOwnedPerLevel.?': '请填写客户等级',
      'rules.0.days': '天数不能小于 1',
      'rules.1.remindDaysBefore': '提前 12 天提醒超过了规则的 10 天',
      'rules.2.remindDaysBefore': '提前提醒天数不能重复',
      'rules.3.levels': '客户等级不能重复',
    });
    expect(toPreviewBody(f).errors).toEqual({
      'rules.0.days': '天数不能小于 1',
      'rules.1.remindDaysBefore': '提前 12 天提醒超过了规则的 10 天',
      'rules.2.remindDaysBefore': '提前提醒天数不能重复',
      'rules.3.levels': '客户等级不能重复',
    });
    expect(errorsOfRule(toPoolBody(f).errors, 1)).toEqual({ remindDaysBefore: '提前 12 天提醒超过了规则的 10 天' });
  });

  it('states the dry run in one sentence', () => {
    const base = { tenantId: 't', runDate: '2026-11-27', now: '2026-11-27T02:00:00.000Z', dryRun: true, alreadyRan: false, byRegion: [], examples: [] };
    expect(previewHeadline({ ...base, reclaimed: 0, escalated: 0, byRule: [], byRep: [] })).toBe('此修改不会收回任何客户');
    expect(previewHeadline({ ...base, reclaimed: 0, escalated: 3, byRule: [], byRep: [] }, { ...base, reclaimed: 2, escalated: 3, byRule: [], byRep: [] })).toBe(
      '此修改不会收回任何客户（现有规则下 2 个）；今晚另有 3 个久无人领取的公海客户将按升级设置转到上级公海（与回收规则无关）',
    );
    expect(
      previewHeadline({
        ...base,
        reclaimed: 7,
        escalated: 2,
        byRule: [
          { ruleId: 4, kind: 'no_verified_visit', days: 10, count: 5 },
          { ruleId: 5, kind: 'no_deal', days: 60, count: 2 },
        ],
        byRep: [
          { userId: 'rep01', name: '张伟', count: 3 },
          { userId: 'rep02', name: '王芳', count: 2 },
          { userId: 'rep03', name: '李娜', count: 1 },
          { userId: 'rep04', name: '刘洋', count: 1 },
        ],
      }),
    ).toBe('此修改将收回 7 个客户：10 天无有效拜访 5 个，60 天未成交 2 个；涉及 4 名业务员（张伟 3 个、王芳 2 个、李娜 1 个 等）；今晚另有 2 个久无人领取的公海客户将按升级设置转到上级公海（与回收规则无关）');
  });
});

describe('pool form against the real server', () => {
  let h: Harness;
  let api: Api;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    api = await apiAs(h, { id: 'admin01', name: '严管', roles: ['admin'], departmentIds: ['5'] });
  });
  afterAll(() => h.close());

  const eastPool = async () => (await api.admin.pools()).items.find((p) => p.name === '华东公海')!;

  it('saves an unchanged form without changing the pool or any rule version', async () => {
    const before = await eastPool();
    const { body, errors } = toPoolBody(poolToForm(before));
    expect(errors).toEqual({});
    const { pool: after } = await api.admin.updatePool(before.id, body);
    expect(after).toEqual(before);
  });

  it('previews the form’s rules exactly as the hand-written API body does, then saves them', async () => {
    const before = await eastPool();
    const f = poolToForm(before);
    f.rules[0] = { ...f.rules[0]!, days: '10' };
    const { body, errors } = toPreviewBody(f, '2026-11-27T02:00:00+08:00');
    expect(errors).toEqual({});
    const viaForm = await api.admin.preview(before.id, body);
    const byHand = await h.request('POST', `/api/v1/admin/pools/${before.id}/preview`, {
      token: await h.tokenFor('demo-dingtalk', 'admin01'),
      body: { now: '2026-11-27T02:00:00+08:00', rules: before.rules.map((r, i) => (i === 0 ? { ...r, days: 10 } : r)) },
    });
    expect(byHand.status).toBe(200);
    expect(viaForm).toEqual(byHand.body);
    expect(viaForm.reclaimed).toBeGreaterThan(0);
    const current = await api.admin.preview(before.id, { now: '2026-11-27T02:00:00+08:00' });
    expect(previewHeadline(viaForm, current).startsWith(`此修改将收回 ${viaForm.reclaimed} 个客户（现有规则下 ${current.reclaimed} 个）：10 天无有效拜访 ${viaForm.reclaimed} 个；`)).toBe(true);

    const saved = await api.admin.updatePool(before.id, toPoolBody(f).body);
    expect(saved.pool.rules[0]).toEqual({ ...before.rules[0]!, days: 10, version: before.rules[0]!.version + 1 });
    expect((await eastPool()).rules[0]!.days).toBe(10);
  });

  it('round-trips the calendar editor’s body through PUT /api/v1/admin/calendar', async () => {
    let days = addCalendarDay([], 2027, '2027-10-01', '国庆').days;
    days = addCalendarDay(days, 2027, '2027-10-09', '国庆调休').days;
    const saved = await api.admin.setCalendar(toCalendarBody(2027, days));
    expect(saved).toEqual({ year: 2027, days });
    expect(await api.admin.calendar(2027)).toEqual({ year: 2027, days });
    expect(await api.admin.setCalendar(toCalendarBody(2027, []))).toEqual({ year: 2027, days: [] });
  });

  it('puts the server’s refusals on their fields', async () => {
    const current = await eastPool();
    const f = poolToForm(current);
    f.rules[1] = { ...f.rules[1]!, days: '0' };
    f.maxOwnedPerRep = '0';
    const bad = await api.admin.updatePool(current.id, toPoolBody(f).body).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(serverFieldErrors(bad)).toEqual({
      maxOwnedPerRep: '每人最多持有 maxOwnedPerRep不能小于 1',
      'rules.1.days': '天数 days不能小于 1；要停用规则请设 enabled: false，不要用 0 天',
      'rules.1.remindDaysBefore': '提前 3 天提醒超过了规则的 0 天，提醒天数须在 1 到 0 之间',
      _: '有 3 处填写有误，请按标红的提示修改后再保存',
    });

    // A form loaded before someone else saved: its rule version is stale.
    const stale = poolToForm(current);
    stale.rules[0] = { ...stale.rules[0]!, version: current.rules[0]!.version - 1, days: '12' };
    const conflict = await api.admin.updatePool(current.id, toPoolBody(stale).body).catch((e: unknown) => e);
    const message = `规则 ${current.rules[0]!.id} 已被修改（当前是第 ${current.rules[0]!.version} 版，你编辑的是第 ${current.rules[0]!.version - 1} 版），请刷新后重新编辑。`;
    expect(serverFieldErrors(conflict)).toEqual({ 'rules.0.version': message, _: message });
    expect(errorsOfRule(serverFieldErrors(conflict), 0)).toEqual({ version: message });
  });
});
