import { formatNumber } from './risk-format';
import type { RiskPolicy, RiskReason } from './risk';

/**
 * The finish-time reasons (SHORT_DWELL, TOO_FEW_PHOTOS) for a visit that stayed shorter than `minDwellS` or has fewer
 * than `minPhotos` photos; add each with `withReason`. Empty when the visit meets both.
 */
export function finishShortfallReasons(visit: { dwellS: number; photos: number }, policy: RiskPolicy): RiskReason[] {
  const reasons: RiskReason[] = [];
  if (visit.dwellS < policy.minDwellS) {
    const shown = formatNumber(Math.floor(visit.dwellS));
    const limit = formatNumber(policy.minDwellS);
    reasons.push({
      code: 'SHORT_DWELL',
      detail: `${shown} s < ${limit} s`,
      message: `本次拜访只停留了 ${shown} 秒，少于要求的 ${limit} 秒；拜访记录将交由主管复核。`,
      weight: policy.weights.SHORT_DWELL,
    });
  }
  if (visit.photos < policy.minPhotos) {
    reasons.push({
      code: 'TOO_FEW_PHOTOS',
      detail: `${visit.photos} photos < ${policy.minPhotos}`,
      message: `本次拜访上传了 ${visit.photos} 张照片，少于要求的 ${policy.minPhotos} 张；拜访记录将交由主管复核。`,
      weight: policy.weights.TOO_FEW_PHOTOS,
    });
  }
  return reasons;
}
