import type { IdempotencyKeysTable } from '../http/idempotency.table';
import type {
  CustomerContactsTable,
  CustomersTable,
  DealsTable,
  FollowUpsTable,
} from '../modules/customers/customers.table';
import type { DepartmentsTable, UserDepartmentsTable, UsersTable } from '../modules/org/org.table';
import type {
  ClaimCountersTable,
  OwnershipEventsTable,
  PoolDepartmentsTable,
  PoolMembersTable,
  PoolRulesTable,
  PoolsTable,
} from '../modules/pool/pool.table';
import type { PlatformEventsTable } from '../modules/integrations/platform-events.table';
import type { TenantsTable } from '../modules/tenants/tenants.table';

/** Every table Kysely knows about. */
export interface Database {
  tenants: TenantsTable;
  departments: DepartmentsTable;
  users: UsersTable;
  user_departments: UserDepartmentsTable;
  pools: PoolsTable;
  pool_departments: PoolDepartmentsTable;
  pool_members: PoolMembersTable;
  pool_rules: PoolRulesTable;
  customers: CustomersTable;
  customer_contacts: CustomerContactsTable;
  ownership_events: OwnershipEventsTable;
  follow_ups: FollowUpsTable;
  deals: DealsTable;
  idempotency_keys: IdempotencyKeysTable;
  claim_counters: ClaimCountersTable;
  platform_events: PlatformEventsTable;
}
