import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

const messages: Record<Exclude<CheckInFacts['nonce'], 'ok'>, string> = {
  missing: '签到请求缺少一次性校验码，可能不是从应用内发起的；请在应用内重新签到。',
  unknown: '签到校验码无效，可能不是本系统签发的；请在应用内重新签到。',
  expired: '签到校验码已过期（页面停留太久）；请刷新页面后重新签到。',
  used: '签到校验码已被使用过，这是一次重放的请求；请在应用内重新签到。',
};

/** REPLAYED_NONCE: the server-issued nonce is missing, unknown, expired or already used. */
export function replayedNonceCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  if (facts.nonce === 'ok') return null;
  return { code: 'REPLAYED_NONCE', detail: `nonce ${facts.nonce}`, message: messages[facts.nonce], weight: policy.weights.REPLAYED_NONCE };
}
