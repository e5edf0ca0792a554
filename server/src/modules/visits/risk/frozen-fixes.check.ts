import { formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason, RiskFix } from './risk';

/**
 * Two fixes closer than this (degrees, ~1 cm) count as identical. Real GPS fixes taken seconds apart differ by
 * 1e-6…1e-4 degrees even when the phone lies still; a position typed into a mock app does not move at all.
 */
export const IDENTICAL_DEGREES = 1e-7;

// Accuracy a mock app typically hard-codes: a whole multiple of 5 m (5, 10, 30 …), the same on every fix.
const ROUND_ACCURACY_STEP_M = 5;

function identical(a: RiskFix, b: RiskFix): boolean {
  return Math.abs(a.lat - b.lat) < IDENTICAL_DEGREES && Math.abs(a.lng - b.lng) < IDENTICAL_DEGREES;
}

/**
 * FROZEN_FIXES: two or more fixes at the same point, or every fix (two or more) reporting the same round accuracy.
 * The second rule is the weaker: some iPhones report 5 or 10 m flat, which is why this signal only makes a visit
 * suspect, never rejected on its own.
 */
export function frozenFixesCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  const { fixes } = facts;
  if (fixes.length < 2) return null;
  const frozen = fixes.filter((fix, i) => fixes.some((other, j) => i !== j && identical(fix, other))).length;
  if (frozen >= 2) {
    return {
      code: 'FROZEN_FIXES',
      detail: `${frozen} of ${fixes.length} fixes identical`,
      message: `${fixes.length} 次定位中有 ${frozen} 次坐标完全相同，真实定位总会有细微漂移；请关闭虚拟定位软件后重新签到。`,
      weight: policy.weights.FROZEN_FIXES,
    };
  }
  const first = fixes[0]!.accuracy;
  const round = first > 0 && first % ROUND_ACCURACY_STEP_M === 0 && fixes.every((f) => f.accuracy === first);
  if (!round) return null;
  const shown = formatNumber(first);
  return {
    code: 'FROZEN_FIXES',
    detail: `${fixes.length} of ${fixes.length} fixes at exactly ${shown} m`,
    message: `${fixes.length} 次定位的精度都恰好是 ${shown} 米，像是软件写定的数值；请关闭虚拟定位软件后重新签到。`,
    weight: policy.weights.FROZEN_FIXES,
  };
}
