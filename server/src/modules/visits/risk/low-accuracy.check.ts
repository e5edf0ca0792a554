import { formatAbove, formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/** LOW_ACCURACY: even the best fix is coarser than the policy allows (typically a cell-tower or IP position). */
export function lowAccuracyCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  if (facts.fixes.length === 0) return null;
  const best = Math.min(...facts.fixes.map((f) => f.accuracy));
  if (best <= policy.maxAccuracyM) return null;
  const shown = formatAbove(best, policy.maxAccuracyM);
  const limit = formatNumber(policy.maxAccuracyM, 1);
  return {
    code: 'LOW_ACCURACY',
    detail: `${shown} m > ${limit} m`,
    message: `定位精度只有约 ${shown} 米，差于要求的 ${limit} 米；请打开 GPS、到室外或窗边等定位稳定后重新签到。`,
    weight: policy.weights.LOW_ACCURACY,
  };
}
