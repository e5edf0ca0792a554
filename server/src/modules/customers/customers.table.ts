import type { Generated } from 'kysely';

export interface CustomersTable {
  id: Generated<number>;
  tenant_id: string;
  name: string;
  /** The name as the duplicate check compares it (duplicates.ts `customerKeys`); '' on rows written without one. */
  name_key: Generated<string>;
  address: string;
  lat: number;
  lng: number;
  geohash: string;
  level: string;
  /** JSON array of strings. */
  tags: string;
  status: 'pool' | 'owned';
  pool_id: number;
  owner_id: string | null;
  owned_since: number | null;
  last_verified_visit_at: number | null;
  last_follow_up_at: number | null;
  last_deal_won_at: number | null;
  pool_entered_at: number | null;
  prior_owner_id: string | null;
  prior_owner_blocked_until: number | null;
  reserved_by_assignment_id: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface CustomerContactsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  name: string;
  title: string | null;
  phone: string | null;
  /** The phone as the duplicate check compares it (duplicates.ts `phoneKey`); null when none. */
  phone_key: string | null;
  created_at: number;
}

export interface FollowUpsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  user_id: string;
  kind: 'call' | 'note' | 'message';
  content: string;
  at: number;
}

export interface DealsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  user_id: string;
  title: string;
  amount_cents: number;
  status: 'open' | 'won' | 'lost';
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

export type CustomerEditKind = 'edited' | 'contact_added' | 'contact_edited' | 'contact_removed' | 'merged';

/** One field as an edit changed it. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface CustomerEditsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  actor_id: string;
  kind: CustomerEditKind;
  /** JSON FieldChange[]. */
  changes: string;
  /** `merged`: the record merged into this one (deleted; everything it had moved here, see `customer_merges`). */
  merged_customer_id: number | null;
  at: number;
}
