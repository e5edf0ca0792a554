import type { Generated } from 'kysely';

export interface VisitNoncesTable {
  tenant_id: string;
  nonce: string;
  user_id: string;
  expires_at: number;
  used_at: number | null;
}

export type VisitStatus = 'open' | 'finished';

export interface VisitsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  user_id: string;
  status: VisitStatus;
  verdict: 'verified' | 'suspect' | 'rejected';
  checkin_verdict: 'verified' | 'suspect' | 'rejected';
  risk_score: number;
  checkin_risk_score: number;
  /** JSON RiskReason[]. */
  reasons: string;
  checkin_reasons: string;
  distance_m: number;
  lat: number;
  lng: number;
  accuracy: number;
  /** JSON of the fixes as received. */
  fixes: string;
  wifi: string;
  device: string;
  device_label: string;
  nonce: string | null;
  photo_token_hash: string | null;
  checked_in_at: number;
  clock_restarted: number;
  previous_verified_visit_at: number | null;
  finished_at: number | null;
  dwell_s: number | null;
  finish_fix: string | null;
  notes: string | null;
  feedback: string | null;
  /** A manager's or an admin's decision on this suspect visit (null until decided; decided once). */
  review_decision: 'verified' | 'rejected' | null;
  reviewed_by: string | null;
  reviewed_as: 'manager' | 'admin' | null;
  reviewed_at: number | null;
  review_note: string | null;
}

/** Where an access point stands: per access point and customer, its latest verified visit there and that visit's fix. */
export interface BssidSightingsTable {
  tenant_id: string;
  bssid: string;
  customer_id: number;
  visit_id: number;
  lat: number;
  lng: number;
}

/**
 * Where a rep last provably was: their latest check-in that was not rejected, or verified proximity claim (`visit_id` 0,
 * claim-location.ts), whichever is later (read by the next check-in's and claim's speed check).
 */
export interface RepLastFixesTable {
  tenant_id: string;
  user_id: string;
  visit_id: number;
  lat: number;
  lng: number;
  checked_in_at: number;
}

/** The devices a rep has checked in from (any verdict), each once. */
export interface RepDevicesTable {
  tenant_id: string;
  user_id: string;
  device_label: string;
  first_visit_id: number;
  first_seen_at: number;
}

export interface VisitPhotosTable {
  id: Generated<number>;
  tenant_id: string;
  visit_id: number;
  customer_id: number;
  user_id: string;
  input_sha256: string;
  original_sha256: string;
  sha256: string;
  original_key: string;
  watermarked_key: string;
  phash: string;
  phash_b0: string;
  phash_b1: string;
  phash_b2: string;
  phash_b3: string;
  width: number;
  height: number;
  bytes: number;
  reused_photo_id: number | null;
  created_at: number;
}
