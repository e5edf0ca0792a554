import { AppError, notFound } from '../../errors';
import { DAY_MS, formatLocal, localDate, localMidnightAfter } from '../../time';
import type { Role } from '../org/org';
import type { RiskReason, Verdict } from '../visits/risk/risk';
import type { Pool } from './pool';
import { poolError, type PoolErrorCode } from './pool.errors';
import type { OwnershipEventType } from './pool.table';

/**
 * The ownership decision of DESIGN §4.1–4.4, pure: given a customer, its pool, the receiving rep's counts and a
 * request, it grants the change (what to write) or refuses it (the Chinese message users see). Every rule — membership,
 * reservation, cap (total and per level), daily quota, cooldown, proximity, force and override — lives here once, and
 * `RULES` says which apply to which kind of change. No I/O: callers gather the facts under their locks, and write.
 */

/** The customer as the rules read it (the row's fields, nothing else). */
export interface CustomerState {
  status: 'pool' | 'owned';
  ownerId: string | null;
  poolId: number;
  level: string;
  /** A deal was won with this customer (`last_deal_won_at` is set). */
  won: boolean;
  reservedByAssignmentId: number | null;
  priorOwnerId: string | null;
  priorOwnerBlockedUntil: number | null;
}

/** What a rep holds in one pool, as the cap and the daily quota count it. */
export interface RepCounts {
  /** Customers owned in the pool; won ones already left out when the pool's cap excludes them. */
  owned: number;
  /** The same per level; a missing level counts 0. Only the levels the pool caps are read. */
  ownedByLevel: Readonly<Record<string, number>>;
  /** Claims made in the pool on `day`, released ones included (DESIGN §4.1). */
  claimsToday: number;
  /** The tenant-local calendar day (YYYY-MM-DD) `claimsToday` counts: another day's claims count 0. */
  day: string;
}

/** Counts for a rep who holds nothing, or for a change that gives the customer to nobody. */
export const emptyCounts = (day: string): RepCounts => ({ owned: 0, ownedByLevel: {}, claimsToday: 0, day });

/** A user a change would give the customer to. */
export interface Party {
  id: string;
  name: string;
  active: boolean;
  /** A member of the pool the customer ends up in. */
  member: boolean;
}

/** A manager, HR or admin acting on someone else's customers. */
export interface Authority {
  id: string;
  roles: readonly Role[];
  /** Only read for a manager: everyone the change touches is in the subtrees they lead. */
  inScope: boolean;
}

/**
 * The claimant's location for a pool with a claim radius, judged by the caller: no fix, a fix too coarse to judge, or
 * a measured fix with the distance to the customer and the risk engine's verdict on it.
 */
export type Proximity =
  | { fix: 'missing' }
  | { fix: 'inaccurate'; maxAccuracyM: number }
  | { fix: 'measured'; distanceM: number; verdict: Verdict; reasons: readonly Pick<RiskReason, 'code' | 'message'>[] };

interface At {
  now: number;
  /** The tenant's time zone: the daily quota counts its calendar days and messages show its wall clock. */
  timeZone: string;
}

/** A rep takes a pool customer. */
export interface ClaimRequest extends At {
  kind: 'claim';
  rep: Party;
  /** Read only when the pool has a claim radius; absent counts as no fix. */
  proximity?: Proximity;
}

/** The owner puts a customer back in its pool. */
export interface ReleaseRequest extends At {
  kind: 'release';
  actorId: string;
  reason?: string;
  note?: string;
}

/** A manager, HR or admin gives a customer (from the pool or from its owner) to a user of the same pool. */
export interface AssignRequest extends At {
  kind: 'assign';
  actor: Authority;
  to: Party;
  /** Bypasses membership and cap; recorded in the ledger evidence. */
  force: boolean;
  reason?: string;
}

/** A manager in scope or an admin moves an owned customer to another user, or back to a pool (maybe another one). */
export interface TransferRequest extends At {
  kind: 'transfer';
  actor: Authority;
  /** The new owner, or null for a pool. */
  to: Party | null;
  /** The pool the customer ends up in, when not its own; the cap and membership are those of this pool. */
  toPool?: Pool;
  force: boolean;
  reason?: string;
}

