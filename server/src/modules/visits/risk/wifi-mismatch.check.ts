import { haversineM } from '../../../geo/geo';
import { formatAbove, formatNumber } from './risk-format';
import type { CheckInFacts, RiskPolicy, RiskReason } from './risk';

/**
 * BSSIDs that identify no access point: Android reports 02:00:00:00:00:00 when the app lacks location permission, and
 * some clients send zeros or broadcast. Judging them would tie every rep without the permission to every other.
 */
const PLACEHOLDER_BSSIDS = new Set(['', '02:00:00:00:00:00', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']);

/** Lower-case, colon-separated; null for a placeholder. Sightings must be stored in the same form. */
export function normalizeBssid(bssid: string): string | null {
  const normalized = bssid.trim().toLowerCase().replace(/-/g, ':');
  return PLACEHOLDER_BSSIDS.has(normalized) ? null : normalized;
}

/** The access points a phone reported, normalised, placeholders dropped, each once (in the order first reported). */
export function reportedBssids(wifi: readonly { bssid: string }[]): string[] {
  return [...new Set(wifi.map((w) => normalizeBssid(w.bssid)).filter((b): b is string => b !== null))];
}

/**
 * WIFI_MISMATCH: an access point of this check-in was seen at a verified visit more than `wifiFarM` from this customer
 * (a router does not move between cities), or the customer has known access points and the rep reports Wi-Fi but
 * none of them. A rep carrying a portable hotspot trips the first rule, hence only a suspect-sized weight.
 */
export function wifiMismatchCheck(facts: CheckInFacts, policy: RiskPolicy): RiskReason | null {
  const reported = reportedBssids(facts.wifi);
  if (reported.length === 0) return null;
  let farthest: { bssid: string; distanceM: number } | null = null;
  for (const sighting of facts.bssidSightings) {
    const bssid = normalizeBssid(sighting.bssid);
    if (bssid === null || !reported.includes(bssid)) continue;
    const distanceM = haversineM(sighting.lat, sighting.lng, facts.customer.lat, facts.customer.lng);
    if (distanceM > policy.wifiFarM && (!farthest || distanceM > farthest.distanceM)) farthest = { bssid, distanceM };
  }
  if (farthest) {
    const shown = formatAbove(farthest.distanceM, policy.wifiFarM);
    return {
      code: 'WIFI_MISMATCH',
      detail: `${shown} m > ${formatNumber(policy.wifiFarM, 1)} m`,
      message: `当前连接的 Wi-Fi（${farthest.bssid}）曾在距该客户约 ${formatNumber(farthest.distanceM / 1000, 1)} 公里处的拜访中出现；请断开该 Wi-Fi 或到客户现场后重新签到。`,
      weight: policy.weights.WIFI_MISMATCH,
    };
  }
  const known = new Set(facts.customer.knownBssids.map(normalizeBssid).filter((b): b is string => b !== null));
  if (known.size === 0 || reported.some((b) => known.has(b))) return null;
  return {
    code: 'WIFI_MISMATCH',
    detail: `0 of ${reported.length} BSSIDs among ${known.size} known`,
    message: '当前连接的 Wi-Fi 不是该客户处以往拜访时连接过的网络；请确认已在客户现场，或断开 Wi-Fi 后重新签到。',
    weight: policy.weights.WIFI_MISMATCH,
  };
}
