import fc from 'fast-check';
import { AppError } from '../../../errors';
import { DAY_MS, localDate } from '../../../time';
import {
  applyGrant,
  customerAfter,
  decideChange,
  emptyCounts,
  refusalError,
  RULES,
  type Authority,
  type ChangeRequest,
  type CustomerState,
  type Decision,
  type Grant,
  type Party,
  type Proximity,
  type RepCounts,
  type Refusal,
} from '../ownership-rules';
import type { Pool } from '../pool';

const TZ = 'Asia/Shanghai';
/** 10:00 in Shanghai. */
const NOW = Date.parse('2026-11-27T02:00:00Z');
const DAY = '2026-11-27';

const pool: Pool = {
  id: 1,
  tenantId: 't1',
  name: '华东公海',
  parentPoolId: null,
  escalateAfterDays: null,
  escalateToPoolId: null,
  maxOwnedPerRep: 5,
  maxOwnedPerLevel: { A: 2 },
  capExcludesWon: false,
  dailyClaimLimit: 3,
  priorOwnerCooldownDays: 30,
  claimRadiusM: null,
};
const companyPool: Pool = { ...pool, id: 2, name: '总公司公海', maxOwnedPerRep: 1, maxOwnedPerLevel: {} };

const free: CustomerState = {
  status: 'pool',
  ownerId: null,
  poolId: 1,
  level: 'B',
  won: false,
  reservedByAssignmentId: null,
  priorOwnerId: null,
  priorOwnerBlockedUntil: null,
};
const ownedBy = (ownerId: string, over: Partial<CustomerState> = {}): CustomerState => ({ ...free, status: 'owned', ownerId, ...over });

const rep: Party = { id: 'rep01', name: '张三', active: true, member: true };
const lisi: Party = { id: 'rep02', name: '李四', active: true, member: true };
const admin: Authority = { id: 'admin01', roles: ['admin'], inScope: false };
const manager: Authority = { id: 'mgr01', roles: ['manager'], inScope: true };

const held = (owned = 0, ownedByLevel: Record<string, number> = {}, claimsToday = 0, day = DAY): RepCounts => ({ owned, ownedByLevel, claimsToday, day });

const at = { now: NOW, timeZone: TZ };
const claim = (over: Partial<Extract<ChangeRequest, { kind: 'claim' }>> = {}): ChangeRequest => ({ kind: 'claim', rep, ...at, ...over });
const assign = (over: Partial<Extract<ChangeRequest, { kind: 'assign' }>> = {}): ChangeRequest => ({ kind: 'assign', actor: admin, to: lisi, force: false, reason: '新客户', ...at, ...over });
const hrAssign = (over: Partial<Extract<ChangeRequest, { kind: 'hr_assign' }>> = {}): ChangeRequest => ({ kind: 'hr_assign', assignmentId: 7, requestedBy: 'hr01', to: lisi, override: false, ...at, ...over });
const create = (over: Partial<Extract<ChangeRequest, { kind: 'create' }>> = {}): ChangeRequest => ({ kind: 'create', rep, admin: false, level: 'A', owned: true, ...at, ...over });

function refusal(d: Decision): Omit<Refusal, 'ok'> {
  if (d.ok) throw new Error(`expected a refusal, got a grant: ${JSON.stringify(d)}`);
  const { ok: _ok, ...rest } = d;
  return rest;
}
function granted(d: Decision): Grant {
  if (!d.ok) throw new Error(`expected a grant, got ${d.code}: ${d.message}`);
  return d;
}

describe('the rule table', () => {
  it('lists, per kind, exactly the rules DESIGN §4.1 gives it', () => {
    expect(RULES.claim).toEqual(['open', 'active', 'state', 'membership', 'reservation', 'cooldown', 'proximity', 'quota', 'cap']);
    expect(RULES.assign).toContainEqual({ rule: 'cap', unless: 'force' });
    expect(RULES.hr_assign).toContainEqual({ rule: 'cap', unless: 'override' });
    expect(RULES.create).toEqual(['open', 'membership', 'cap']);
    expect(RULES.move).toEqual(['open', 'state', 'reservation']);
    for (const kind of ['assign', 'transfer', 'hr_assign', 'create', 'release', 'reclaim', 'escalate', 'depart', 'move'] as const) {
      expect(RULES[kind]).not.toContain('quota');
      expect(RULES[kind]).not.toContain('cooldown');
    }
    for (const kind of ['reclaim', 'escalate', 'depart', 'release', 'move'] as const) expect(JSON.stringify(RULES[kind])).not.toContain('cap');
  });
});

