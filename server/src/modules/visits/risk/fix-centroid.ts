import type { RiskFix } from './risk';

// Below this a reported accuracy is not believable and would let one fix outweigh the others without bound.
const MIN_ACCURACY_M = 1;

/**
 * Where the fixes put the rep: the inverse-variance (1/accuracy²) weighted mean, so one precise GPS fix counts for
 * more than a coarse network fix taken seconds later. Null when there are no fixes.
 */
export function fixCentroid(fixes: readonly RiskFix[]): { lat: number; lng: number; accuracy: number } | null {
  if (fixes.length === 0) return null;
  let sum = 0;
  let lat = 0;
  let lng = 0;
  for (const fix of fixes) {
    const w = 1 / Math.max(fix.accuracy, MIN_ACCURACY_M) ** 2;
    sum += w;
    lat += fix.lat * w;
    lng += fix.lng * w;
  }
  return { lat: lat / sum, lng: lng / sum, accuracy: Math.min(...fixes.map((f) => f.accuracy)) };
}
