import { defaultRiskPolicy } from '../risk-policy';
import type { CheckInFacts, RiskFix, RiskPolicy } from '../risk';

/** Test helpers: a genuine check-in at a Shanghai customer, and points an exact distance away from it. */

export const NOW = Date.UTC(2026, 2, 2, 2, 0, 0);
export const CUSTOMER = { lat: 31.2304, lng: 121.4737 };

const METRES_PER_DEGREE_LAT = (6_371_008.8 * Math.PI) / 180;

/** A point exactly `metres` due north of `from` (haversine distance along a meridian is exact). */
export function north(metres: number, from = CUSTOMER): { lat: number; lng: number } {
  return { lat: from.lat + metres / METRES_PER_DEGREE_LAT, lng: from.lng };
}

/** A fix `metres` north of the customer, taken `ageS` seconds before NOW. */
export function fixAt(metres: number, accuracy = 12.7, ageS = 3): RiskFix {
  return { ...north(metres), accuracy, ts: NOW - ageS * 1000 };
}

/** Three fixes a few metres from the customer, jittering like real GPS, 2–6 s old. */
export function jitteredFixes(): RiskFix[] {
  return [
    { lat: CUSTOMER.lat + 0.0000213, lng: CUSTOMER.lng - 0.0000171, accuracy: 12.7, ts: NOW - 6000 },
    { lat: CUSTOMER.lat + 0.0000342, lng: CUSTOMER.lng - 0.0000095, accuracy: 9.4, ts: NOW - 4000 },
    { lat: CUSTOMER.lat + 0.0000287, lng: CUSTOMER.lng - 0.0000128, accuracy: 15.1, ts: NOW - 2000 },
  ];
}

/** A check-in that trips nothing under the default policy. */
export function genuineFacts(overrides: Partial<CheckInFacts> = {}): CheckInFacts {
  return {
    now: NOW,
    fixes: jitteredFixes(),
    customer: { ...CUSTOMER, knownBssids: [] },
    wifi: [],
    nonce: 'ok',
    previousFix: null,
    bssidSightings: [],
    device: { firstVisit: false, known: true, label: 'iPhone 15 / iOS 17.5' },
    mockFlag: 'absent',
    ...overrides,
  };
}

export const policy: RiskPolicy = defaultRiskPolicy;