describe('claim', () => {
  it('grants a free customer to a member under every limit, with its counts after', () => {
    const g = granted(decideChange(free, pool, held(2, { A: 1 }, 1), claim()));
    expect(g).toEqual({
      ok: true,
      type: 'claimed',
      actorId: 'rep01',
      fromUserId: null,
      toUserId: 'rep01',
      fromPoolId: 1,
      toPoolId: 1,
      level: 'B',
      won: false,
      allowReservation: null,
      reason: null,
      priorOwnerBlockedUntil: null,
      quotaDay: DAY,
      capBypass: null,
      evidence: undefined,
      countsAfter: { owned: 3, ownedByLevel: { A: 1, B: 1 }, claimsToday: 2, day: DAY },
    });
  });

  it.each([
    ['an inactive claimant', free, claim({ rep: { ...rep, active: false } }), { status: 403, code: 'user_inactive', message: '你的账号已停用（已离职或被管理员停用），不能领取客户；如有疑问请联系管理员。' }],
    ['a customer already theirs', ownedBy('rep01'), claim(), { status: 409, code: 'already_owned', message: '该客户已经是你的了，无需重复领取。' }],
    ['a customer a colleague took', ownedBy('rep09'), claim(), { status: 409, code: 'already_owned', message: '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。' }],
    ['an owned customer of a pool they cannot see', ownedBy('rep09'), claim({ rep: { ...rep, member: false } }), { status: 404, code: 'not_found', message: '客户不存在，或你无权查看。' }],
    ['a non-member', free, claim({ rep: { ...rep, member: false } }), { status: 422, code: 'not_pool_member', message: '你不是「华东公海」的成员，不能领取其中的客户；如需调整请联系管理员。', details: { poolId: 1 } }],
    ['a reserved customer', { ...free, reservedByAssignmentId: 7 }, claim(), { status: 422, code: 'reserved', message: '该客户已被人事预留给新员工（审批中），暂时不能领取。' }],
  ])('refuses %s', (_what, state, request, expected) => {
    expect(refusal(decideChange(state, pool, held(), request))).toEqual(expected);
  });

  it('refuses a missing customer or pool as not found', () => {
    expect(refusal(decideChange(null, pool, held(), claim()))).toEqual({ status: 404, code: 'not_found', message: '客户不存在，或你无权查看。' });
    expect(refusal(decideChange(free, null, held(), claim()))).toEqual({ status: 404, code: 'not_found', message: '公海不存在，或你无权查看。' });
  });

  describe('cooldown', () => {
    const until = Date.parse('2026-12-20T04:30:00Z');
    const cooling = { ...free, priorOwnerId: 'rep01', priorOwnerBlockedUntil: until };

    it('refuses the prior owner within the cooldown and says until when, in the tenant zone', () => {
      expect(refusal(decideChange(cooling, pool, held(), claim()))).toEqual({
        status: 422,
        code: 'prior_owner_cooldown',
        message: '该客户由你退回或被收回公海，冷却期 30 天，2026-12-20 12:30 之后才能再次领取。',
        details: { until: '2026-12-20T04:30:00.000Z' },
      });
      expect(refusal(decideChange(cooling, pool, held(), claim({ now: until - 1 }))).code).toBe('prior_owner_cooldown');
    });

    it('lets the prior owner claim from exactly the instant the cooldown ends', () => {
      expect(granted(decideChange(cooling, pool, held(), claim({ now: until }))).toUserId).toBe('rep01');
    });

    it('does not hold anyone else back', () => {
      expect(granted(decideChange(cooling, pool, held(), claim({ rep: lisi }))).toUserId).toBe('rep02');
    });
  });

  describe('proximity', () => {
    const gated: Pool = { ...pool, claimRadiusM: 300 };
    const measured = (distanceM: number, verdict: 'verified' | 'suspect' | 'rejected' = 'verified', reasons: { code: 'MOCK_LOCATION'; message: string }[] = []): Proximity => ({
      fix: 'measured',
      distanceM,
      verdict,
      reasons,
    });

    it.each([
      ['no fix', undefined, { status: 422, code: 'location_required', message: '「华东公海」要求在客户 300 米内领取，请开启定位后重试。' }],
      ['an explicit missing fix', { fix: 'missing' }, { status: 422, code: 'location_required', message: '「华东公海」要求在客户 300 米内领取，请开启定位后重试。' }],
      ['a coarse fix', { fix: 'inaccurate', maxAccuracyM: 200 }, { status: 422, code: 'location_required', message: '当前定位精度不足（需 200 米以内），请到开阔处重新定位后再领取。' }],
      [
        'a fix beyond the radius',
        measured(1840.4),
        { status: 422, code: 'too_far', message: '「华东公海」要求在客户 300 米内领取，你当前距离约 1,840 米，请走近后再领取。', details: { distanceM: 1840, radiusM: 300 } },
      ],
      [
        'a fix the risk engine does not call verified',
        measured(20, 'rejected', [{ code: 'MOCK_LOCATION', message: '手机报告定位来自模拟位置。' }]),
        {
          status: 422,
          code: 'location_unverified',
          message: '「华东公海」要求到客户现场领取，但这次定位未通过校验：手机报告定位来自模拟位置。',
          details: { verdict: 'rejected', reasons: ['MOCK_LOCATION'] },
        },
      ],
    ] as const)('refuses %s', (_what, proximity, expected) => {
      expect(refusal(decideChange(free, gated, held(), claim({ proximity: proximity as Proximity | undefined })))).toEqual(expected);
    });

    it('grants a verified fix on the radius and records the verdict as evidence', () => {
      const g = granted(decideChange(free, gated, held(), claim({ proximity: measured(300.4) })));
      expect(g.evidence).toEqual({ proximity: { distanceM: 300, radiusM: 300, verdict: 'verified' } });
    });

    it('ignores location in pools without a radius', () => {
      expect(granted(decideChange(free, pool, held(), claim())).evidence).toBeUndefined();
    });
  });

  describe('daily quota', () => {
    it('allows the last claim of the day and refuses the next, naming the reset at local midnight', () => {
      expect(granted(decideChange(free, pool, held(0, {}, 2), claim())).countsAfter!.claimsToday).toBe(3);
      expect(refusal(decideChange(free, pool, held(0, {}, 3), claim()))).toEqual({
        status: 422,
        code: 'daily_claim_limit_reached',
        message: '你今天在「华东公海」已领取 3 个客户，达到每日上限 3 个（退回的也计入）；2026-11-28 00:00 后可再领取。',
        details: { limit: 3, resetAt: '2026-11-27T16:00:00.000Z' },
      });
    });

    it('resets at the tenant’s local midnight, not at UTC midnight', () => {
      const full = held(0, {}, 3, '2026-11-27');
      expect(refusal(decideChange(free, pool, full, claim({ now: Date.parse('2026-11-27T15:59:59.999Z') }))).code).toBe('daily_claim_limit_reached');
      const next = granted(decideChange(free, pool, full, claim({ now: Date.parse('2026-11-27T16:00:00Z') })));
      expect(next.countsAfter).toMatchObject({ claimsToday: 1, day: '2026-11-28' });
      // The same counts in a UTC tenant: 16:00 UTC is still the 27th.
      expect(refusal(decideChange(free, pool, full, claim({ now: Date.parse('2026-11-27T16:00:00Z'), timeZone: 'UTC' })))).toEqual({
        status: 422,
        code: 'daily_claim_limit_reached',
        message: '你今天在「华东公海」已领取 3 个客户，达到每日上限 3 个（退回的也计入）；2026-11-28 00:00 后可再领取。',
        details: { limit: 3, resetAt: '2026-11-28T00:00:00.000Z' },
      });
    });

    it('refuses every claim in a pool with a daily limit of 0', () => {
      expect(refusal(decideChange(free, { ...pool, dailyClaimLimit: 0 }, held(), claim())).message).toContain('已领取 0 个客户，达到每日上限 0 个');
    });

    it('is checked before the cap', () => {
      expect(refusal(decideChange(free, pool, held(5, {}, 3), claim())).code).toBe('daily_claim_limit_reached');
    });
  });

  describe('cap', () => {
    const levelA = { ...free, level: 'A' };

    it('allows at cap − 1 and refuses at the cap, in total', () => {
      expect(granted(decideChange(free, pool, held(4), claim())).countsAfter!.owned).toBe(5);
      expect(refusal(decideChange(free, pool, held(5), claim()))).toEqual({
        status: 422,
        code: 'owned_limit_reached',
        message: '你在「华东公海」已持有 5 个客户，达到上限 5 个；请先跟进成交或退回部分客户后再领取。',
        details: { limit: 5, owned: 5 },
      });
    });

    it('allows at the level cap − 1 and refuses at the level cap', () => {
      expect(granted(decideChange(levelA, pool, held(1, { A: 1 }), claim())).countsAfter!.ownedByLevel).toEqual({ A: 2 });
      expect(refusal(decideChange(levelA, pool, held(2, { A: 2 }), claim()))).toEqual({
        status: 422,
        code: 'owned_limit_reached',
        message: '你在「华东公海」已持有 2 个 A 级客户，达到该级别上限 2 个。',
        details: { limit: 2, owned: 2, level: 'A' },
      });
    });

    it('caps only the levels the pool caps', () => {
      expect(granted(decideChange(free, pool, held(4, { B: 4 }), claim())).countsAfter!.ownedByLevel).toEqual({ B: 5 });
    });

    it('names the total cap when both are reached', () => {
      expect(refusal(decideChange(levelA, pool, held(5, { A: 2 }), claim())).details).toEqual({ limit: 5, owned: 5 });
    });

    it('leaves won customers out when the pool says so, and counts them otherwise', () => {
      const excluding = { ...pool, capExcludesWon: true };
      const won = { ...levelA, won: true };
      const g = granted(decideChange(won, excluding, held(5, { A: 2 }), claim()));
      expect(g.countsAfter).toEqual({ owned: 5, ownedByLevel: { A: 2 }, claimsToday: 1, day: DAY });
      expect(g.capBypass).toBeNull();
      expect(refusal(decideChange(won, pool, held(5, { A: 2 }), claim())).code).toBe('owned_limit_reached');
    });
  });
});

