export interface PlatformEventsTable {
  tenant_id: string;
  event_id: string;
  type: string;
  /** The PlatformEvent as JSON. */
  payload: string;
  occurred_at: number;
  received_at: number;
  deliveries: number;
  handled_at: number | null;
  error: string | null;
}
