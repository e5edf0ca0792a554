import { haversineM } from '../../../geo/geo';
import { fixCentroid } from './fix-centroid';
import { formatAbove, formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/**
 * The most a fix's reported accuracy may widen the radius: a fix that claims ±800 m must not make a check-in from the
 * next district count as on site (LOW_ACCURACY reports such fixes separately).
 */
export const ACCURACY_ALLOWANCE_CAP_M = 100;

/**
 * OUT_OF_RANGE: the fixes' centroid is farther from the customer than the radius plus the best fix's accuracy (capped).
 * Just outside, the reason counts half its weight (a rep at the far end of a big site); from twice the allowed
 * distance on, it counts in full.
 */
export function outOfRangeCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  const at = fixCentroid(facts.fixes);
  if (!at) return null;
  const allowance = Math.min(at.accuracy, ACCURACY_ALLOWANCE_CAP_M);
  const allowed = policy.radiusM + allowance;
  const distance = haversineM(at.lat, at.lng, facts.customer.lat, facts.customer.lng);
  if (distance <= allowed) return null;
  const share = Math.min(1, distance / (2 * allowed));
  const shown = formatAbove(distance, allowed);
  const radius = formatNumber(policy.radiusM, 1);
  const slack = formatNumber(allowance, 1);
  return {
    code: 'OUT_OF_RANGE',
    detail: `${shown} m > ${radius} m + ${slack} m`,
    message: `定位距离客户约 ${shown} 米，超出允许的 ${radius} 米（已计入 ${slack} 米定位误差）；请到客户现场后重新签到。`,
    weight: Math.round(policy.weights.OUT_OF_RANGE * Math.max(0.5, share)),
  };
}