describe('release', () => {
  const release = (over: Partial<Extract<ChangeRequest, { kind: 'release' }>> = {}): ChangeRequest => ({ kind: 'release', actorId: 'rep01', reason: '客户无需求', ...at, ...over });

  it.each([
    ['without a reason', release({ reason: undefined }), { status: 422, code: 'reason_required', message: '退回公海需要填写原因（例如：客户无需求、联系不上）。' }],
    ['with a blank reason', release({ reason: '  ' }), { status: 422, code: 'reason_required', message: '退回公海需要填写原因（例如：客户无需求、联系不上）。' }],
    ['by someone not the owner', release({ actorId: 'rep02' }), { status: 403, code: 'not_owner', message: '只有该客户的负责人才能退回它。' }],
  ])('refuses a release %s', (_what, request, expected) => {
    expect(refusal(decideChange(ownedBy('rep01'), pool, emptyCounts(DAY), request))).toEqual(expected);
  });

  it('puts the customer back with the cooldown from now, keeping the reservation it may consume', () => {
    const g = granted(decideChange(ownedBy('rep01', { reservedByAssignmentId: 3 }), pool, emptyCounts(DAY), release({ note: '已转竞品' })));
    expect(g).toMatchObject({
      type: 'released',
      actorId: 'rep01',
      fromUserId: 'rep01',
      toUserId: null,
      allowReservation: 3,
      reason: '客户无需求：已转竞品',
      priorOwnerBlockedUntil: NOW + 30 * DAY_MS,
      capBypass: null,
      countsAfter: null,
    });
    // The releaser holds one less; the day's claims stay counted.
    expect(applyGrant(held(3, { B: 2 }, 2), g, 'rep01', pool)).toEqual(held(2, { B: 1 }, 2));
    expect(customerAfter(ownedBy('rep01'), g)).toEqual({ ...free, priorOwnerId: 'rep01', priorOwnerBlockedUntil: NOW + 30 * DAY_MS });
  });
});

