import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/**
 * MOCK_LOCATION: the platform flagged at least one fix as mocked (DingTalk's Android `isFromMock`, from
 * `dd.startLocating` or the H5 `dd.device.geolocation.get`; see location-source.ts). A flag that says "mocked" is
 * believed whatever the check-in's platform class: only a source that has the flag ever sends it, and a client older
 * than the `source` field (class `absent`) may still be one of them. Where the platform has no flag (WeCom, iOS,
 * browsers) this check cannot fire, and the other signals carry those check-ins.
 */
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
