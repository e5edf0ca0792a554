import type { Generated } from 'kysely';

export type AppealStatus = 'open' | 'accepted' | 'declined';

/** A rep's appeal against a reclaim (issue 19 item 7): one per reclaim ledger row. */
export interface AppealsTable {
  id: Generated<number>;
  tenant_id: string;
  customer_id: number;
  /** The rep the customer was reclaimed from. */
  user_id: string;
  /** The `reclaimed` ledger row appealed against (unique per tenant). */
  reclaim_event_id: number;
  reason: string;
  status: AppealStatus;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  decision_note: string | null;
}