describe('assign and transfer', () => {
  it.each([
    ['by a rep', assign({ actor: { id: 'rep05', roles: ['rep'], inScope: true } }), { status: 403, code: 'forbidden', message: '只有经理、人事或管理员可以分配客户。' }],
    ['by a manager to someone outside their departments', assign({ actor: { ...manager, inScope: false } }), { status: 403, code: 'forbidden', message: '李四 不在你管理的部门内，不能分配给他/她。' }],
    ['to a user who left', assign({ to: { ...lisi, active: false } }), { status: 422, code: 'assignee_inactive', message: '李四 已离职或被停用，不能分配客户给他/她。' }],
    ['to a non-member', assign({ to: { ...lisi, member: false } }), { status: 422, code: 'not_pool_member', message: '李四 不是「华东公海」的成员；如确需分配，请勾选强制分配。' }],
  ])('refuses an assignment %s', (_what, request, expected) => {
    expect(refusal(decideChange(free, pool, held(), request))).toEqual(expected);
  });

  it('refuses giving a customer to its owner, or a reserved one', () => {
    expect(refusal(decideChange(ownedBy('rep02'), pool, held(), assign()))).toEqual({ status: 409, code: 'already_owned', message: '该客户已经属于 李四。' });
    expect(refusal(decideChange({ ...free, reservedByAssignmentId: 7 }, pool, held(), assign({ force: true })))).toEqual({
      status: 422,
      code: 'reserved',
      message: '该客户已被人事预留给新员工（审批中），暂时不能领取。',
    });
  });

  it('lets HR and admins act outside any scope', () => {
    expect(granted(decideChange(free, pool, held(), assign({ actor: { id: 'hr01', roles: ['hr'], inScope: false } }))).actorId).toBe('hr01');
    expect(granted(decideChange(free, pool, held(), assign({ actor: manager }))).actorId).toBe('mgr01');
  });

  it('respects the cap, naming the assignee, unless forced — and records the force', () => {
    expect(refusal(decideChange({ ...free, level: 'A' }, pool, held(2, { A: 2 }), assign()))).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '李四 在「华东公海」已持有 2 个 A 级客户，达到该级别上限 2 个；如确需分配，请勾选强制分配。',
      details: { limit: 2, owned: 2, level: 'A' },
    });
    const g = granted(decideChange(free, pool, held(5), assign({ force: true })));
    expect(g).toMatchObject({ type: 'assigned', toUserId: 'rep02', capBypass: 'force', evidence: { force: true }, reason: '新客户' });
    expect(g.countsAfter!.owned).toBe(6);
  });

  it('lets force bypass membership too', () => {
    expect(granted(decideChange(free, pool, held(), assign({ to: { ...lisi, member: false }, force: true }))).evidence).toEqual({ force: true });
  });

  it('bypasses the daily quota and the cooldown, and does not count as a claim', () => {
    const cooling = { ...free, priorOwnerId: 'rep02', priorOwnerBlockedUntil: NOW + DAY_MS };
    const g = granted(decideChange(cooling, pool, held(0, {}, 99), assign()));
    expect(g).toMatchObject({ type: 'assigned', quotaDay: null, capBypass: null, evidence: undefined });
    expect(g.countsAfter).toEqual({ owned: 1, ownedByLevel: { B: 1 }, claimsToday: 99, day: DAY });
  });

  it('records a change of owner as a transfer', () => {
    const g = granted(decideChange(ownedBy('rep01'), pool, held(), assign()));
    expect(g).toMatchObject({ type: 'transferred', fromUserId: 'rep01', toUserId: 'rep02' });
    expect(applyGrant(held(1, { B: 1 }), g, 'rep01', pool)).toEqual(held(0, { B: 0 }));
  });

  describe('transfer', () => {
    const transfer = (over: Partial<Extract<ChangeRequest, { kind: 'transfer' }>> = {}): ChangeRequest => ({ kind: 'transfer', actor: admin, to: lisi, force: false, reason: '调岗', ...at, ...over });

    it('is for managers and admins only', () => {
      expect(refusal(decideChange(ownedBy('rep01'), pool, held(), transfer({ actor: { id: 'hr01', roles: ['hr'], inScope: true } })))).toEqual({
        status: 403,
        code: 'forbidden',
        message: '只有经理或管理员可以转交客户。',
      });
      expect(refusal(decideChange(ownedBy('rep01'), pool, held(), transfer({ actor: { ...manager, inScope: false }, to: null })))).toEqual({
        status: 403,
        code: 'forbidden',
        message: '该客户的负责人不在你管理的部门内，不能转交。',
      });
    });

    it('moves an owned customer back to a pool, without a cooldown', () => {
      const g = granted(decideChange(ownedBy('rep01'), pool, emptyCounts(DAY), transfer({ to: null, toPool: companyPool })));
      expect(g).toMatchObject({ type: 'transferred', fromUserId: 'rep01', toUserId: null, fromPoolId: 1, toPoolId: 2, priorOwnerBlockedUntil: null, countsAfter: null });
      expect(refusal(decideChange(free, pool, emptyCounts(DAY), transfer({ to: null }))).code).toBe('not_owner');
    });

    it('checks membership and the cap of the pool the customer goes to', () => {
      expect(refusal(decideChange(ownedBy('rep01'), pool, held(1), transfer({ toPool: companyPool })))).toEqual({
        status: 422,
        code: 'owned_limit_reached',
        message: '李四 在「总公司公海」已持有 1 个客户，达到上限 1 个；如确需转交，请勾选强制转交。',
        details: { limit: 1, owned: 1 },
      });
      expect(refusal(decideChange(ownedBy('rep01'), pool, held(), transfer({ to: { ...lisi, member: false }, toPool: companyPool }))).message).toBe(
        '李四 不是「总公司公海」的成员；如确需转交，请勾选强制转交。',
      );
    });
  });
});

describe('restore (an appeal against a reclaim accepted)', () => {
  /** Reclaimed from rep01 an hour ago: back in the pool, with the 30-day cooldown the reclaim set. */
  const reclaimed = { ...free, priorOwnerId: 'rep01', priorOwnerBlockedUntil: NOW + 30 * DAY_MS - 3_600_000 };
  const restore = (over: Partial<Extract<ChangeRequest, { kind: 'restore' }>> = {}): ChangeRequest => ({ kind: 'restore', actor: manager, to: rep, force: false, reason: '申诉通过', ...at, ...over });

  it('gives the customer back to the rep despite the cooldown the reclaim set, with its own ledger type', () => {
    expect(RULES.restore).not.toContain('cooldown');
    const g = granted(decideChange(reclaimed, pool, held(2), restore()));
    expect(g).toMatchObject({ type: 'appeal_restored', actorId: 'mgr01', fromUserId: null, toUserId: 'rep01', toPoolId: 1, reason: '申诉通过', capBypass: null, evidence: undefined });
    expect(g.countsAfter).toEqual(held(3, { B: 1 }));
  });

  it('respects the cap unless the manager forces, and then says so', () => {
    expect(refusal(decideChange(reclaimed, pool, held(5), restore()))).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '张三 在「华东公海」已持有 5 个客户，达到上限 5 个；如确需退回，请勾选强制退回。',
      details: { limit: 5, owned: 5 },
    });
    expect(granted(decideChange(reclaimed, pool, held(5), restore({ force: true })))).toMatchObject({ capBypass: 'force', evidence: { force: true } });
  });

  it('refuses a customer someone else took meanwhile, a reserved one, a rep outside the scope and a caller who is not a manager', () => {
    expect(refusal(decideChange(ownedBy('rep02'), pool, held(), restore()))).toEqual({
      status: 409,
      code: 'already_owned',
      message: '该客户在申诉期间已被其他同事领取或分配，不能再退回给 张三；可以驳回申诉，或请现负责人转交。',
    });
    expect(refusal(decideChange({ ...reclaimed, reservedByAssignmentId: 7 }, pool, held(), restore())).code).toBe('reserved');
    expect(refusal(decideChange(reclaimed, pool, held(), restore({ actor: { ...manager, inScope: false } })))).toEqual({
      status: 403,
      code: 'forbidden',
      message: '张三 不在你管理的部门内，不能退回给他/她。',
    });
    expect(refusal(decideChange(reclaimed, pool, held(), restore({ actor: { id: 'hr01', roles: ['hr'], inScope: true } })))).toEqual({
      status: 403,
      code: 'forbidden',
      message: '只有经理或管理员可以处理申诉。',
    });
    expect(refusal(decideChange(reclaimed, pool, held(), restore({ to: { ...rep, active: false } }))).code).toBe('assignee_inactive');
    // Its pool archived meanwhile (the archive moves it on): not even forced.
    expect(refusal(decideChange(reclaimed, { ...pool, archived: true }, held(), restore({ force: true }))).code).toBe('pool_archived');
  });
});

