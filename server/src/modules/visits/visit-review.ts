import type { AppError } from '../../errors';
import { visitError } from './visits.errors';
import type { VisitRow } from './visits.repository';

export type ReviewDecision = 'verified' | 'rejected';

/** What deciding a visit does, once `decideReview` allowed it. */
export interface ReviewPlan {
  verdict: ReviewDecision;
  /** Move the customer's verified-visit clock from `previous` to the visit's check-in time. */
  restartClock: { previous: number | null; to: number } | null;
}

/** The customer facts the decision depends on. */
export interface ReviewCustomer {
  status: 'pool' | 'owned';
  owner_id: string | null;
  last_verified_visit_at: number | null;
}

const DECIDED: Record<ReviewDecision, string> = { verified: '通过', rejected: '驳回' };

/**
 * Decides a manager's review of a visit (pure): only a finished, still undecided suspect visit can be decided. Upgrading
 * it restarts the verified-visit clock as of the visit's check-in, as a verified check-in would have: only while its
 * rep still owns the customer (DESIGN §3 invariant 4) and only forward. Rejecting leaves the clock where it is.
 */
export function decideReview(visit: VisitRow, customer: ReviewCustomer | undefined, decision: ReviewDecision): ReviewPlan | AppError {
  if (visit.review_decision !== null) {
    return visitError(409, 'already_reviewed', `这次拜访已经审核过了（${DECIDED[visit.review_decision as ReviewDecision] ?? visit.review_decision}），不能再次审核；刷新列表即可看到结果。`);
  }
  if (visit.verdict !== 'suspect') {
    const what = visit.verdict === 'verified' ? '已经通过校验' : '签到时已被拒绝';
    return visitError(409, 'not_reviewable', `这次拜访${what}，只有「可疑」的拜访需要经理审核。`);
  }
  if (visit.status !== 'finished') {
    return visitError(409, 'not_reviewable', '这次拜访还没有结束：请等销售结束拜访（上传照片、填写记录）后再审核。');
  }
  if (decision === 'rejected') return { verdict: 'rejected', restartClock: null };
  const previous = customer?.last_verified_visit_at ?? null;
  const stillOwned = customer !== undefined && customer.status === 'owned' && customer.owner_id === visit.user_id;
  const forward = previous === null || previous < visit.checked_in_at;
  return { verdict: 'verified', restartClock: stillOwned && forward ? { previous, to: visit.checked_in_at } : null };
}
