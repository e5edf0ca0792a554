import type { Generated } from 'kysely';

export interface PoolsTable {
  id: Generated<number>;
  tenant_id: string;
  name: string;
  parent_pool_id: number | null;
  escalate_after_days: number | null;
  escalate_to_pool_id: number | null;
  max_owned_per_rep: number;
  max_owned_per_level: string;
  cap_excludes_won: number;
  daily_claim_limit: number;
  prior_owner_cooldown_days: number;
  claim_radius_m: number | null;
  /** When an admin archived the pool; null while it is in use. */
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PoolDepartmentsTable {
  tenant_id: string;
  pool_id: number;
  department_id: string;
}

export interface PoolMembersTable {
  tenant_id: string;
  user_id: string;
  pool_id: number;
}

export type RuleKind = 'no_verified_visit' | 'no_follow_up' | 'no_deal' | 'protection_max';

export interface PoolRulesTable {
  id: Generated<number>;
  tenant_id: string;
  pool_id: number;
  kind: RuleKind;
  days: number;
  enabled: number;
  levels: string;
  tags: string;
  exempt_won_customers: number;
  working_days_only: number;
  remind_days_before: string;
  notify_manager: number;
  target_pool_id: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface PoolRuleVersionsTable {
  tenant_id: string;
  rule_id: number;
  version: number;
  /** JSON of the rule as it was. */
  snapshot: string;
  changed_by: string | null;
  created_at: number;
}

export type OwnershipEventType =
  | 'created'
  | 'claimed'
  | 'released'
  | 'reclaimed'
  | 'assigned'
  | 'transferred'
  | 'escalated'
  | 'left_with_employee'
  /** The customer's pool was archived: it moved to another pool, an owner keeping it. */
  | 'moved'
  /** A manager accepted the rep's appeal against a reclaim: the customer went back to them. */
  | 'appeal_restored'
  /** Another record of the same customer was merged into this one (the reason names it). */
  | 'merged';

export interface OwnershipEventsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  type: OwnershipEventType;
  from_user_id: string | null;
  to_user_id: string | null;
  from_pool_id: number | null;
  to_pool_id: number | null;
  actor_id: string | null;
  reason: string | null;
  rule_id: number | null;
  rule_version: number | null;
  evidence: string | null;
  at: number;
}

export interface ClaimCountersTable {
  tenant_id: string;
  user_id: string;
  pool_id: number;
  /** Tenant-local calendar day, YYYY-MM-DD. */
  day: string;
  claims: number;
}