describe('HR assignment', () => {
  it('takes a customer reserved by this assignment, or not reserved at all', () => {
    const g = granted(decideChange({ ...free, reservedByAssignmentId: 7 }, pool, held(), hrAssign({ reason: '审批单 A1 通过：入职' })));
    expect(g).toMatchObject({ type: 'assigned', actorId: 'hr01', toUserId: 'rep02', allowReservation: 7, reason: '审批单 A1 通过：入职', evidence: undefined });
    expect(granted(decideChange(free, pool, held(), hrAssign())).toUserId).toBe('rep02');
  });

  it.each([
    ['reserved by another assignment', { ...free, reservedByAssignmentId: 8 }, hrAssign(), { status: 422, code: 'reserved', message: '该客户已被另一个分配申请（#8）预留，审批中。' }],
    ['owned meanwhile', ownedBy('rep09'), hrAssign(), { status: 409, code: 'already_owned', message: '该客户已不在公海中（预留释放后被领取或分配），未分配给新员工。' }],
    ['to a hire who left', free, hrAssign({ to: { ...lisi, active: false } }), { status: 422, code: 'assignee_inactive', message: '李四 已离职或被停用，不能分配客户给他/她。' }],
  ])('refuses a customer %s', (_what, state, request, expected) => {
    expect(refusal(decideChange(state, pool, held(), request))).toEqual(expected);
  });

  it('respects the cap unless HR asked for the onboarding override, which the evidence records', () => {
    expect(refusal(decideChange(free, pool, held(5), hrAssign()))).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '李四 在「华东公海」已持有 5 个客户，达到上限 5 个；如需超出上限，请在申请时选择入职特批。',
      details: { limit: 5, owned: 5 },
    });
    const g = granted(decideChange(free, pool, held(5), hrAssign({ override: true })));
    expect(g).toMatchObject({ capBypass: 'override', evidence: { capOverride: true } });
    expect(g.countsAfter!.owned).toBe(6);
  });

  it('ignores the quota and membership (checked when the customers were reserved)', () => {
    expect(granted(decideChange(free, pool, held(0, {}, 99), hrAssign({ to: { ...lisi, member: false } }))).countsAfter!.claimsToday).toBe(99);
  });
});

describe('creation', () => {
  it('gives the creator a new customer under both caps, without counting a claim', () => {
    const g = granted(decideChange(null, pool, held(1, { A: 1 }, 3), create()));
    expect(g).toMatchObject({ type: 'created', actorId: 'rep01', fromUserId: null, toUserId: 'rep01', fromPoolId: 1, toPoolId: 1, level: 'A', quotaDay: null });
    expect(g.countsAfter).toEqual({ owned: 2, ownedByLevel: { A: 2 }, claimsToday: 3, day: DAY });
    expect(customerAfter(null, g)).toEqual({ ...free, status: 'owned', ownerId: 'rep01', level: 'A' });
  });

  it('refuses at the total cap with today’s message', () => {
    expect(refusal(decideChange(null, pool, held(5), create({ level: 'B' })))).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '你在「华东公海」已持有 5 个客户，达到上限 5 个；新客户可放入公海，或先退回部分客户。',
      details: { limit: 5, owned: 5 },
    });
  });

  it('refuses at the per-level cap, as a claim would (it used not to)', () => {
    expect(refusal(decideChange(null, pool, held(2, { A: 2 }), create()))).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '你在「华东公海」已持有 2 个 A 级客户，达到该级别上限 2 个；新客户可放入公海，或先退回部分 A 级客户。',
      details: { limit: 2, owned: 2, level: 'A' },
    });
  });

  it('puts customers in a pool without any cap', () => {
    expect(granted(decideChange(null, pool, held(5, { A: 2 }), create({ owned: false }))).countsAfter).toBeNull();
  });

  it('refuses a creator with no pool, or one putting a customer in a pool they are not a member of (admins may)', () => {
    expect(refusal(decideChange(null, null, held(), create()))).toEqual({ status: 422, code: 'not_pool_member', message: '你不属于任何公海，不能新建客户；请联系管理员。' });
    const outsider = { ...rep, member: false };
    expect(refusal(decideChange(null, pool, held(), create({ owned: false, rep: outsider })))).toEqual({ status: 422, code: 'not_pool_member', message: '你不是该公海的成员，不能把客户放入其中。' });
    expect(granted(decideChange(null, pool, held(), create({ owned: false, rep: outsider, admin: true }))).toUserId).toBeNull();
  });
});

