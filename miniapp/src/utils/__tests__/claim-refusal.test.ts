import { ApiError, NetworkError } from '../../services/errors';
import { explainClaimFailure } from '../claim-refusal';

describe('why a claim was refused, as the 公海 page shows it', () => {
  it('titles each refusal code and keeps the server message that says why and until when', () => {
    const cases: [string, string, string][] = [
      ['already_owned', '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。', '已被他人领取'],
      ['daily_claim_limit_reached', '你今天在「华东公海」已领取 20 个客户，达到每日上限 20 个（退回的也计入）；2026-11-28 00:00 后可再领取。', '今日领取已达上限'],
      ['prior_owner_cooldown', '该客户由你退回或被收回公海，冷却期 30 天，2026-12-20 00:00 之后才能再次领取。', '冷却期内不能领取'],
      ['too_far', '「华东公海」要求在客户 500 米内领取，你当前距离约 1,840 米，请走近后再领取。', '距离太远'],
      ['owned_limit_reached', '你在「华东公海」已持有 200 个客户，达到上限 200 个；请先跟进成交或退回部分客户后再领取。', '持有客户已达上限'],
      ['reserved', '该客户已被人事预留给新员工（审批中），暂时不能领取。', '已被预留给新员工'],
    ];
    for (const [code, message, title] of cases) {
      expect(explainClaimFailure(new ApiError(422, code, message))).toEqual({ title, message });
    }
  });

  it("does not call one's own customer someone else's, and says when the network failed", () => {
    expect(explainClaimFailure(new ApiError(409, 'already_owned', '该客户已经是你的了，无需重复领取。'))).toEqual({ title: '已在你名下', message: '该客户已经是你的了，无需重复领取。' });
    expect(explainClaimFailure(new NetworkError())).toEqual({ title: '领取失败', message: '网络连接失败，请检查网络后重试' });
    expect(explainClaimFailure(new ApiError(500, 'http_500', '服务器开小差了，请稍后重试'))).toEqual({ title: '领取失败', message: '服务器开小差了，请稍后重试' });
  });
});