/** An approved HR assignment gives one of its reserved customers to the hire (DESIGN §7). */
export interface HrAssignRequest extends At {
  kind: 'hr_assign';
  assignmentId: number;
  /** Who asked (HR): the ledger's actor. */
  requestedBy: string;
  to: Party;
  /** The onboarding override HR asked for: the cap does not apply; recorded in the ledger evidence. */
  override: boolean;
  reason?: string;
}

/** A user creates a customer, owned by them (in their home pool) or put in a pool. */
export interface CreateRequest extends At {
  kind: 'create';
  rep: Party;
  /** Admins may put customers in any pool. */
  admin: boolean;
  level: string;
  /** The creator becomes the owner; otherwise the customer goes to the pool. */
  owned: boolean;
}

/** A reclaim rule took an owned customer back (DESIGN §4.3). */
export interface ReclaimRequest extends At {
  kind: 'reclaim';
  /** The rule's target pool, when not the customer's own. */
  toPoolId?: number;
  reason?: string;
}

/** A customer nobody claimed moves up to the next pool (the cascade). */
export interface EscalateRequest extends At {
  kind: 'escalate';
  reason?: string;
}

/** The owner left the company (DESIGN §4.4). */
export interface DepartRequest extends At {
  kind: 'depart';
  leaverId: string;
  /** The manager when the tenant's policy gives customers to them; an inactive manager means the pool. */
  toManager: Party | null;
}

/**
 * An admin archives a pool: its customers move to another pool. An owned customer keeps its owner (and its clocks), so
 * no cap applies: the grant says the cap was bypassed. A reserved one waits for its assignment.
 */
export interface MoveRequest extends At {
  kind: 'move';
  /** The admin: the ledger's actor. */
  actorId: string;
  toPool: Pool;
  reason?: string;
}

/**
 * A manager in scope or an admin accepts a rep's appeal against a reclaim: the customer, still in the pool and
 * unreserved, goes back to the rep. The cooldown the reclaim set does not apply (it is what the appeal disputes); the
 * cap and membership do unless `force`.
 */
export interface RestoreRequest extends At {
  kind: 'restore';
  actor: Authority;
  /** The rep the customer was reclaimed from. */
  to: Party;
  force: boolean;
  reason?: string;
}

export type ChangeRequest =
  | ClaimRequest
  | ReleaseRequest
  | AssignRequest
  | TransferRequest
  | HrAssignRequest
  | CreateRequest
  | ReclaimRequest
  | EscalateRequest
  | DepartRequest
  | MoveRequest
  | RestoreRequest;

export type ChangeKind = ChangeRequest['kind'];

/** A change the rules allow: everything the writer needs for the customer row, the counters and the ledger row. */
export interface Grant {
  ok: true;
  type: OwnershipEventType;
  /** The ledger's actor; null for system changes (reclaim, escalation, departure). */
  actorId: string | null;
  /** The owner before (the writer's conditional update expects exactly this owner, or none). */
  fromUserId: string | null;
  toUserId: string | null;
  /** The pool before (for a creation: the pool it is created in). */
  fromPoolId: number;
  toPoolId: number;
  /** The customer's level and won flag, which decide how it counts (see `applyGrant`). */
  level: string;
  won: boolean;
  /** A reservation the change may consume (the HR assignment's own, or the released customer's). */
  allowReservation: number | null;
  /** The ledger reason. */
  reason: string | null;
  /** Back in a pool after a release or reclaim: the prior owner may not claim it again before this instant. */
  priorOwnerBlockedUntil: number | null;
  /** Claims: the tenant-local day the claim counts against the daily quota. */
  quotaDay: string | null;
  /** The cap was not checked although the customer counts: force, the HR override, or a departure to the manager. */
  capBypass: 'force' | 'override' | 'departure' | 'move' | null;
  /** What the decision adds to the ledger evidence ({force: true}, {capOverride: true}, the proximity verdict). */
  evidence: Record<string, unknown> | undefined;
  /** The receiving rep's counts after the change, or null when the customer goes to a pool. */
  countsAfter: RepCounts | null;
}