describe('an archived pool', () => {
  const archived: Pool = { ...pool, archived: true };
  const closed = { status: 409, code: 'pool_archived', message: '公海「华东公海」已归档，不能再放入客户；请选择一个在用的公海。' };

  it('takes no customer by claim, creation (not even an admin’s), assignment, HR assignment, transfer or move', () => {
    expect(refusal(decideChange(free, archived, held(), claim()))).toEqual(closed);
    expect(refusal(decideChange(null, archived, held(), create({ owned: false, admin: true })))).toEqual(closed);
    expect(refusal(decideChange(free, archived, held(), assign({ force: true })))).toEqual(closed);
    expect(refusal(decideChange({ ...free, reservedByAssignmentId: 7 }, archived, held(), hrAssign({ override: true })))).toEqual(closed);
    expect(refusal(decideChange(ownedBy('rep01'), pool, held(), { kind: 'transfer', actor: admin, to: null, toPool: archived, force: true, ...at }))).toEqual(closed);
    expect(refusal(decideChange(ownedBy('rep01'), companyPool, emptyCounts(DAY), { kind: 'move', toPool: archived, ...at } as ChangeRequest))).toEqual(closed);
  });

  it('still lets its customers leave: a transfer out of it, a departure, a reclaim', () => {
    expect(granted(decideChange(ownedBy('rep01'), archived, held(), { kind: 'transfer', actor: admin, to: null, toPool: pool, force: true, ...at })).toPoolId).toBe(1);
    expect(granted(decideChange(ownedBy('rep01'), archived, emptyCounts(DAY), { kind: 'reclaim', ...at })).toUserId).toBeNull();
  });

  it('is in use when the flag is absent or false', () => {
    expect(granted(decideChange(free, { ...pool, archived: false }, held(), claim())).toUserId).toBe('rep01');
  });
});

describe('system changes', () => {
  it('reclaims an owned customer to the rule’s pool with the cooldown, whatever the counts', () => {
    const g = granted(decideChange(ownedBy('rep01'), pool, emptyCounts(DAY), { kind: 'reclaim', toPoolId: 2, reason: '15 天无有效拜访', ...at }));
    expect(g).toMatchObject({ type: 'reclaimed', actorId: null, fromUserId: 'rep01', toUserId: null, fromPoolId: 1, toPoolId: 2, priorOwnerBlockedUntil: NOW + 30 * DAY_MS, reason: '15 天无有效拜访' });
    expect(granted(decideChange(ownedBy('rep01'), pool, emptyCounts(DAY), { kind: 'reclaim', ...at })).toPoolId).toBe(1);
    expect(refusal(decideChange(free, pool, emptyCounts(DAY), { kind: 'reclaim', ...at })).code).toBe('not_owner');
  });

  it('escalates an unreserved pool customer to the next pool', () => {
    const chained = { ...pool, escalateAfterDays: 30, escalateToPoolId: 2 };
    expect(granted(decideChange(free, chained, emptyCounts(DAY), { kind: 'escalate', ...at }))).toMatchObject({ type: 'escalated', fromUserId: null, toUserId: null, toPoolId: 2, priorOwnerBlockedUntil: null });
    expect(refusal(decideChange(ownedBy('rep01'), chained, emptyCounts(DAY), { kind: 'escalate', ...at })).code).toBe('not_in_pool');
    expect(refusal(decideChange({ ...free, reservedByAssignmentId: 7 }, chained, emptyCounts(DAY), { kind: 'escalate', ...at })).code).toBe('reserved');
    expect(refusal(decideChange(free, pool, emptyCounts(DAY), { kind: 'escalate', ...at }))).toEqual({ status: 409, code: 'not_in_pool', message: '「华东公海」没有设置升级去向，客户留在原公海。' });
  });

  describe('departure', () => {
    const depart = (toManager: Party | null): ChangeRequest => ({ kind: 'depart', leaverId: 'rep01', toManager, ...at });
    const boss: Party = { id: 'mgr01', name: '王经理', active: true, member: false };

    it('returns the leaver’s customers to the pool, without a cooldown', () => {
      expect(granted(decideChange(ownedBy('rep01'), pool, emptyCounts(DAY), depart(null)))).toMatchObject({
        type: 'left_with_employee',
        actorId: null,
        fromUserId: 'rep01',
        toUserId: null,
        reason: '员工离职，客户退回公海',
        priorOwnerBlockedUntil: null,
        capBypass: null,
      });
    });

    it('gives them to an active manager whatever the cap, and says the cap was bypassed', () => {
      const g = granted(decideChange(ownedBy('rep01'), pool, held(5), depart(boss)));
      expect(g).toMatchObject({ toUserId: 'mgr01', reason: '员工离职，客户转交其上级', capBypass: 'departure' });
      expect(g.countsAfter!.owned).toBe(6);
      expect(granted(decideChange(ownedBy('rep01'), pool, held(5), depart({ ...boss, active: false }))).toUserId).toBeNull();
    });

    it('leaves customers not the leaver’s, or reserved by an assignment in flight', () => {
      expect(refusal(decideChange(ownedBy('rep02'), pool, emptyCounts(DAY), depart(null))).code).toBe('not_owner');
      expect(refusal(decideChange(ownedBy('rep01', { reservedByAssignmentId: 7 }), pool, emptyCounts(DAY), depart(null))).code).toBe('reserved');
    });
  });
});

describe('move (its pool archived)', () => {
  const move = (over: Partial<Extract<ChangeRequest, { kind: 'move' }>> = {}): ChangeRequest => ({ kind: 'move', actorId: 'admin01', toPool: companyPool, reason: '公海「华东公海」归档', ...at, ...over });

  it('moves a pool customer to the other pool, its prior owner and cooldown kept', () => {
    const state: CustomerState = { ...free, priorOwnerId: 'rep02', priorOwnerBlockedUntil: NOW + DAY_MS };
    const g = granted(decideChange(state, pool, emptyCounts(DAY), move()));
    expect(g).toMatchObject({ type: 'moved', actorId: 'admin01', fromUserId: null, toUserId: null, fromPoolId: 1, toPoolId: 2, reason: '公海「华东公海」归档', priorOwnerBlockedUntil: null, capBypass: null, countsAfter: null });
    expect(customerAfter(state, g)).toEqual({ ...state, poolId: 2 });
  });

  it('leaves an owned customer with its owner whatever the other pool’s cap, and says the cap was bypassed', () => {
    // 总公司公海 caps at 1, and rep01 already holds 1 there.
    const g = granted(decideChange(ownedBy('rep01'), pool, held(1), move()));
    expect(g).toMatchObject({ type: 'moved', fromUserId: 'rep01', toUserId: 'rep01', fromPoolId: 1, toPoolId: 2, capBypass: 'move', quotaDay: null });
    expect(g.countsAfter).toEqual(held(2, { B: 1 }));
    expect(customerAfter(ownedBy('rep01'), g)).toEqual({ ...ownedBy('rep01'), poolId: 2 });
    // A won customer takes no room in a pool whose cap leaves won ones out: nothing bypassed.
    expect(granted(decideChange(ownedBy('rep01', { won: true }), pool, held(1), move({ toPool: { ...companyPool, capExcludesWon: true } }))).capBypass).toBeNull();
  });

  it('refuses a reserved customer, one already in the target pool, and a missing one', () => {
    expect(refusal(decideChange({ ...free, reservedByAssignmentId: 7 }, pool, emptyCounts(DAY), move()))).toEqual({
      status: 422,
      code: 'reserved',
      message: '该客户已被人事预留给新员工（审批中），请等审批结束后再移动它所在的公海。',
    });
    expect(refusal(decideChange({ ...free, poolId: 2 }, companyPool, emptyCounts(DAY), move()))).toEqual({ status: 409, code: 'not_in_pool', message: '该客户已在「总公司公海」中，无需移动。' });
    expect(refusal(decideChange(null, pool, emptyCounts(DAY), move())).code).toBe('not_found');
  });
});

