import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/** MOCK_LOCATION: the platform flagged at least one fix as mocked (DingTalk's Android `isFromMock`). */
export function mockLocationCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  const mocked = facts.fixes.filter((f) => f.isMock === true).length;
  if (mocked === 0) return null;
  return {
    code: 'MOCK_LOCATION',
    detail: `${mocked} of ${facts.fixes.length} fixes mocked`,
    message: '手机报告定位来自模拟位置（虚拟定位软件或开发者选项）；请关闭模拟位置后到客户现场重新签到。',
    weight: policy.weights.MOCK_LOCATION,
  };
}
