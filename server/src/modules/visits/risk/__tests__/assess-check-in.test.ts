import { assessCheckIn, withReason } from '../assess-check-in';
import { finishShortfallReasons } from '../finish-shortfall.reason';
import { photoReusedReason } from '../photo-reused.reason';
import { defaultRiskPolicy, riskPolicySchema, verdictFor } from '../risk-policy';
import type { CheckInFacts, RiskCode, Verdict } from '../risk';
import { CUSTOMER, fixAt, genuineFacts, jitteredFixes, north, NOW, policy } from './facts';

const summary = (facts: CheckInFacts) => {
  const a = assessCheckIn(facts, policy);
  return { codes: a.reasons.map((r) => r.code), score: a.score, verdict: a.verdict };
};

describe('assessing a check-in under the default policy', () => {
  it('verifies a genuine check-in with no reasons', () => {
    expect(assessCheckIn(genuineFacts(), policy)).toEqual({ score: 0, reasons: [], verdict: 'verified' });
  });

  const single: [RiskCode, Partial<CheckInFacts>, number, Verdict][] = [
    ['MOCK_LOCATION', { fixes: jitteredFixes().map((f) => ({ ...f, isMock: true })) }, 100, 'rejected'],
    ['REPLAYED_NONCE', { nonce: 'used' }, 100, 'rejected'],
    ['MOCK_FLAG_MISSING', { fixes: jitteredFixes(), mockFlag: 'available' }, 30, 'suspect'],
    ['IMPOSSIBLE_SPEED', { previousFix: { ...north(-168_000), at: NOW - 20 * 60_000 } }, 100, 'rejected'],
    ['OUT_OF_RANGE', { fixes: [fixAt(12_400, 18.3)] }, 100, 'rejected'],
    ['OUT_OF_RANGE', { fixes: [fixAt(320, 18.3)] }, 50, 'suspect'],
    ['STALE_FIX', { fixes: jitteredFixes().map((f) => ({ ...f, ts: f.ts - 600_000 })) }, 40, 'suspect'],
    ['FROZEN_FIXES', { fixes: jitteredFixes().map((f) => ({ ...f, lat: CUSTOMER.lat, lng: CUSTOMER.lng })) }, 40, 'suspect'],
    ['WIFI_MISMATCH', { wifi: [{ bssid: 'a4:56:02:3b:9c:11' }], bssidSightings: [{ bssid: 'a4:56:02:3b:9c:11', ...north(170_000) }] }, 40, 'suspect'],
    ['LOW_ACCURACY', { fixes: [fixAt(0, 650)] }, 30, 'suspect'],
    ['DEVICE_CHANGED', { device: { firstVisit: false, known: false, label: 'OPPO Find X7 / Android 14' } }, 10, 'verified'],
  ];
  it.each(single)('scores %s alone (case %#)', (code, overrides, score, verdict) => {
    expect(summary(genuineFacts(overrides))).toEqual({ codes: [code], score, verdict });
  });

  it('adds up soft signals: three of them reject', () => {
    const facts = genuineFacts({
      fixes: jitteredFixes().map((f) => ({ ...f, lat: CUSTOMER.lat, lng: CUSTOMER.lng, ts: f.ts - 600_000 })),
      wifi: [{ bssid: 'a4:56:02:3b:9c:11' }],
      bssidSightings: [{ bssid: 'a4:56:02:3b:9c:11', ...north(170_000) }],
    });
    expect(summary(facts)).toEqual({ codes: ['STALE_FIX', 'FROZEN_FIXES', 'WIFI_MISMATCH'], score: 120, verdict: 'rejected' });
  });

  it('lists hard signals first', () => {
    const facts = genuineFacts({ nonce: 'missing', fixes: [{ ...fixAt(5000, 650), isMock: true }] });
    expect(summary(facts)).toEqual({ codes: ['MOCK_LOCATION', 'REPLAYED_NONCE', 'OUT_OF_RANGE', 'LOW_ACCURACY'], score: 330, verdict: 'rejected' });
  });
});

describe('verdictFor', () => {
  it('turns suspect at suspectAt and rejected at rejectAt', () => {
    expect([29, 30, 99, 100].map((s) => verdictFor(s, policy))).toEqual(['verified', 'suspect', 'suspect', 'rejected']);
  });
});

