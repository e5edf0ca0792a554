import type { Generated } from 'kysely';

export type AssignmentStatus = 'pending' | 'approved' | 'refused' | 'withdrawn' | 'expired' | 'failed';
export type AssignmentItemState = 'reserved' | 'assigned' | 'released' | 'skipped';

export interface AssignmentRequestsTable {
  id: Generated<number>;
  tenant_id: string;
  assignee_id: string;
  requested_by: string;
  reason: string;
  status: AssignmentStatus;
  /** 1 when HR overrode the pool cap for onboarding. */
  override_cap: number;
  approval_instance_id: string | null;
  created_at: number;
  /** A pending request with no result by then is expired and its reservations released. */
  expires_at: number;
  decided_at: number | null;
  /** JSON: what applying the result did, or why starting the approval failed. */
  outcome: string | null;
}

export interface AssignmentItemsTable {
  tenant_id: string;
  assignment_id: number;
  customer_id: number;
  state: AssignmentItemState;
  note: string | null;
}
