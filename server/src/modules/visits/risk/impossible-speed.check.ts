import { haversineM } from '../../../geo/geo';
import { fixCentroid } from './fix-centroid';
import { formatAbove, formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/** Moves shorter than this (m) are never judged: two fixes' errors and a walk across a business park add up to it. */
export const MIN_JUDGED_DISTANCE_M = 1000;

/**
 * Elapsed times are counted as at least this (s), so a second check-in moments after the first, a few hundred metres
 * of GPS error apart, does not divide by almost zero.
 */
export const MIN_JUDGED_ELAPSED_S = 60;

/**
 * IMPOSSIBLE_SPEED: the straight line from this rep's previous fix (any earlier visit) to here, over the server time
 * between them, is faster than the policy allows. Server time on both ends, so a skewed phone clock cannot help.
 */
export function impossibleSpeedCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  const at = fixCentroid(facts.fixes);
  const prev = facts.previousFix;
  if (!at || !prev) return null;
  const distanceM = haversineM(prev.lat, prev.lng, at.lat, at.lng);
  if (distanceM < MIN_JUDGED_DISTANCE_M) return null;
  const elapsedS = Math.max((facts.now - prev.at) / 1000, MIN_JUDGED_ELAPSED_S);
  const kmh = distanceM / 1000 / (elapsedS / 3600);
  if (kmh <= policy.maxSpeedKmh) return null;
  const shown = formatAbove(kmh, policy.maxSpeedKmh);
  const limit = formatNumber(policy.maxSpeedKmh, 1);
  const km = formatNumber(distanceM / 1000, distanceM < 10_000 ? 1 : 0);
  const minutes = formatNumber(elapsedS / 60, elapsedS < 600 ? 1 : 0);
  return {
    code: 'IMPOSSIBLE_SPEED',
    detail: `${shown} km/h > ${limit} km/h`,
    message: `距上一次签到约 ${km} 公里、仅隔 ${minutes} 分钟，折合每小时 ${shown} 公里，超过合理的 ${limit} 公里；请如实到达客户现场后签到。`,
    weight: policy.weights.IMPOSSIBLE_SPEED,
  };
}