describe('adding a later reason', () => {
  it('makes a verified visit suspect when a photo was used before', () => {
    const after = withReason(assessCheckIn(genuineFacts(), policy), photoReusedReason({ kind: 'exact' }, policy), policy);
    expect(after).toEqual({
      score: 50,
      verdict: 'suspect',
      reasons: [{ code: 'PHOTO_REUSED', detail: 'same SHA-256', message: '这张照片与之前上传过的照片完全相同；请在客户现场用相机重新拍摄。', weight: 50 }],
    });
  });

  it('describes a near-duplicate photo by its perceptual-hash distance', () => {
    expect(photoReusedReason({ kind: 'near-duplicate', distanceBits: 4 }, policy).detail).toBe('perceptual hash 4 bits apart');
  });

  it('counts a code once, so a second reused photo does not reject a suspect visit', () => {
    const reused = photoReusedReason({ kind: 'exact' }, policy);
    const once = withReason(assessCheckIn(genuineFacts({ fixes: [fixAt(0, 650)] }), policy), reused, policy);
    expect([once.score, once.verdict]).toEqual([80, 'suspect']);
    expect(withReason(once, photoReusedReason({ kind: 'near-duplicate', distanceBits: 3 }, policy), policy)).toBe(once);
  });

  it('never upgrades a verdict, even under a laxer policy', () => {
    const suspect = assessCheckIn(genuineFacts({ fixes: [fixAt(0, 650)] }), policy);
    const lax = riskPolicySchema.parse({ suspectAt: 500, rejectAt: 1000 });
    const after = withReason(suspect, photoReusedReason({ kind: 'exact' }, lax), lax);
    expect([after.score, after.verdict]).toEqual([80, 'suspect']);
  });

  it('turns a short or photo-less visit suspect at finish', () => {
    const reasons = finishShortfallReasons({ dwellS: 119.9, photos: 0 }, policy);
    expect(reasons).toEqual([
      { code: 'SHORT_DWELL', detail: '119 s < 120 s', message: '本次拜访只停留了 119 秒，少于要求的 120 秒；拜访记录将交由主管复核。', weight: 30 },
      { code: 'TOO_FEW_PHOTOS', detail: '0 photos < 1', message: '本次拜访上传了 0 张照片，少于要求的 1 张；拜访记录将交由主管复核。', weight: 30 },
    ]);
    const after = withReason(assessCheckIn(genuineFacts(), policy), reasons[0]!, policy);
    expect([after.score, after.verdict]).toEqual([30, 'suspect']);
  });

  it('finds no shortfall at exactly the minimum dwell and photo count', () => {
    expect(finishShortfallReasons({ dwellS: 120, photos: 1 }, policy)).toEqual([]);
  });
});

describe('riskPolicySchema', () => {
  it('gives the default policy when a tenant sets nothing', () => {
    expect(riskPolicySchema.parse(undefined)).toEqual(defaultRiskPolicy);
    expect(riskPolicySchema.parse({})).toEqual(defaultRiskPolicy);
  });

  it('merges partial overrides, weights included, onto the defaults', () => {
    const parsed = riskPolicySchema.parse({ radiusM: 500, weights: { DEVICE_CHANGED: 0, WIFI_MISMATCH: 60 } });
    expect(parsed).toEqual({ ...defaultRiskPolicy, radiusM: 500, weights: { ...defaultRiskPolicy.weights, DEVICE_CHANGED: 0, WIFI_MISMATCH: 60 } });
    expect(defaultRiskPolicy.weights.DEVICE_CHANGED).toBe(10);
  });

  it('refuses thresholds out of order, non-positive limits and unknown keys', () => {
    const issues = (input: unknown) => {
      const result = riskPolicySchema.safeParse(input);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ suspectAt: 100 })).toEqual(['suspectAt: 存疑分数线必须低于拒绝分数线']);
    expect(issues({ radiusM: 0 })).toEqual(['radiusM: 签到半径必须大于 0']);
    expect(issues({ weights: { MOCK_LOCATION: -1 } })).toEqual(['weights.MOCK_LOCATION: MOCK_LOCATION 的权重不能小于 0']);
    expect(issues({ minPhotos: 1.5 })).toEqual(['minPhotos: 最少照片数必须是整数']);
    expect(issues({ radius: 500 })).toHaveLength(1);
  });
});
