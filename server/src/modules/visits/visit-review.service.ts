import type { Actor, AppDeps } from '../../context';
import { AppError, notFound } from '../../errors';
import { reviewPayload } from '../evidence/evidence.service';
import { departmentPaths, findUser, userInSubtrees, userNames } from '../org/org.repository';
import { decideReview } from './visit-review';
import type { ReviewBody, VisitDto } from './visits';
import { toVisitDto } from './visits.dto';
import { visitError } from './visits.errors';
import { findVisit, lockCustomerClock, photoChainSeqs, photosOfVisits, recordReview, setVerifiedVisitClock } from './visits.repository';
import { writeTransaction } from '../../db/write-retry';

/** Whether the actor may decide visits of `userId`: admins all, managers their departments' subtrees. */
async function mayReview(deps: AppDeps, actor: Actor, userId: string): Promise<boolean> {
  if (actor.roles.includes('admin')) return true;
  const me = await findUser(deps.db, actor.tenantId, actor.userId);
  return userInSubtrees(deps.db, actor.tenantId, userId, await departmentPaths(deps.db, actor.tenantId, me?.leaderOf ?? []));
}

/**
 * A manager's (in scope) or an admin's decision on a suspect visit (issue 19 item 7): `verified` restarts the
 * verified-visit clock as of the visit's check-in, `rejected` leaves it. The decision, who, as what and why are stored on
 * the visit and chained as a `review` entry in the same transaction. Visits out of scope are "not found", as in the
 * review list.
 */
export async function reviewVisit(deps: AppDeps, actor: Actor, visitId: number, body: ReviewBody): Promise<{ visit: VisitDto }> {
  const { db, clock } = deps;
  const { tenantId } = actor;
  if (!actor.roles.includes('admin') && !actor.roles.includes('manager')) throw visitError(403, 'forbidden', '只有经理或管理员可以审核拜访。');
  const found = await findVisit(db, tenantId, visitId);
  if (found === undefined || !(await mayReview(deps, actor, found.user_id))) throw notFound('拜访');
  const now = clock.now();
  const reviewedAs = actor.roles.includes('manager') ? 'manager' : 'admin';
  await deps.evidence.prepare(tenantId);
  const row = await writeTransaction(db, async (trx) => {
    // Customer first, then the visit, then the chain tip: the order check-ins take their locks in.
    const customer = await lockCustomerClock(trx, tenantId, found.customer_id);
    const visit = (await findVisit(trx, tenantId, visitId))!;
    const plan = decideReview(visit, customer, body.decision);
    if (plan instanceof AppError) throw plan;
    const recorded = await recordReview(trx, tenantId, visit.id, {
      verdict: plan.verdict,
      by: actor.userId,
      as: reviewedAs,
      at: now,
      note: body.note === undefined || body.note === '' ? null : body.note,
      clock: plan.restartClock,
    });
    // Another decision committed between the read and this write.
    if (!recorded) throw visitError(409, 'already_reviewed', '这次拜访刚刚已被审核过了，不能再次审核；刷新列表即可看到结果。');
    if (plan.restartClock !== null) await setVerifiedVisitClock(trx, tenantId, visit.customer_id, plan.restartClock.to);
    const decided = (await findVisit(trx, tenantId, visit.id))!;
    await deps.evidence.appendWithin(trx, { tenantId, kind: 'review', refId: decided.id, payload: reviewPayload(decided), now });
    return decided;
  });
  const photos = await photosOfVisits(db, tenantId, [row.id]);
  const names = await userNames(db, tenantId, [row.user_id, actor.userId]);
  return {
    visit: { ...toVisitDto(row, photos, await photoChainSeqs(db, tenantId, photos.map((p) => p.id)), names), userName: names.get(row.user_id) },
  };
}
