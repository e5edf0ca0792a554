import type { VisitDto } from '@/services/api-types';

export type ReviewDecision = 'verified' | 'rejected';
export type VisitReview = NonNullable<VisitDto['review']>;

const ROLE: Record<VisitReview['as'], string> = { manager: '经理', admin: '管理员' };
const DECIDED: Record<ReviewDecision, string> = { verified: '审核通过', rejected: '驳回' };

/** «经理 钱东 审核通过：见到店长了», as the timeline and the review card show a decision. */
export function reviewLine(review: VisitReview): string {
  const who = `${ROLE[review.as] ?? review.as} ${review.byName ?? review.byUserId}`;
  return `${who} ${DECIDED[review.decision] ?? review.decision}${review.note ? `：${review.note}` : ''}`;
}

/** Whether the 通过 / 驳回 buttons show: `open` when the visit is suspect but still going on (decided once it ends). */
export function reviewState(v: Pick<VisitDto, 'verdict' | 'status' | 'review'>): 'decide' | 'open' | 'none' {
  if (v.review || v.verdict !== 'suspect') return 'none';
  return v.status === 'finished' ? 'decide' : 'open';
}

/** The banner after a decision: what happened to the visit and to the customer's reclaim countdown. */
export function decisionBanner(v: Pick<VisitDto, 'userId' | 'userName' | 'customerId' | 'customerName'>, decision: ReviewDecision): string {
  const visit = `${v.userName ?? v.userId} 在「${v.customerName ?? `客户 ${v.customerId}`}」的拜访`;
  return decision === 'verified' ? `已通过：${visit}，客户的回收倒计时从这次拜访起重新计算。` : `已驳回：${visit}，客户的回收倒计时不变。`;
}

/** The list once a visit is decided: it leaves the list of visits awaiting review. */
export function withoutVisit<T extends { id: number }>(items: readonly T[], id: number): T[] {
  return items.filter((v) => v.id !== id);
}
