import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/**
 * MOCK_FLAG_MISSING: the check-in's fixes come from a source that always carries a mock flag on this OS (class
 * `available`: DingTalk on Android through `dd.startLocating` or `dd.device.geolocation.get`), yet some fix has none.
 * The unmodified client never does that; a hook that hides mock locations by deleting the field, or a request written by
 * hand, does. It says nothing about where the phone was, so it weighs a suspect verdict (30), never a rejection alone.
 */
export function mockFlagMissingCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  if (facts.mockFlag !== 'available') return null;
  const missing = facts.fixes.filter((f) => f.isMock === undefined).length;
  if (missing === 0) return null;
  return {
    code: 'MOCK_FLAG_MISSING',
    detail: `${missing} of ${facts.fixes.length} fixes without a mock flag`,
    message: `${facts.fixes.length} 次定位中有 ${missing} 次缺少钉钉安卓客户端总会附带的模拟定位标记，像是被改过的客户端或伪造的请求；请用官方钉钉客户端重新签到。`,
    weight: policy.weights.MOCK_FLAG_MISSING,
  };
}
