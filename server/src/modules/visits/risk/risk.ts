/** The anti-cheat signals of DESIGN §5.1 and what the risk engine works on. Pure data: no I/O here. */

import type { MockFlag } from './location-source';

export type RiskCode =
  | 'MOCK_LOCATION'
  | 'MOCK_FLAG_MISSING'
  | 'OUT_OF_RANGE'
  | 'LOW_ACCURACY'
  | 'STALE_FIX'
  | 'FROZEN_FIXES'
  | 'IMPOSSIBLE_SPEED'
  | 'WIFI_MISMATCH'
  | 'REPLAYED_NONCE'
  | 'DEVICE_CHANGED'
  | 'PHOTO_REUSED'
  // Finish-time shortfalls (RiskPolicy.minDwellS / minPhotos): added to the check-in's assessment by `withReason`.
  | 'SHORT_DWELL'
  | 'TOO_FEW_PHOTOS';

export type Verdict = 'verified' | 'suspect' | 'rejected';

/** One signal that fired, with what was measured, e.g. `{code: 'OUT_OF_RANGE', detail: '1,840 m > 300 m'}`. */
export interface RiskReason {
  code: RiskCode;
  /** The measured value against the limit, digits and units only (`1,840 m > 300 m`). */
  detail: string;
  /** Chinese, for reps and managers: what was wrong and what to do. */
  message: string;
  /** This signal's weight in the tenant policy (its contribution to the score). */
  weight: number;
}

export interface Assessment {
  score: number;
  reasons: RiskReason[];
  verdict: Verdict;
}

/** A location fix, already converted to GCJ-02. `ts` is the client's clock (ms). */
export interface RiskFix {
  lat: number;
  lng: number;
  accuracy: number;
  ts: number;
  isMock?: boolean;
}

export interface WifiSighting {
  bssid: string;
  ssid?: string;
  signal?: number;
}

/** Everything the engine judges one check-in on; the visits service gathers it from the request and the database. */
export interface CheckInFacts {
  /** Server time (ms). */
  now: number;
  /** 1–5 fixes, GCJ-02, in the order the client took them. */
  fixes: RiskFix[];
  customer: { lat: number; lng: number; /** BSSIDs seen at this customer's earlier verified visits. */ knownBssids: string[] };
  wifi: WifiSighting[];
  nonce: 'ok' | 'missing' | 'unknown' | 'expired' | 'used';
  /** This rep's most recent fix at any earlier visit (any verdict but rejected), or null. */
  previousFix: { lat: number; lng: number; at: number } | null;
  /** Where the BSSIDs of this check-in were seen at earlier verified visits of the tenant (any rep, any customer). */
  bssidSightings: { bssid: string; lat: number; lng: number }[];
  /** Whether this rep has checked in before, and whether from this device (platform + OS + model). */
  device: { firstVisit: boolean; known: boolean; label: string };
  /**
   * Whether the platform always says when a fix is mocked (`mockFlagClass` of the fixes' sources and the device OS).
   * Where it does not (WeCom, iOS, browsers), the other signals alone must catch a mock-location app.
   */
  mockFlag: MockFlag;
}

/** Per-tenant thresholds and weights (defaults in `defaultRiskPolicy`). */
export interface RiskPolicy {
  /** Allowed distance to the customer (m), before accuracy is taken into account. */
  radiusM: number;
  /** Worse accuracy than this (m) is LOW_ACCURACY. */
  maxAccuracyM: number;
  /** A fix older than this vs server time (s) is STALE_FIX. */
  maxFixAgeS: number;
  /** A fix this far in the future (s) means a skewed client clock: STALE_FIX. */
  maxClockSkewS: number;
  /** Implied travel speed from the previous fix above this (km/h) is IMPOSSIBLE_SPEED. */
  maxSpeedKmh: number;
  /** A BSSID seen at a verified visit more than this far away (m) is WIFI_MISMATCH. */
  wifiFarM: number;
  /** Score contribution of each signal. */
  weights: Record<RiskCode, number>;
  /** score ≥ suspectAt → suspect; score ≥ rejectAt → rejected. */
  suspectAt: number;
  rejectAt: number;
  /** At finish, a visit shorter than this (s) is no longer verified. */
  minDwellS: number;
  /** At finish, a visit with fewer photos is no longer verified. */
  minPhotos: number;
}
