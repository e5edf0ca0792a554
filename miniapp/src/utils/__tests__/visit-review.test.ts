import { decisionBanner, reviewLine, reviewState, withoutVisit } from '../visit-review';

const review = { decision: 'verified' as const, byUserId: 'mgr-east', byName: '钱东', as: 'manager' as const, at: '2026-12-07T02:00:00.000Z', note: '见到店长了' };

describe('the manager’s decision on a suspect visit, as the app shows it', () => {
  it('reads a decision as «经理 钱东 审核通过：…», the admin’s and a rejection without a note too', () => {
    expect(reviewLine(review)).toBe('经理 钱东 审核通过：见到店长了');
    expect(reviewLine({ ...review, decision: 'rejected', as: 'admin', byName: null, byUserId: 'admin01', note: null })).toBe('管理员 admin01 驳回');
  });

  it('offers 通过 / 驳回 only on a finished, undecided suspect visit', () => {
    expect(reviewState({ verdict: 'suspect', status: 'finished', review: null })).toBe('decide');
    expect(reviewState({ verdict: 'suspect', status: 'open', review: null })).toBe('open');
    expect(reviewState({ verdict: 'rejected', status: 'finished', review: null })).toBe('none');
    expect(reviewState({ verdict: 'verified', status: 'finished', review })).toBe('none');
  });

  it('confirms what the decision did to the countdown, and the visit leaves the list', () => {
    const v = { userId: 'rep07', userName: '赵敏', customerId: 9, customerName: '杭州恒通贸易有限公司' };
    expect(decisionBanner(v, 'verified')).toBe('已通过：赵敏 在「杭州恒通贸易有限公司」的拜访，客户的回收倒计时从这次拜访起重新计算。');
    expect(decisionBanner({ ...v, customerName: undefined }, 'rejected')).toBe('已驳回：赵敏 在「客户 9」的拜访，客户的回收倒计时不变。');
    expect(withoutVisit([{ id: 1 }, { id: 2 }, { id: 3 }], 2)).toEqual([{ id: 1 }, { id: 3 }]);
  });
});