/** A change the rules refuse, with what the caller answers (DESIGN §9). */
export interface Refusal {
  ok: false;
  status: number;
  code: PoolErrorCode | 'not_found';
  /** Chinese: why, and what to do or until when. */
  message: string;
  details?: Record<string, unknown>;
}

export type Decision = Grant | Refusal;

/** The error a refusal answers with, exactly as the services threw it before the rules moved here. */
export function refusalError(r: Refusal): AppError {
  return r.code === 'not_found' ? new AppError(r.status, r.code, r.message) : poolError(r.status, r.code, r.message, r.details);
}

type RuleName = 'open' | 'authority' | 'active' | 'scope' | 'state' | 'membership' | 'reservation' | 'cooldown' | 'proximity' | 'quota' | 'cap' | 'reason';
type Step = RuleName | { rule: RuleName; unless: 'force' | 'override' };

/**
 * Which rules each kind of change obeys, in the order they are checked (the first refusal wins). A rule written with
 * `unless` is skipped when the request sets that flag. Reclaims, escalations and departures are system changes that
 * take customers away, so neither the cap nor the quota applies to them; a departure to the manager bypasses the cap
 * (the grant says so). Creation does not count against the daily quota (it is not a claim) but respects both caps.
 */
export const RULES: { readonly [K in ChangeKind]: readonly Step[] } = {
  claim: ['open', 'active', 'state', 'membership', 'reservation', 'cooldown', 'proximity', 'quota', 'cap'],
  release: ['reason', 'state'],
  assign: ['open', 'authority', 'active', 'scope', 'state', 'reservation', { rule: 'membership', unless: 'force' }, { rule: 'cap', unless: 'force' }],
  transfer: ['open', 'authority', 'active', 'scope', 'state', 'reservation', { rule: 'membership', unless: 'force' }, { rule: 'cap', unless: 'force' }],
  hr_assign: ['open', 'active', 'state', 'reservation', { rule: 'cap', unless: 'override' }],
  create: ['open', 'membership', 'cap'],
  reclaim: ['state'],
  escalate: ['state', 'reservation'],
  restore: ['open', 'authority', 'active', 'scope', 'state', 'reservation', { rule: 'membership', unless: 'force' }, { rule: 'cap', unless: 'force' }],
  depart: ['state', 'reservation'],
  move: ['open', 'state', 'reservation'],
};

/** What every rule reads. `dest` is the pool the customer ends up in (the cap and membership are its). */
interface Case {
  state: CustomerState | null;
  pool: Pool;
  dest: Pool;
  counts: RepCounts;
  req: ChangeRequest;
}

const refuse = (status: number, code: Refusal['code'], message: string, details?: Record<string, unknown>): Refusal =>
  details === undefined ? { ok: false, status, code, message } : { ok: false, status, code, message, details };

const missing = (what: '客户' | '公海'): Refusal => refuse(404, 'not_found', notFound(what).message);

const RESERVED = '该客户已被人事预留给新员工（审批中），暂时不能领取。';

/**
 * Decides one change (DESIGN §4.1–4.4). `pool` is the customer's pool (for a creation: the pool it is created in, null
 * when the creator has none); `counts` are the receiving rep's counts in the pool the customer ends up in, for the day
 * of `request.now` (pass `emptyCounts(day)` when nobody receives it). Never throws.
 */
