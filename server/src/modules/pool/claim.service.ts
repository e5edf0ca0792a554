import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import { isMysql, type Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { haversineM, toGcj02 } from '../../geo/geo';
import { DAY_MS, formatLocal, localDate, localMidnightAfter } from '../../time';
import { findCustomer } from '../customers/customers.repository';
import { customerDtos, loadVisibleCustomer } from '../customers/customers.service';
import type { CustomerDto } from '../customers/customers';
import { departmentPaths, findUser, isUserActiveLocked, userInSubtrees } from '../org/org.repository';
import { claimBatcher, type ClaimContext } from './claim-batcher';
import { changeOwnership, type OwnershipChange } from './ownership.service';
import type { ClaimBody, Pool } from './pool';
import { poolError } from './pool.errors';
import { claimContext, claimsOnDay, countOwned, findPool, isPoolMember, takeRepSlot } from './pool.repository';

/** Best accuracy (m) a fix may have for a proximity-gated claim. */
const MAX_CLAIM_FIX_ACCURACY_M = 200;

function alreadyOwned() {
  return poolError(409, 'already_owned', '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。');
}

function reservedError() {
  return poolError(422, 'reserved', '该客户已被人事预留给新员工（审批中），暂时不能领取。');
}

/** The claimant left or was disabled after their request was let in; the claim's own transaction refuses it. */
function claimantInactive() {
  return poolError(403, 'user_inactive', '你的账号已停用（已离职或被管理员停用），不能领取客户；如有疑问请联系管理员。');
}

function assigneeInactive(name: string) {
  return poolError(422, 'assignee_inactive', `${name} 已离职或被停用，不能分配客户给他/她。`);
}

/**
 * The refusal of the cap checks of DESIGN §4.1, if any, given what the rep owned in the pool before taking this
 * customer (all customers, and those at its level; won ones left out when the pool says so).
 */
function capRefusal(pool: Pool, level: string, owned: number, ownedAtLevel: number) {
  if (owned >= pool.maxOwnedPerRep) {
    return poolError(
      422,
      'owned_limit_reached',
      `你在「${pool.name}」已持有 ${owned} 个客户，达到上限 ${pool.maxOwnedPerRep} 个；请先跟进成交或退回部分客户后再领取。`,
      { limit: pool.maxOwnedPerRep, owned },
    );
  }
  const levelCap = pool.maxOwnedPerLevel[level];
  if (levelCap !== undefined && ownedAtLevel >= levelCap) {
    return poolError(
      422,
      'owned_limit_reached',
      `你在「${pool.name}」已持有 ${ownedAtLevel} 个 ${level} 级客户，达到该级别上限 ${levelCap} 个。`,
      { limit: levelCap, owned: ownedAtLevel, level },
    );
  }
  return null;
}

/**
 * The cap checks for a customer this transaction has just given the rep, run under the rep's lock: the counts already
 * include it (when it counts at all), so the rep must have been under the cap before it. Throws the refusal, if any.
 */
async function checkCap(trx: Db, tenantId: string, userId: string, pool: Pool, taken: { level: string; won: boolean }): Promise<void> {
  // A won customer does not count when the pool excludes won customers from the cap.
  const self = pool.capExcludesWon && taken.won ? 0 : 1;
  const counted = (level?: string) => countOwned(trx, { tenantId, userId, poolId: pool.id, level, excludeWon: pool.capExcludesWon });
  const owned = (await counted()) - self;
  const ownedAtLevel = pool.maxOwnedPerLevel[taken.level] === undefined ? 0 : (await counted(taken.level)) - self;
  const refusal = capRefusal(pool, taken.level, owned, ownedAtLevel);
  if (refusal) throw refusal;
}

/**
 * A rep claims a pool customer (DESIGN §4.1). On MySQL the claim joins a batch of concurrent claims that is decided
 * and committed under the locks in two round trips (claim-batcher.ts), and a refusal is explained from what the batch
 * saw; otherwise the cheap refusals are answered before any lock, and the cap and daily quota are checked inside one
 * transaction under the rep's lock, the customer changing hands with one conditional write, so neither two reps nor
 * one rep's parallel taps can break a limit.
 */
export async function claimCustomer(db: Db, clock: Clock, actor: Actor, customerId: number, body: ClaimBody): Promise<CustomerDto> {
  const { tenantId, userId, timeZone } = actor;
  const now = clock.now();
  const day = localDate(now, timeZone);
  const evidence = body.lat !== undefined ? { lat: body.lat, lng: body.lng, accuracy: body.accuracy, coord: body.coord } : undefined;
  let ctx: ClaimContext | undefined;
  if (isMysql(db)) {
    const decided = await claimBatcher(db).submit({ tenantId, customerId, userId, now, day, evidence });
    if (!decided.claimantActive) throw claimantInactive();
    ctx = decided.context;
    if (ctx && decided.claimed) return (await customerDtos(db, actor, [ctx.customer]))[0]!;
    if (ctx && decided.eligible) {
      if (decided.claimsToday >= ctx.pool.dailyClaimLimit) throw quotaFull(ctx.pool, decided.claimsToday, now, timeZone);
      throw capRefusal(ctx.pool, ctx.customer.level, decided.owned, decided.ownedAtLevel)!;
    }
  } else {
    ctx = await claimContext(db, tenantId, customerId, userId);
  }
  if (!ctx) throw notFound('客户');
  const { customer, pool, member } = ctx;
  if (customer.status === 'owned') {
    if (customer.owner_id === userId) throw poolError(409, 'already_owned', '该客户已经是你的了，无需重复领取。');
    throw member ? alreadyOwned() : notFound('客户');
  }
  if (!member) {
    throw poolError(422, 'not_pool_member', `你不是「${pool.name}」的成员，不能领取其中的客户；如需调整请联系管理员。`, {
      poolId: pool.id,
    });
  }
  if (customer.reserved_by_assignment_id !== null) throw reservedError();
  if (customer.prior_owner_id === userId && customer.prior_owner_blocked_until !== null && customer.prior_owner_blocked_until > now) {
    const until = customer.prior_owner_blocked_until;
    throw poolError(
      422,
      'prior_owner_cooldown',
      `该客户由你退回或被收回公海，冷却期 ${pool.priorOwnerCooldownDays} 天，${formatLocal(until, timeZone)} 之后才能再次领取。`,
      { until: new Date(until).toISOString() },
    );
  }
  if (pool.claimRadiusM !== null) checkDistance(pool, customer, body);

  // Here on SQLite, and on MySQL for what one batch does not decide (a claim radius, a daily limit of 0).
  const change: OwnershipChange = {
    tenantId,
    customerId,
    type: 'claimed',
    expect: { status: 'pool' },
    toUserId: userId,
    fromPoolId: pool.id,
    toPoolId: pool.id,
    actorId: userId,
    evidence,
    now,
  };
  const slot = { tenantId, userId, poolId: pool.id, day, limit: pool.dailyClaimLimit };
  // Lock order everywhere: the rep's user row (shared, so a departure waits for this claim and then finds it), the
  // customer row (by the conditional write), then the rep's counter row. A lost race therefore costs one statement and
  // a rollback; the limits are checked after the write and undo it by failing.
  await db.transaction().execute(async (trx) => {
    if (!(await isUserActiveLocked(trx, tenantId, userId))) throw claimantInactive();
    if (!(await changeOwnership(trx, change))) {
      const fresh = await findCustomer(trx, tenantId, customerId);
      throw fresh?.reserved_by_assignment_id != null && fresh.status === 'pool' ? reservedError() : alreadyOwned();
    }
    if (!(await takeRepSlot(trx, slot))) throw quotaFull(pool, await claimsOnDay(trx, slot), now, timeZone);
    await checkCap(trx, tenantId, userId, pool, { level: customer.level, won: customer.last_deal_won_at !== null });
  });
  // The conditional write succeeded, so the row is exactly the one read plus the change: no second read needed.
  const claimed = { ...customer, status: 'owned' as const, owner_id: userId, owned_since: now, pool_entered_at: null, updated_at: now };
  return (await customerDtos(db, actor, [claimed]))[0]!;
}

/** The refusal when the rep's daily quota in the pool is used up, with today's count and when it resets. */
function quotaFull(pool: Pool, claimsToday: number, now: number, timeZone: string) {
  const resetAt = localMidnightAfter(now, 1, timeZone);
  return poolError(
    422,
    'daily_claim_limit_reached',
    `你今天在「${pool.name}」已领取 ${claimsToday} 个客户，达到每日上限 ${pool.dailyClaimLimit} 个（退回的也计入）；${formatLocal(resetAt, timeZone)} 后可再领取。`,
    { limit: pool.dailyClaimLimit, resetAt: new Date(resetAt).toISOString() },
  );
}

/** Proximity-gated pools: a fresh, accurate fix within the pool's radius of the customer. */
function checkDistance(pool: Pool, customer: { lat: number; lng: number }, body: ClaimBody): void {
  if (body.lat === undefined || body.lng === undefined) {
    throw poolError(422, 'location_required', `「${pool.name}」要求在客户 ${pool.claimRadiusM} 米内领取，请开启定位后重试。`);
  }
  if (body.accuracy === undefined || body.accuracy > MAX_CLAIM_FIX_ACCURACY_M) {
    throw poolError(422, 'location_required', `当前定位精度不足（需 ${MAX_CLAIM_FIX_ACCURACY_M} 米以内），请到开阔处重新定位后再领取。`);
  }
  const here = toGcj02(body.lat, body.lng, body.coord);
  const distance = Math.round(haversineM(here.lat, here.lng, customer.lat, customer.lng));
  if (distance > pool.claimRadiusM!) {
    throw poolError(
      422,
      'too_far',
      `「${pool.name}」要求在客户 ${pool.claimRadiusM} 米内领取，你当前距离约 ${distance.toLocaleString('en-US')} 米，请走近后再领取。`,
      { distanceM: distance, radiusM: pool.claimRadiusM },
    );
  }
}

/** The owner puts a customer back in its pool with a reason; they become the prior owner (cooldown applies). */
export async function releaseCustomer(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  body: { reason?: string; note?: string },
): Promise<CustomerDto> {
  const { tenantId, userId } = actor;
  const reason = body.reason?.trim();
  if (!reason) throw poolError(422, 'reason_required', '退回公海需要填写原因（例如：客户无需求、联系不上）。');
  const customer = await loadVisibleCustomer(db, actor, customerId);
  if (customer.owner_id !== userId) throw poolError(403, 'not_owner', '只有该客户的负责人才能退回它。');
  const pool = await findPool(db, tenantId, customer.pool_id);
  if (!pool) throw notFound('公海');
  const now = clock.now();
  const done = await db.transaction().execute((trx) =>
    changeOwnership(trx, {
      tenantId,
      customerId,
      type: 'released',
      expect: { status: 'owned', ownerId: userId, allowReservation: customer.reserved_by_assignment_id ?? undefined },
      toUserId: null,
      fromPoolId: pool.id,
      toPoolId: pool.id,
      actorId: userId,
      reason: body.note ? `${reason}：${body.note}` : reason,
      priorOwnerBlockedUntil: now + pool.priorOwnerCooldownDays * DAY_MS,
      now,
    }),
  );
  if (!done) throw poolError(409, 'not_owner', '该客户已不在你名下（可能刚被收回或转交），请刷新后再试。');
  return (await customerDtos(db, actor, [(await findCustomer(db, tenantId, customerId))!]))[0]!;
}

/**
 * A manager (own subtree), HR or an admin gives a customer to a user. Bypasses the daily quota and the cooldown;
 * respects the cap and pool membership unless `force` (recorded in the ledger). Restarts the clocks.
 */
export async function assignCustomer(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  body: { userId: string; reason: string; force: boolean },
): Promise<CustomerDto> {
  const { tenantId } = actor;
  const privileged = actor.roles.includes('admin') || actor.roles.includes('hr');
  if (!privileged && !actor.roles.includes('manager')) {
    throw poolError(403, 'forbidden', '只有经理、人事或管理员可以分配客户。');
  }
  const customer = await loadVisibleCustomer(db, actor, customerId);
  const assignee = await findUser(db, tenantId, body.userId);
  if (!assignee) throw notFound('员工');
  if (!assignee.active) throw assigneeInactive(assignee.name);
  if (!privileged) {
    const me = await findUser(db, tenantId, actor.userId);
    const scope = await departmentPaths(db, tenantId, me?.leaderOf ?? []);
    if (!(await userInSubtrees(db, tenantId, assignee.id, scope))) {
      throw poolError(403, 'forbidden', `${assignee.name} 不在你管理的部门内，不能分配给他/她。`);
    }
  }
  if (customer.owner_id === assignee.id) throw poolError(409, 'already_owned', `该客户已经属于 ${assignee.name}。`);
  if (customer.reserved_by_assignment_id !== null) throw reservedError();
  const pool = await findPool(db, tenantId, customer.pool_id);
  if (!pool) throw notFound('公海');
  if (!body.force && !(await isPoolMember(db, tenantId, assignee.id, pool.id))) {
    throw poolError(422, 'not_pool_member', `${assignee.name} 不是「${pool.name}」的成员；如确需分配，请勾选强制分配。`);
  }
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    // Checked again under the lock: a departure between the read above and this commit must not leave them an owner.
    if (!(await isUserActiveLocked(trx, tenantId, assignee.id))) throw assigneeInactive(assignee.name);
    const fromOwner = customer.owner_id;
    const ok = await changeOwnership(trx, {
      tenantId,
      customerId,
      type: fromOwner === null ? 'assigned' : 'transferred',
      expect: fromOwner === null ? { status: 'pool' } : { status: 'owned', ownerId: fromOwner },
      toUserId: assignee.id,
      fromPoolId: pool.id,
      toPoolId: pool.id,
      actorId: actor.userId,
      reason: body.reason,
      evidence: body.force ? { force: true } : undefined,
      now,
    });
    if (!ok) throw poolError(409, 'already_owned', '该客户的归属刚刚发生了变化，请刷新后再分配。');
    // Same lock order as a claim: customer row first, then the assignee's counter row.
    await takeRepSlot(trx, { tenantId, userId: assignee.id, poolId: pool.id, day: localDate(now, actor.timeZone), limit: null });
    if (!body.force) await checkCap(trx, tenantId, assignee.id, pool, { level: customer.level, won: customer.last_deal_won_at !== null });
  });
  return (await customerDtos(db, actor, [(await findCustomer(db, tenantId, customerId))!]))[0]!;
}
