import { formatAbove, formatBelow, formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/**
 * STALE_FIX: a fix older than `maxFixAgeS` by server time (a cached or replayed position, or a clock running behind),
 * or dated more than `maxClockSkewS` in the future (a clock set ahead). A clock ahead is reported first: it is the
 * rarer and more deliberate of the two.
 */
export function staleFixCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  if (facts.fixes.length === 0) return null;
  const ages = facts.fixes.map((f) => (facts.now - f.ts) / 1000);
  const newest = Math.min(...ages);
  if (-newest > policy.maxClockSkewS) {
    const ahead = formatAbove(-newest, policy.maxClockSkewS);
    return {
      code: 'STALE_FIX',
      detail: `${formatBelow(newest, -policy.maxClockSkewS)} s < -${formatNumber(policy.maxClockSkewS, 1)} s`,
      message: `手机时间比服务器快约 ${ahead} 秒，超过允许的 ${formatNumber(policy.maxClockSkewS, 1)} 秒；请把手机时间设为自动后重新签到。`,
      weight: policy.weights.STALE_FIX,
    };
  }
  const oldest = Math.max(...ages);
  if (oldest <= policy.maxFixAgeS) return null;
  const shown = formatAbove(oldest, policy.maxFixAgeS);
  const limit = formatNumber(policy.maxFixAgeS, 1);
  return {
    code: 'STALE_FIX',
    detail: `${shown} s > ${limit} s`,
    message: `定位是约 ${shown} 秒前取得的，超过允许的 ${limit} 秒（或手机时间偏慢）；请校准手机时间、重新定位后签到。`,
    weight: policy.weights.STALE_FIX,
  };
}