export function decideChange(state: CustomerState | null, pool: Pool | null, counts: RepCounts, request: ChangeRequest): Decision {
  if (pool === null) {
    return request.kind === 'create' && request.owned
      ? refuse(422, 'not_pool_member', '你不属于任何公海，不能新建客户；请联系管理员。')
      : missing(request.kind === 'create' ? '公海' : state === null ? '客户' : '公海');
  }
  const dest = request.kind === 'transfer' ? (request.toPool ?? pool) : request.kind === 'move' ? request.toPool : pool;
  const c: Case = { state, pool, dest, counts, req: request };
  for (const step of RULES[request.kind]) {
    if (typeof step !== 'string' && (request as { force?: boolean; override?: boolean })[step.unless] === true) continue;
    const refusal = checks[typeof step === 'string' ? step : step.rule](c);
    if (refusal !== null) return refusal;
  }
  return grant(c);
}

/** The rep the change gives the customer to, if any. */
function receiverOf(req: ChangeRequest): Party | null {
  switch (req.kind) {
    case 'claim':
      return req.rep;
    case 'assign':
    case 'hr_assign':
      return req.to;
    case 'transfer':
    case 'restore':
      return req.to;
    case 'create':
      return req.owned ? req.rep : null;
    case 'depart':
      return req.toManager?.active ? req.toManager : null;
    default:
      return null;
  }
}

/** Claims on the request's local day (the quota resets at the tenant's local midnight). */
const claimsOn = (counts: RepCounts, day: string) => (counts.day === day ? counts.claimsToday : 0);

/** Whether a customer counts towards a pool's cap. */
const countsTowardsCap = (pool: Pool, won: boolean) => !(pool.capExcludesWon && won);

const verb = (req: ChangeRequest) => (req.kind === 'transfer' ? '转交' : req.kind === 'restore' ? '退回' : '分配');

