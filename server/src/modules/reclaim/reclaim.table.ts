export interface TenantCalendarDaysTable {
  tenant_id: string;
  /** YYYY-MM-DD, local. */
  day: string;
  /** `holiday`: a weekday off; `workday`: a weekend day worked (调休). */
  kind: 'holiday' | 'workday';
  note: string | null;
}

export interface ReclaimRunsTable {
  tenant_id: string;
  run_date: string;
  started_at: number;
  finished_at: number | null;
  /** JSON of the run's summary once finished. */
  summary: string | null;
}

export interface ReclaimRemindersTable {
  tenant_id: string;
  customer_id: number;
  rule_id: number;
  days_before: number;
  anchor: number;
  sent_at: number;
}
