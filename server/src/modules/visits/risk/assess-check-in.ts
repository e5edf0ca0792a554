import { deviceChangedCheck } from './device-changed.check';
import { frozenFixesCheck } from './frozen-fixes.check';
import { impossibleSpeedCheck } from './impossible-speed.check';
import { lowAccuracyCheck } from './low-accuracy.check';
import { mockFlagMissingCheck } from './mock-flag-missing.check';
import { mockLocationCheck } from './mock-location.check';
import { outOfRangeCheck } from './out-of-range.check';
import { replayedNonceCheck } from './replayed-nonce.check';
import type { Assessment, CheckInFacts, RiskPolicy, RiskReason } from './risk';
import { verdictFor, worseVerdict } from './risk-policy';
import { staleFixCheck } from './stale-fix.check';
import { wifiMismatchCheck } from './wifi-mismatch.check';

/** One signal: pure, no I/O; the reason carries the measured value, or null when the signal stays quiet. */
export type RiskCheck = (facts: CheckInFacts, policy: RiskPolicy) => RiskReason | null;

/** Every check-in signal, in the order reasons are listed (hard signals first, so managers read them first). */
export const riskChecks: readonly RiskCheck[] = [
  mockLocationCheck,
  replayedNonceCheck,
  impossibleSpeedCheck,
  outOfRangeCheck,
  staleFixCheck,
  frozenFixesCheck,
  wifiMismatchCheck,
  mockFlagMissingCheck,
  lowAccuracyCheck,
  deviceChangedCheck,
];

/** Runs every check, adds up the weights and picks the verdict. Never throws on well-formed facts. */
export function assessCheckIn(facts: CheckInFacts, policy: RiskPolicy): Assessment {
  const reasons = riskChecks.map((check) => check(facts, policy)).filter((r): r is RiskReason => r !== null);
  const score = reasons.reduce((sum, r) => sum + r.weight, 0);
  return { score, reasons, verdict: verdictFor(score, policy) };
}

/**
 * Adds a reason found later (PHOTO_REUSED, a finish-time shortfall) and recomputes the verdict, which only ever gets
 * worse: a suspect visit stays suspect even under a policy that would now score it lower. A code already present
 * counts once, so a second reused photo does not push a suspect visit to rejected.
 */
export function withReason(assessment: Assessment, reason: RiskReason, policy: RiskPolicy): Assessment {
  if (assessment.reasons.some((r) => r.code === reason.code)) return assessment;
  const score = assessment.score + reason.weight;
  return { score, reasons: [...assessment.reasons, reason], verdict: worseVerdict(assessment.verdict, verdictFor(score, policy)) };
}