const checks: { readonly [R in RuleName]: (c: Case) => Refusal | null } = {
  /** The pool the customer ends up in is in use: an archived pool takes nothing, not even from an admin. */
  open({ dest }) {
    if (!dest.archived) return null;
    return refuse(409, 'pool_archived', `公海「${dest.name}」已归档，不能再放入客户；请选择一个在用的公海。`);
  },

  /** Only managers, HR (assign) and admins act on others' customers. */
  authority({ req }) {
    if (req.kind !== 'assign' && req.kind !== 'transfer' && req.kind !== 'restore') return null;
    const roles = req.actor.roles;
    if (req.kind === 'restore' && !(roles.includes('admin') || roles.includes('manager'))) {
      return refuse(403, 'forbidden', '只有经理或管理员可以处理申诉。');
    }
    if (req.kind === 'assign' && !(roles.includes('admin') || roles.includes('hr') || roles.includes('manager'))) {
      return refuse(403, 'forbidden', '只有经理、人事或管理员可以分配客户。');
    }
    if (req.kind === 'transfer' && !(roles.includes('admin') || roles.includes('manager'))) {
      return refuse(403, 'forbidden', '只有经理或管理员可以转交客户。');
    }
    return null;
  },

  /** A manager acts only within the subtrees they lead. */
  scope({ req }) {
    if (req.kind !== 'assign' && req.kind !== 'transfer' && req.kind !== 'restore') return null;
    const roles = req.actor.roles;
    const privileged = roles.includes('admin') || (req.kind === 'assign' && roles.includes('hr'));
    if (privileged || req.actor.inScope) return null;
    if (req.to === null) return refuse(403, 'forbidden', '该客户的负责人不在你管理的部门内，不能转交。');
    return refuse(403, 'forbidden', `${req.to.name} 不在你管理的部门内，不能${verb(req)}给他/她。`);
  },

  /** Whoever receives the customer is an active user. */
  active({ req }) {
    const to = receiverOf(req);
    if (to === null || to.active) return null;
    if (req.kind === 'claim') {
      return refuse(403, 'user_inactive', '你的账号已停用（已离职或被管理员停用），不能领取客户；如有疑问请联系管理员。');
    }
    return refuse(422, 'assignee_inactive', `${to.name} 已离职或被停用，不能分配客户给他/她。`);
  },

  /** The customer exists and is where the kind of change needs it: in the pool, or with the right owner. */
  state(c) {
    const { state, req } = c;
    if (state === null) return missing('客户');
    switch (req.kind) {
      case 'claim':
        if (state.status !== 'owned') return null;
        if (state.ownerId === req.rep.id) return refuse(409, 'already_owned', '该客户已经是你的了，无需重复领取。');
        // A non-member must not learn that a customer of a pool they cannot see exists.
        return req.rep.member ? refuse(409, 'already_owned', '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。') : missing('客户');
      case 'release':
        return state.ownerId === req.actorId ? null : refuse(403, 'not_owner', '只有该客户的负责人才能退回它。');
      case 'assign':
      case 'transfer':
        if (req.to !== null && state.ownerId === req.to.id) return refuse(409, 'already_owned', `该客户已经属于 ${req.to.name}。`);
        if (req.to === null && state.status === 'pool') return refuse(409, 'not_owner', '该客户不在任何人名下，无需转交回公海。');
        return null;
      case 'hr_assign':
        return state.status === 'pool' ? null : refuse(409, 'already_owned', '该客户已不在公海中（预留释放后被领取或分配），未分配给新员工。');
      case 'reclaim':
        return state.status === 'owned' ? null : refuse(409, 'not_owner', '该客户已不在任何人名下，无需收回。');
      case 'escalate':
        if (state.status !== 'pool') return refuse(409, 'not_in_pool', '该客户已被领取，不在公海中，不能升级。');
        return c.pool.escalateToPoolId === null ? refuse(409, 'not_in_pool', `「${c.pool.name}」没有设置升级去向，客户留在原公海。`) : null;
      case 'depart':
        return state.status === 'owned' && state.ownerId === req.leaverId ? null : refuse(409, 'not_owner', '该客户已不在离职员工名下。');
      case 'restore':
        if (state.status === 'pool') return null;
        if (state.ownerId === req.to.id) return refuse(409, 'already_owned', `该客户已经在 ${req.to.name} 名下，无需退回。`);
        return refuse(409, 'already_owned', `该客户在申诉期间已被其他同事领取或分配，不能再退回给 ${req.to.name}；可以驳回申诉，或请现负责人转交。`);
      case 'move':
        return state.poolId === req.toPool.id ? refuse(409, 'not_in_pool', `该客户已在「${req.toPool.name}」中，无需移动。`) : null;
      case 'create':
        return null;
    }
  },

  /** The receiver (or, for a creation into a pool, the creator) belongs to the pool the customer ends up in. */
  membership({ pool, dest, req }) {
    switch (req.kind) {
      case 'claim':
        if (req.rep.member) return null;
        return refuse(422, 'not_pool_member', `你不是「${pool.name}」的成员，不能领取其中的客户；如需调整请联系管理员。`, { poolId: pool.id });
      case 'assign':
      case 'transfer':
        if (req.to === null || req.to.member) return null;
        return refuse(422, 'not_pool_member', `${req.to.name} 不是「${dest.name}」的成员；如确需${verb(req)}，请勾选强制${verb(req)}。`);
      case 'create':
        if (req.rep.member || (!req.owned && req.admin)) return null;
        return refuse(422, 'not_pool_member', '你不是该公海的成员，不能把客户放入其中。');
      default:
        return null;
    }
  },

  /** A customer reserved by an HR assignment in flight is that assignment's alone. */
  reservation({ state, req }) {
    const held = state?.reservedByAssignmentId ?? null;
    if (held === null) return null;
    switch (req.kind) {
      case 'hr_assign':
        return held === req.assignmentId ? null : refuse(422, 'reserved', `该客户已被另一个分配申请（#${held}）预留，审批中。`);
      case 'escalate':
        return refuse(422, 'reserved', '该客户已被人事预留给新员工（审批中），暂不升级。');
      case 'depart':
        // The assignment in flight sees the owner gone and settles the customer itself.
        return refuse(422, 'reserved', '该客户已被人事预留（审批中），由该分配申请处理。');
      case 'move':
        return refuse(422, 'reserved', '该客户已被人事预留给新员工（审批中），请等审批结束后再移动它所在的公海。');
      default:
        return refuse(422, 'reserved', RESERVED);
    }
  },

  /** The prior owner may not claim the customer back before the cooldown ends (exclusive: at the instant, they may). */
  cooldown({ state, pool, req }) {
    if (req.kind !== 'claim' || state === null) return null;
    const until = state.priorOwnerBlockedUntil;
    if (state.priorOwnerId !== req.rep.id || until === null || until <= req.now) return null;
    return refuse(
      422,
      'prior_owner_cooldown',
      `该客户由你退回或被收回公海，冷却期 ${pool.priorOwnerCooldownDays} 天，${formatLocal(until, req.timeZone)} 之后才能再次领取。`,
      { until: new Date(until).toISOString() },
    );
  },

  /** A pool with a claim radius: a fix, accurate enough, within the radius, that the risk engine calls verified. */
  proximity({ pool, req }) {
    if (req.kind !== 'claim' || pool.claimRadiusM === null) return null;
    const radius = pool.claimRadiusM;
    const p = req.proximity ?? { fix: 'missing' };
    if (p.fix === 'missing') {
      return refuse(422, 'location_required', `「${pool.name}」要求在客户 ${radius} 米内领取，请开启定位后重试。`);
    }
    if (p.fix === 'inaccurate') {
      return refuse(422, 'location_required', `当前定位精度不足（需 ${p.maxAccuracyM} 米以内），请到开阔处重新定位后再领取。`);
    }
    const distance = Math.round(p.distanceM);
    if (distance > radius) {
      return refuse(
        422,
        'too_far',
        `「${pool.name}」要求在客户 ${radius} 米内领取，你当前距离约 ${distance.toLocaleString('en-US')} 米，请走近后再领取。`,
        { distanceM: distance, radiusM: radius },
      );
    }
    if (p.verdict === 'verified') return null;
    const why = p.reasons.map((r) => r.message).join('；') || '定位存在异常';
    return refuse(422, 'location_unverified', `「${pool.name}」要求到客户现场领取，但这次定位未通过校验：${why}`, {
      verdict: p.verdict,
      reasons: p.reasons.map((r) => r.code),
    });
  },

  /** Claims per tenant-local day and pool, released ones included. */
  quota({ pool, counts: held, req }) {
    if (req.kind !== 'claim') return null;
    const today = claimsOn(held, localDate(req.now, req.timeZone));
    if (today < pool.dailyClaimLimit) return null;
    const resetAt = localMidnightAfter(req.now, 1, req.timeZone);
    return refuse(
      422,
      'daily_claim_limit_reached',
      `你今天在「${pool.name}」已领取 ${today} 个客户，达到每日上限 ${pool.dailyClaimLimit} 个（退回的也计入）；${formatLocal(resetAt, req.timeZone)} 后可再领取。`,
      { limit: pool.dailyClaimLimit, resetAt: new Date(resetAt).toISOString() },
    );
  },

  /**
   * The cap of the pool the customer ends up in, in total and for the customer's level when the pool caps it. A customer
   * that does not count (won, in a pool whose cap leaves won customers out) takes no room, so no cap refuses it.
   */
  cap({ state, dest, counts: held, req }) {
    const to = receiverOf(req);
    if (to === null) return null;
    const level = req.kind === 'create' ? req.level : state!.level;
    const won = req.kind === 'create' ? false : state!.won;
    if (!countsTowardsCap(dest, won)) return null;
    const levelCap = dest.maxOwnedPerLevel[level];
    const atLevel = held.ownedByLevel[level] ?? 0;
    const overTotal = held.owned >= dest.maxOwnedPerRep;
    if (!overTotal && (levelCap === undefined || atLevel < levelCap)) return null;
    const limit = overTotal ? dest.maxOwnedPerRep : levelCap!;
    const owned = overTotal ? held.owned : atLevel;
    const details = overTotal ? { limit, owned } : { limit, owned, level };
    const holds = overTotal ? `已持有 ${owned} 个客户，达到上限 ${limit} 个` : `已持有 ${owned} 个 ${level} 级客户，达到该级别上限 ${limit} 个`;
    switch (req.kind) {
      case 'claim':
        return refuse(422, 'owned_limit_reached', `你在「${dest.name}」${holds}${overTotal ? '；请先跟进成交或退回部分客户后再领取' : ''}。`, details);
      case 'create':
        return refuse(422, 'owned_limit_reached', `你在「${dest.name}」${holds}；新客户可放入公海，或先退回部分${overTotal ? '' : ` ${level} 级`}客户。`, details);
      case 'hr_assign':
        return refuse(422, 'owned_limit_reached', `${to.name} 在「${dest.name}」${holds}；如需超出上限，请在申请时选择入职特批。`, details);
      default:
        return refuse(422, 'owned_limit_reached', `${to.name} 在「${dest.name}」${holds}；如确需${verb(req)}，请勾选强制${verb(req)}。`, details);
    }
  },

  /** A release says why (a reason from the tenant's list, plus free text). */
  reason({ req }) {
    if (req.kind !== 'release' || req.reason?.trim()) return null;
    return refuse(422, 'reason_required', '退回公海需要填写原因（例如：客户无需求、联系不上）。');
  },
};

