/** One tenant-local day of one pool (migration 19): the day's flows and its end-of-day stock. */
export interface DashboardSnapshotsTable {
  tenant_id: string;
  /** Tenant-local date, YYYY-MM-DD. */
  day: string;
  pool_id: number;
  /** The pool's region department that day; null for a pool outside any region or spanning several. */
  region_id: string | null;
  pool_size: number;
  owned: number;
  /** Active members of the pool (the reps who can claim in it). */
  reps: number;
  max_owned_per_rep: number;
  daily_claim_limit: number;
  in_created: number;
  in_released: number;
  in_reclaimed: number;
  in_departed: number;
  in_escalated: number;
  out_claimed: number;
  out_assigned: number;
  out_escalated: number;
  /** Other flows in and out (migration 37): transfers to or from the pool, archive moves, appeal restores, merges. */
  in_other: number;
  out_other: number;
  /** JSON {ruleId: count}. */
  reclaimed_by_rule: string;
  /** JSON histogram {wholeDays: count}: how long the customers that left the pool that day had waited in it. */
  wait_days: string;
  /** JSON histogram {wholeHours: count}: claim → first verified visit, for first verified visits made that day. */
  first_visit_hours: string;
  /** Claims whose 7-day window closed that day, and how many of them had no visit in it. */
  hoard_claims: number;
  hoard_unvisited: number;
  visits_verified: number;
  visits_suspect: number;
  visits_rejected: number;
  /** JSON {userId: count}: reps who lost customers to the rules that day. */
  rep_reclaims: string;
  /** Ownership gains that returned a customer to the rep it had before the previous owner (A → B → A). */
  bounces: number;
  /** JSON {"userA|userB": count}, the pair sorted. */
  bounce_pairs: string;
  created_at: number;
}
