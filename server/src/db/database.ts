import type { AssignmentItemsTable, AssignmentRequestsTable } from '../modules/assignments/assignments.table';
import type { DashboardSnapshotsTable } from '../modules/dashboard/dashboard.table';
import type { IdempotencyKeysTable } from '../http/idempotency.table';
import type { RateLimitsTable } from '../http/rate-limit.table';
import type {
  CustomerContactsTable,
  CustomerEditsTable,
  CustomersTable,
  DealsTable,
  FollowUpsTable,
} from '../modules/customers/customers.table';
import type { CustomerMergesTable } from '../modules/customers/customer-merge.table';
import type { ChangeStampsTable } from './change-stamps';
import type { DashboardCheckpointsTable } from '../modules/dashboard/checkpoint.repository';
import type { DepartmentsTable, UserDepartmentsTable, UsersTable } from '../modules/org/org.table';
import type { RoleChangesTable } from '../modules/org/roles.table';
import type { PendingHandoversTable } from '../modules/org/handover.table';
import type { AppealsTable } from '../modules/reclaim/appeal.table';
import type {
  ClaimCountersTable,
  OwnershipEventsTable,
  PoolDepartmentsTable,
  PoolMembersTable,
  PoolRulesTable,
  PoolRuleVersionsTable,
  PoolsTable,
} from '../modules/pool/pool.table';
import type { PlatformEventsTable } from '../modules/integrations/platform-events.table';
import type { EvidenceChainTable, EvidenceHeadsTable, EvidenceTipsTable } from '../modules/evidence/evidence.table';
import type { BssidSightingsTable, RepDevicesTable, RepLastFixesTable, VisitNoncesTable, VisitPhotosTable, VisitsTable } from '../modules/visits/visits.table';
import type { ReclaimRemindersTable, ReclaimRunsTable, TenantCalendarDaysTable } from '../modules/reclaim/reclaim.table';
import type { JobLeasesTable } from '../jobs/job-leases.table';
import type { OutboxRobotSendsTable, OutboxTable } from '../modules/notify/outbox.table';
import type { TenantsTable } from '../modules/tenants/tenants.table';

/** Every table Kysely knows about. */
export interface Database {
  tenants: TenantsTable;
  departments: DepartmentsTable;
  users: UsersTable;
  user_departments: UserDepartmentsTable;
  role_changes: RoleChangesTable;
  pending_handovers: PendingHandoversTable;
  appeals: AppealsTable;
  pools: PoolsTable;
  pool_departments: PoolDepartmentsTable;
  pool_members: PoolMembersTable;
  pool_rules: PoolRulesTable;
  customers: CustomersTable;
  customer_contacts: CustomerContactsTable;
  customer_edits: CustomerEditsTable;
  customer_merges: CustomerMergesTable;
  change_stamps: ChangeStampsTable;
  dashboard_checkpoints: DashboardCheckpointsTable;
  ownership_events: OwnershipEventsTable;
  follow_ups: FollowUpsTable;
  deals: DealsTable;
  idempotency_keys: IdempotencyKeysTable;
  claim_counters: ClaimCountersTable;
  platform_events: PlatformEventsTable;
  visit_nonces: VisitNoncesTable;
  visits: VisitsTable;
  bssid_sightings: BssidSightingsTable;
  rep_last_fixes: RepLastFixesTable;
  rep_devices: RepDevicesTable;
  visit_photos: VisitPhotosTable;
  evidence_tips: EvidenceTipsTable;
  evidence_chain: EvidenceChainTable;
  evidence_heads: EvidenceHeadsTable;
  outbox: OutboxTable;
  outbox_robot_sends: OutboxRobotSendsTable;
  job_leases: JobLeasesTable;
  pool_rule_versions: PoolRuleVersionsTable;
  tenant_calendar_days: TenantCalendarDaysTable;
  reclaim_runs: ReclaimRunsTable;
  reclaim_reminders: ReclaimRemindersTable;
  assignment_requests: AssignmentRequestsTable;
  assignment_items: AssignmentItemsTable;
  dashboard_snapshots: DashboardSnapshotsTable;
  rate_limits: RateLimitsTable;
}