/**
 * When the prior owner of a customer that goes back to the pool at `now` (released or reclaimed) may claim it again.
 * The sweep, which reclaims a page of customers at once, takes it from here too.
 */
export function cooldownEnd(pool: Pool, now: number): number {
  return now + pool.priorOwnerCooldownDays * DAY_MS;
}

/** The grant for a request every rule of its kind let through. */
function grant(c: Case): Grant {
  const { state, pool, dest, req } = c;
  const from = state?.ownerId ?? null;
  const base = {
    ok: true as const,
    fromUserId: req.kind === 'create' ? null : from,
    fromPoolId: state?.poolId ?? pool.id,
    toPoolId: dest.id,
    level: req.kind === 'create' ? req.level : state!.level,
    won: req.kind === 'create' ? false : state!.won,
    allowReservation: null as number | null,
    reason: null as string | null,
    priorOwnerBlockedUntil: null as number | null,
    quotaDay: null as string | null,
    capBypass: null as Grant['capBypass'],
    evidence: undefined as Record<string, unknown> | undefined,
  };
  const cooldownUntil = cooldownEnd(pool, req.now);
  const countsFor = (g: Omit<Grant, 'countsAfter'>): Grant => {
    const to = g.toUserId;
    return { ...g, countsAfter: to === null ? null : applyGrant(c.counts, g, to, dest) };
  };
  switch (req.kind) {
    case 'claim': {
      const evidence =
        pool.claimRadiusM !== null && req.proximity?.fix === 'measured'
          ? { proximity: { distanceM: Math.round(req.proximity.distanceM), radiusM: pool.claimRadiusM, verdict: req.proximity.verdict } }
          : undefined;
      return countsFor({ ...base, type: 'claimed', actorId: req.rep.id, toUserId: req.rep.id, quotaDay: localDate(req.now, req.timeZone), evidence });
    }
    case 'release':
      return countsFor({
        ...base,
        type: 'released',
        actorId: req.actorId,
        toUserId: null,
        allowReservation: state!.reservedByAssignmentId,
        reason: req.note ? `${req.reason!.trim()}：${req.note}` : req.reason!.trim(),
        priorOwnerBlockedUntil: cooldownUntil,
      });
    case 'assign':
    case 'transfer': {
      const to = req.to?.id ?? null;
      const type = req.kind === 'transfer' && to === null ? 'transferred' : state!.status === 'pool' ? 'assigned' : 'transferred';
      return countsFor({
        ...base,
        type,
        actorId: req.actor.id,
        toUserId: to,
        reason: req.reason ?? null,
        capBypass: req.force && to !== null && countsTowardsCap(dest, base.won) ? 'force' : null,
        evidence: req.force ? { force: true } : undefined,
      });
    }
    case 'hr_assign':
      return countsFor({
        ...base,
        type: 'assigned',
        actorId: req.requestedBy,
        toUserId: req.to.id,
        allowReservation: req.assignmentId,
        reason: req.reason ?? null,
        capBypass: req.override && countsTowardsCap(dest, base.won) ? 'override' : null,
        evidence: req.override ? { capOverride: true } : undefined,
      });
    case 'create':
      return countsFor({ ...base, type: 'created', actorId: req.rep.id, toUserId: req.owned ? req.rep.id : null });
    case 'reclaim':
      return countsFor({
        ...base,
        type: 'reclaimed',
        actorId: null,
        toUserId: null,
        toPoolId: req.toPoolId ?? pool.id,
        reason: req.reason ?? null,
        priorOwnerBlockedUntil: cooldownUntil,
      });
    case 'escalate':
      return countsFor({ ...base, type: 'escalated', actorId: null, toUserId: null, toPoolId: pool.escalateToPoolId!, reason: req.reason ?? null });
    case 'depart': {
      const manager = receiverOf(req);
      return countsFor({
        ...base,
        type: 'left_with_employee',
        actorId: null,
        toUserId: manager?.id ?? null,
        reason: manager === null ? '员工离职，客户退回公海' : '员工离职，客户转交其上级',
        capBypass: manager !== null && countsTowardsCap(dest, base.won) ? 'departure' : null,
      });
    }
    case 'restore':
      return countsFor({
        ...base,
        type: 'appeal_restored',
        actorId: req.actor.id,
        toUserId: req.to.id,
        reason: req.reason ?? null,
        capBypass: req.force && countsTowardsCap(dest, base.won) ? 'force' : null,
        evidence: req.force ? { force: true } : undefined,
      });
    case 'move':
      return countsFor({
        ...base,
        type: 'moved',
        actorId: req.actorId,
        toUserId: from,
        reason: req.reason ?? null,
        capBypass: from !== null && countsTowardsCap(dest, base.won) ? 'move' : null,
      });
  }
}

