import { z } from 'zod';
import type { RiskCode, RiskPolicy, Verdict } from './risk';

/**
 * The default tenant policy. Scores add up: one hard signal (a mocked or far-away fix, a replayed nonce, a teleport)
 * reaches `rejectAt` alone; one soft signal reaches `suspectAt`; a new device alone stays below it. Two soft signals
 * together are still only suspect, three are rejected.
 */
export const defaultRiskPolicy: RiskPolicy = Object.freeze({
  radiusM: 300,
  maxAccuracyM: 200,
  maxFixAgeS: 120,
  maxClockSkewS: 300,
  maxSpeedKmh: 150,
  wifiFarM: 2000,
  weights: Object.freeze({
    MOCK_LOCATION: 100,
    REPLAYED_NONCE: 100,
    IMPOSSIBLE_SPEED: 100,
    // Full weight from twice the allowed distance; half of it just outside (see out-of-range.check.ts).
    OUT_OF_RANGE: 100,
    PHOTO_REUSED: 50,
    STALE_FIX: 40,
    // A source that always sets the flag sent fixes without it: a hooked client or a hand-made request, not proof of
    // a wrong place, so suspect alone (see mock-flag-missing.check.ts).
    MOCK_FLAG_MISSING: 30,
    FROZEN_FIXES: 40,
    WIFI_MISMATCH: 40,
    LOW_ACCURACY: 30,
    SHORT_DWELL: 30,
    TOO_FEW_PHOTOS: 30,
    DEVICE_CHANGED: 10,
  }),
  suspectAt: 30,
  rejectAt: 100,
  minDwellS: 120,
  minPhotos: 1,
}) as RiskPolicy;

/** The verdict a score earns under a policy. */
export function verdictFor(score: number, policy: RiskPolicy): Verdict {
  if (score >= policy.rejectAt) return 'rejected';
  if (score >= policy.suspectAt) return 'suspect';
  return 'verified';
}

const rank: Record<Verdict, number> = { verified: 0, suspect: 1, rejected: 2 };

/** The worse of two verdicts. */
export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return rank[a] >= rank[b] ? a : b;
}

const positive = (what: string) => z.number({ message: `${what}必须是数字` }).positive(`${what}必须大于 0`);
// A weight of 0 keeps a signal visible to managers without letting it count; a tenant that takes no photos sets minPhotos 0.
const nonNegative = (what: string) => z.number({ message: `${what}必须是数字` }).min(0, `${what}不能小于 0`);
const nonNegativeInt = (what: string) => nonNegative(what).int(`${what}必须是整数`);

const weightsOverride = z.strictObject(
  Object.fromEntries(
    (Object.keys(defaultRiskPolicy.weights) as RiskCode[]).map((code) => [code, nonNegative(`${code} 的权重`).optional()]),
  ) as Record<RiskCode, z.ZodOptional<z.ZodNumber>>,
);

const policyOverride = z.strictObject({
  radiusM: positive('签到半径').optional(),
  maxAccuracyM: positive('定位精度上限').optional(),
  maxFixAgeS: positive('定位时效').optional(),
  maxClockSkewS: positive('允许的时钟偏差').optional(),
  maxSpeedKmh: positive('速度上限').optional(),
  wifiFarM: positive('Wi-Fi 距离上限').optional(),
  weights: weightsOverride.optional(),
  suspectAt: positive('存疑分数线').optional(),
  rejectAt: positive('拒绝分数线').optional(),
  minDwellS: nonNegativeInt('最短停留时间').optional(),
  minPhotos: nonNegativeInt('最少照片数').optional(),
});

/** A tenant's `riskPolicy` setting: any subset of the policy (weights per code), merged onto `defaultRiskPolicy`. */
export type RiskPolicyOverrides = z.input<typeof policyOverride>;

/** Parses tenant overrides (or nothing) into a complete policy; refuses non-positive limits and suspectAt ≥ rejectAt. */
export const riskPolicySchema = policyOverride
  .optional()
  .transform((overrides): RiskPolicy => {
    const { weights, ...rest } = overrides ?? {};
    const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    return {
      ...defaultRiskPolicy,
      ...defined(rest),
      weights: { ...defaultRiskPolicy.weights, ...defined(weights ?? {}) },
    };
  })
  .refine((policy) => policy.suspectAt < policy.rejectAt, { message: '存疑分数线必须低于拒绝分数线', path: ['suspectAt'] });
