import { AppError } from '../../../errors';
import { decideReview } from '../visit-review';
import type { VisitRow } from '../visits.repository';

const checkedInAt = Date.parse('2026-12-06T02:00:00Z');
const visit = {
  id: 7,
  user_id: 'rep07',
  status: 'finished',
  verdict: 'suspect',
  checked_in_at: checkedInAt,
  review_decision: null,
} as unknown as VisitRow;
const owned = { status: 'owned' as const, owner_id: 'rep07', last_verified_visit_at: checkedInAt - 13 * 86_400_000 };

describe('deciding a suspect visit (pure)', () => {
  it('verified restarts the clock as of the check-in, from where it stood', () => {
    expect(decideReview(visit, owned, 'verified')).toEqual({ verdict: 'verified', restartClock: { previous: owned.last_verified_visit_at, to: checkedInAt } });
    expect(decideReview(visit, { ...owned, last_verified_visit_at: null }, 'verified')).toEqual({ verdict: 'verified', restartClock: { previous: null, to: checkedInAt } });
  });

  it('never moves the clock back, nor for a customer the rep no longer owns', () => {
    expect(decideReview(visit, { ...owned, last_verified_visit_at: checkedInAt + 1 }, 'verified')).toEqual({ verdict: 'verified', restartClock: null });
    expect(decideReview(visit, { ...owned, owner_id: 'rep08' }, 'verified')).toEqual({ verdict: 'verified', restartClock: null });
    expect(decideReview(visit, { status: 'pool', owner_id: null, last_verified_visit_at: null }, 'verified')).toEqual({ verdict: 'verified', restartClock: null });
  });

  it('rejected leaves the clock', () => {
    expect(decideReview(visit, owned, 'rejected')).toEqual({ verdict: 'rejected', restartClock: null });
  });

  it('refuses a decided, a not suspect, and an unfinished visit with 409s that say why', () => {
    const refusal = (v: Partial<VisitRow>) => {
      const result = decideReview({ ...visit, ...v } as VisitRow, owned, 'verified');
      expect(result).toBeInstanceOf(AppError);
      const error = result as AppError;
      return [error.status, error.code, error.message];
    };
    expect(refusal({ review_decision: 'rejected', verdict: 'rejected' })).toEqual([409, 'already_reviewed', '这次拜访已经审核过了（驳回），不能再次审核；刷新列表即可看到结果。']);
    expect(refusal({ verdict: 'rejected' })).toEqual([409, 'not_reviewable', '这次拜访签到时已被拒绝，只有「可疑」的拜访需要经理审核。']);
    expect(refusal({ status: 'open' })).toEqual([409, 'not_reviewable', '这次拜访还没有结束：请等销售结束拜访（上传照片、填写记录）后再审核。']);
  });
});