/**
 * One rep's counts in one pool after a granted change: one more when the customer comes to them there, one less when
 * it leaves them there (each only if it counts towards that pool's cap), and a claim added to the day's quota. A batch
 * decides request after request against counts kept this way.
 */
export function applyGrant(counts: RepCounts, grant: Omit<Grant, 'countsAfter'>, userId: string, pool: Pool): RepCounts {
  const gains = grant.toUserId === userId && grant.toPoolId === pool.id;
  const loses = grant.fromUserId === userId && grant.fromPoolId === pool.id;
  const delta = (gains ? 1 : 0) - (loses ? 1 : 0);
  let next = counts;
  if (delta !== 0 && countsTowardsCap(pool, grant.won)) {
    const atLevel = (counts.ownedByLevel[grant.level] ?? 0) + delta;
    next = { ...next, owned: counts.owned + delta, ownedByLevel: { ...counts.ownedByLevel, [grant.level]: atLevel } };
  }
  if (gains && grant.type === 'claimed' && grant.quotaDay !== null) {
    next = { ...next, claimsToday: claimsOn(counts, grant.quotaDay) + 1, day: grant.quotaDay };
  }
  return next;
}

/** The customer as a granted change leaves it (what the writer's update sets), for deciding the next request of a batch. */
export function customerAfter(state: CustomerState | null, grant: Grant): CustomerState {
  const base: CustomerState = state ?? {
    status: 'pool',
    ownerId: null,
    poolId: grant.toPoolId,
    level: grant.level,
    won: grant.won,
    reservedByAssignmentId: null,
    priorOwnerId: null,
    priorOwnerBlockedUntil: null,
  };
  if (grant.toUserId !== null) return { ...base, status: 'owned', ownerId: grant.toUserId, poolId: grant.toPoolId, reservedByAssignmentId: null };
  const returned = grant.fromUserId !== null ? { priorOwnerId: grant.fromUserId, priorOwnerBlockedUntil: grant.priorOwnerBlockedUntil } : {};
  return { ...base, ...returned, status: 'pool', ownerId: null, poolId: grant.toPoolId, reservedByAssignmentId: null };
}
