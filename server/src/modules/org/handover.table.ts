import type { Generated } from 'kysely';

export type HandoverStatus = 'open' | 'handed_over' | 'to_pool';

/** A leaver's customers waiting for the manager to pick a successor (departure policy `successor`). */
export interface PendingHandoversTable {
  id: Generated<number>;
  tenant_id: string;
  /** The leaver. */
  user_id: string;
  /** Who is asked to pick the successor (the leaver's manager when they had an active one). */
  manager_id: string | null;
  status: HandoverStatus;
  /** Customers the leaver owned when they left. */
  customers: number;
  /** After this instant the hourly job sends what is left to the pool. */
  due_at: number;
  created_at: number;
  resolved_at: number | null;
  /** Who handed them over; null when the job sent them to the pool. */
  resolved_by: string | null;
  to_user_id: string | null;
}
