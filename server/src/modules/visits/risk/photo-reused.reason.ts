import type { RiskPolicy, RiskReason } from './risk';

/** How an uploaded photo matched an earlier one: the same bytes, or a perceptual hash this many bits away. */
export type PhotoMatch = { kind: 'exact' } | { kind: 'near-duplicate'; distanceBits: number };

/** PHOTO_REUSED, for the photo pipeline to add with `withReason` when an upload matches an earlier photo. */
export function photoReusedReason(match: PhotoMatch, policy: RiskPolicy): RiskReason {
  const exact = match.kind === 'exact';
  return {
    code: 'PHOTO_REUSED',
    detail: exact ? 'same SHA-256' : `perceptual hash ${match.distanceBits} bits apart`,
    message: exact
      ? '这张照片与之前上传过的照片完全相同；请在客户现场用相机重新拍摄。'
      : '这张照片与之前上传过的照片几乎相同（疑似翻拍或裁剪）；请在客户现场用相机重新拍摄。',
    weight: policy.weights.PHOTO_REUSED,
  };
}