describe('refusalError', () => {
  it('is the AppError the services throw, details merged', () => {
    const e = refusalError(refusal(decideChange(free, pool, held(5), claim())) as Refusal);
    expect(e).toBeInstanceOf(AppError);
    expect({ status: e.status, code: e.code, message: e.message, details: e.details }).toEqual({
      status: 422,
      code: 'owned_limit_reached',
      message: '你在「华东公海」已持有 5 个客户，达到上限 5 个；请先跟进成交或退回部分客户后再领取。',
      details: { limit: 5, owned: 5 },
    });
    const missing = refusalError(refusal(decideChange(null, pool, held(), claim())) as Refusal);
    expect({ status: missing.status, code: missing.code, message: missing.message, details: missing.details }).toEqual({
      status: 404,
      code: 'not_found',
      message: '客户不存在，或你无权查看。',
      details: {},
    });
  });
});

describe('a sequence of decisions', () => {
  const REPS = ['r1', 'r2', 'r3'];
  const LEVELS = ['A', 'B', 'C'];
  // Claims and releases weigh more: they are what happens most, and what the quota and cooldown are about.
  const kinds = ['claim', 'claim', 'claim', 'release', 'release', 'assign', 'transfer', 'hr_assign', 'create', 'reclaim', 'escalate', 'depart', 'move'] as const;
  /** Mostly true: a world where every rep has left or is in no pool refuses everything and proves little. */
  const mostly = fc.constantFrom(true, true, true, false);

  const poolArb = (id: number) =>
    fc.record({
      maxOwnedPerRep: fc.integer({ min: 0, max: 4 }),
      maxOwnedPerLevel: fc.dictionary(fc.constantFrom('A', 'B'), fc.integer({ min: 0, max: 3 })),
      capExcludesWon: fc.boolean(),
      dailyClaimLimit: fc.integer({ min: 0, max: 3 }),
      priorOwnerCooldownDays: fc.integer({ min: 0, max: 2 }),
      claimRadiusM: fc.constantFrom(null, null, null, 200),
    }).map((s): Pool => ({ ...pool, ...s, id, name: `公海${id}`, escalateAfterDays: id === 1 ? 10 : null, escalateToPoolId: id === 1 ? 2 : null }));

  const proximityArb: fc.Arbitrary<Proximity> = fc.oneof(
    { arbitrary: fc.constant({ fix: 'missing' as const }), weight: 1 },
    { arbitrary: fc.constant({ fix: 'inaccurate' as const, maxAccuracyM: 200 }), weight: 1 },
    {
      arbitrary: fc.record({ fix: fc.constant('measured' as const), distanceM: fc.integer({ min: 0, max: 400 }), verdict: fc.constantFrom('verified' as const, 'verified' as const, 'suspect' as const), reasons: fc.constant([]) }),
      weight: 4,
    },
  );

  const stepArb = fc.record({
    kind: fc.constantFrom(...kinds),
    customer: fc.nat(7),
    rep: fc.nat(2),
    other: fc.nat(2),
    flag: fc.boolean(),
    flag2: fc.boolean(),
    poolIndex: fc.nat(1),
    level: fc.constantFrom(...LEVELS),
    assignmentId: fc.constantFrom(1, 2),
    proximity: proximityArb,
    advanceMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
  });

  const worldArb = fc.record({
    pools: fc.tuple(poolArb(1), poolArb(2)),
    members: fc.array(fc.tuple(mostly, mostly), { minLength: 3, maxLength: 3 }),
    active: fc.array(mostly, { minLength: 3, maxLength: 3 }),
    customers: fc.array(
      fc.record({ level: fc.constantFrom(...LEVELS), won: fc.boolean(), poolIndex: fc.nat(1), reserved: fc.constantFrom(null, null, null, 1, 2) }),
      { minLength: 4, maxLength: 8 },
    ),
    steps: fc.array(stepArb, { minLength: 10, maxLength: 60 }),
  });

  const deepFreeze = <T>(value: T): T => {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
  };

  it('never lets counts pass a cap or the quota except through a bypass, and keeps them equal to a recount', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const pools = new Map(world.pools.map((p) => [p.id, deepFreeze(p)]));
        const customers: CustomerState[] = world.customers.map((c) => ({ ...free, level: c.level, won: c.won, poolId: c.poolIndex + 1, reservedByAssignmentId: c.reserved }));
        const party = (i: number, poolId: number): Party => ({ id: REPS[i]!, name: `员工${i}`, active: world.active[i]!, member: world.members[i]![poolId - 1]! });
        const key = (userId: string, poolId: number) => `${userId}/${poolId}`;
        let now = NOW;
        const book = new Map<string, RepCounts>();
        const countsOf = (userId: string, poolId: number) => book.get(key(userId, poolId)) ?? emptyCounts(localDate(now, TZ));
        const claimsPerDay = new Map<string, number>();

        for (const step of world.steps) {
          now += step.advanceMs;
          const index = step.customer % customers.length;
          const state = step.kind === 'create' ? null : customers[index]!;
          const ownPool = pools.get(step.kind === 'create' ? step.poolIndex + 1 : state!.poolId)!;
          const otherPool = pools.get(ownPool.id === 1 ? 2 : 1)!;
          const actor: Authority = step.flag2 ? { id: 'boss', roles: ['manager'], inScope: step.flag } : { id: 'boss', roles: ['admin'], inScope: false };
          const base = { now, timeZone: TZ };
          let request: ChangeRequest;
          let dest = ownPool;
          switch (step.kind) {
            case 'claim':
              request = { kind: 'claim', rep: party(step.rep, ownPool.id), proximity: step.proximity, ...base };
              break;
            case 'release':
              request = { kind: 'release', actorId: step.flag ? (state!.ownerId ?? REPS[step.rep]!) : REPS[step.rep]!, reason: step.flag2 && step.other === 0 ? ' ' : '无需求', ...base };
              break;
            case 'assign':
              request = { kind: 'assign', actor, to: party(step.rep, ownPool.id), force: step.flag && step.flag2, ...base };
              break;
            case 'transfer':
              dest = step.flag ? otherPool : ownPool;
              request = { kind: 'transfer', actor, to: step.flag2 ? party(step.rep, dest.id) : null, toPool: dest, force: step.other === 0, ...base };
              break;
            case 'hr_assign':
              request = { kind: 'hr_assign', assignmentId: step.assignmentId, requestedBy: 'hr', to: party(step.rep, ownPool.id), override: step.flag, ...base };
              break;
            case 'create':
              request = { kind: 'create', rep: party(step.rep, ownPool.id), admin: step.flag2, level: step.level, owned: step.flag, ...base };
              break;
            case 'reclaim':
              request = { kind: 'reclaim', toPoolId: step.flag ? otherPool.id : undefined, ...base };
              break;
            case 'escalate':
              request = { kind: 'escalate', ...base };
              break;
            case 'depart':
              request = { kind: 'depart', leaverId: step.flag ? (state!.ownerId ?? REPS[step.rep]!) : REPS[step.rep]!, toManager: step.flag2 ? party(step.other, ownPool.id) : null, ...base };
              break;
            case 'move':
              dest = otherPool;
              request = { kind: 'move', actorId: 'boss', toPool: dest, ...base };
              break;
          }
          const receiver = (() => {
            switch (request.kind) {
              case 'claim':
              case 'create':
                return request.kind === 'create' && !request.owned ? null : request.rep.id;
              case 'assign':
              case 'hr_assign':
                return request.to.id;
              case 'transfer':
                return request.to?.id ?? null;
              case 'depart':
                return request.toManager?.active ? request.toManager.id : null;
              case 'move':
                return state!.ownerId;
              default:
                return null;
            }
          })();
          const counts = receiver === null ? emptyCounts(localDate(now, TZ)) : countsOf(receiver, dest.id);
          const before = JSON.stringify({ customers, book: [...book] });
          const decision = decideChange(deepFreeze(state && { ...state }), ownPool, deepFreeze({ ...counts }), deepFreeze(request));
          if (!decision.ok) {
            // A refusal changes nothing: the inputs are frozen, and nothing here is applied.
            expect(JSON.stringify({ customers, book: [...book] })).toBe(before);
            expect(decision.message).toMatch(/[\u4e00-\u9fff]/);
            continue;
          }
          // Every rep's counts in every pool, kept with applyGrant.
          for (const userId of REPS.concat('boss')) {
            for (const p of pools.values()) {
              const k = key(userId, p.id);
              const next = applyGrant(countsOf(userId, p.id), decision, userId, p);
              if (next !== countsOf(userId, p.id)) book.set(k, next);
            }
          }
          if (receiver !== null) expect(decision.countsAfter).toEqual(countsOf(receiver, decision.toPoolId));
          if (decision.type === 'claimed') {
            const k = `${receiver}/${decision.toPoolId}/${decision.quotaDay}`;
            claimsPerDay.set(k, (claimsPerDay.get(k) ?? 0) + 1);
            expect(claimsPerDay.get(k)).toBeLessThanOrEqual(dest.dailyClaimLimit);
            expect(countsOf(receiver!, dest.id).claimsToday).toBe(claimsPerDay.get(k));
            expect(state!.priorOwnerId !== receiver || (state!.priorOwnerBlockedUntil ?? 0) <= now).toBe(true);
          }
          if (step.kind === 'create') customers.push(customerAfter(null, decision));
          else customers[index] = customerAfter(state, decision);

          // What the bookkeeping says equals a recount of who owns what.
          for (const userId of REPS.concat('boss')) {
            for (const p of pools.values()) {
              const mine = customers.filter((c) => c.ownerId === userId && c.poolId === p.id && !(p.capExcludesWon && c.won));
              const c = countsOf(userId, p.id);
              expect(c.owned).toBe(mine.length);
              for (const level of LEVELS) expect(c.ownedByLevel[level] ?? 0).toBe(mine.filter((m) => m.level === level).length);
            }
          }
          // A grant that gave someone a counting customer without a bypass left them within the caps.
          if (receiver !== null && decision.capBypass === null && !(dest.capExcludesWon && decision.won)) {
            const after = countsOf(receiver, dest.id);
            expect(after.owned).toBeLessThanOrEqual(dest.maxOwnedPerRep);
            const levelCap = dest.maxOwnedPerLevel[decision.level];
            if (levelCap !== undefined) expect(after.ownedByLevel[decision.level]).toBeLessThanOrEqual(levelCap);
          }
          // Only the kinds that may bypass, and only with their flag.
          if (decision.capBypass === 'force') expect((request as { force?: boolean }).force).toBe(true);
          if (decision.capBypass === 'override') expect(request.kind === 'hr_assign' && request.override).toBe(true);
          if (decision.capBypass === 'departure') expect(request.kind).toBe('depart');
          if (decision.capBypass === 'move') expect(request.kind).toBe('move');
          // Invariant 1: status pool ⇔ no owner.
          for (const c of customers) expect(c.status === 'pool').toBe(c.ownerId === null);
        }
      }),
      { numRuns: 400 },
    );
  });
});
