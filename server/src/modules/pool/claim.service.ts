import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { AppError, notFound } from '../../errors';
import { localDate } from '../../time';
import { customerDtos, loadVisibleCustomer } from '../customers/customers.service';
import type { CustomerDto } from '../customers/customers';
import { departmentPaths, findUser, userInSubtrees } from '../org/org.repository';
import { claimEngine, type ClaimAttempt } from './claim-engine';
import { OwnershipFacts } from './ownership-facts';
import { decideChange, refusalError, type ChangeRequest, type Grant, type Proximity } from './ownership-rules';
import { applyOwnershipChange, changeOf } from './ownership-writer';
import type { ClaimBody } from './pool';

/**
 * The claimant's location for a pool with a claim radius, as the caller judged it (the risk engine, claim-location.ts);
 * undefined when the request carries none. Injected so the claim itself stays free of the check-in machinery.
 */
export type ClaimLocator = (customer: { lat: number; lng: number }, radiusM: number) => Promise<{ proximity: Proximity; evidence?: Record<string, unknown> } | undefined>;

/**
 * A rep claims a pool customer (DESIGN §4.1): one engine on both dialects (claim-engine.ts) decides it with the one
 * decision under the locks it takes, with the concurrent claims of the tenant batched together. A pool with a claim
 * radius needs the rep's judged location: the first turn says so (`location_required`), the location is judged, and the
 * claim runs again with it, so claims in other pools never pay for it.
 */
export async function claimCustomer(db: Db, clock: Clock, actor: Actor, customerId: number, body: ClaimBody, locate?: ClaimLocator): Promise<CustomerDto> {
  const { tenantId, userId, timeZone } = actor;
  const now = clock.now();
  const attempt: ClaimAttempt = { tenantId, customerId, userId, now, day: localDate(now, timeZone), timeZone };
  let outcome = await claimEngine(db).submit(attempt);
  const needsLocation = !outcome.decision.ok && outcome.decision.code === 'location_required' && outcome.pool?.claimRadiusM != null;
  if (needsLocation && locate && outcome.customer) {
    const judged = await locate({ lat: outcome.customer.lat, lng: outcome.customer.lng }, outcome.pool!.claimRadiusM!);
    if (judged) outcome = await claimEngine(db).submit({ ...attempt, proximity: judged.proximity, evidence: judged.evidence });
  }
  if (!outcome.decision.ok) throw refusalError(outcome.decision);
  return (await customerDtos(db, actor, [outcome.customer!]))[0]!;
}

/**
 * One change of hands that is not a claim (release, assign, transfer …), on either dialect: in one transaction, the
 * facts under their locks (the receiver's user row shared, the customer row exclusive, the receiver's counter row), the
 * one decision, the one writer; retried whole on a conflict (write-retry.ts). Throws the decision's refusal.
 */
export async function changeHands(
  db: Db,
  tenantId: string,
  customerId: number,
  receiverId: string | null,
  day: string,
  request: (facts: OwnershipFacts) => ChangeRequest,
  options: { reason?: string | null; evidence?: Record<string, unknown>; actorId?: string } = {},
): Promise<Grant> {
  return writeTransaction(db, async (trx) => {
    const facts = await OwnershipFacts.read(trx, tenantId, day, [{ customerId, userId: receiverId }]);
    const row = facts.row(customerId);
    const pool = row ? facts.pool(row.pool_id) : null;
    const req = request(facts);
    const decision = decideChange(facts.state(customerId), pool, receiverId && pool ? facts.countsOf(receiverId, pool.id) : facts.countsOf('', -1), req);
    if (!decision.ok) throw refusalError(decision);
    const applied = await applyOwnershipChange(trx, changeOf(tenantId, customerId, decision, req.now, options));
    // The row was locked by the read, so this cannot miss; if it ever did, say so rather than answer success.
    if (!applied) throw new AppError(409, 'already_owned', '该客户的归属刚刚发生了变化，请刷新后再试。');
    return decision;
  });
}

/** The owner puts a customer back in its pool with a reason; they become the prior owner (cooldown applies). */
export async function releaseCustomer(
  db: Db,
  clock: Clock,
  actor: Actor,
  customerId: number,
  body: { reason?: string; note?: string },
): Promise<CustomerDto> {
  const { tenantId, userId, timeZone } = actor;
  const now = clock.now();
  await loadVisibleCustomer(db, actor, customerId);
  await changeHands(db, tenantId, customerId, null, localDate(now, timeZone), () => ({ kind: 'release', actorId: userId, reason: body.reason, note: body.note, now, timeZone }));
  return dtoOf(db, actor, customerId);
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
  const { tenantId, timeZone } = actor;
  const now = clock.now();
  await loadVisibleCustomer(db, actor, customerId);
  const assignee = await findUser(db, tenantId, body.userId);
  // An unknown user is a 404 whoever asks (the decision only knows the users it is given).
  if (!assignee) throw notFound('员工');
  const privileged = actor.roles.includes('admin') || actor.roles.includes('hr');
  let inScope = privileged;
  if (!privileged && actor.roles.includes('manager')) {
    const me = await findUser(db, tenantId, actor.userId);
    inScope = await userInSubtrees(db, tenantId, assignee.id, await departmentPaths(db, tenantId, me?.leaderOf ?? []));
  }
  await changeHands(db, tenantId, customerId, assignee.id, localDate(now, timeZone), (facts) => {
    const row = facts.row(customerId);
    return {
      kind: 'assign',
      actor: { id: actor.userId, roles: actor.roles, inScope },
      to: facts.party(assignee.id, row?.pool_id ?? -1),
      force: body.force,
      reason: body.reason,
      now,
      timeZone,
    };
  });
  return dtoOf(db, actor, customerId);
}

async function dtoOf(db: Db, actor: Actor, customerId: number): Promise<CustomerDto> {
  return (await customerDtos(db, actor, [await loadVisibleCustomer(db, actor, customerId)]))[0]!;
}
