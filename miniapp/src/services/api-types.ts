/**
 * Wire types of the server's API, imported (types only, erased at build) from the server's own DTOs and zod schemas,
 * so a contract change on the server fails `tsc -p miniapp` instead of a page at run time.
 */
import type { z } from 'zod';
import type { AssignmentDto, StarterPack, StarterPackItem, UnavailableCustomer, createAssignmentBody, listAssignmentsQuery, suggestQuery } from '../../../server/src/modules/assignments/assignments';
import type { AssignmentItemState, AssignmentStatus } from '../../../server/src/modules/assignments/assignments.table';
import type { CustomerDto, contactBody, createCustomerBody, dealBody, followUpBody, updateContactBody, updateCustomerBody } from '../../../server/src/modules/customers/customers';
import type { customerProfile } from '../../../server/src/modules/customers/customers.service';
import type { AdminPool, AdminRule, poolBody, previewBody } from '../../../server/src/modules/pool/pool-admin';
import type { previewPool } from '../../../server/src/modules/pool/pool-admin.service';
import type { Pool, claimBody, nearbyQuery, poolListQuery, releaseBody } from '../../../server/src/modules/pool/pool';
import type { RuleKind } from '../../../server/src/modules/pool/pool.table';
import type { OrgUserDto, orgUsersQuery } from '../../../server/src/modules/org/org.routes';
import type { AdminDepartmentNode } from '../../../server/src/modules/org/department-admin.repository';
import type { AdminUserDto, adminUsersQuery } from '../../../server/src/modules/org/roles';
import type { OnboardingStep } from '../../../server/src/modules/onboarding/onboarding';
import type { ArchiveResult } from '../../../server/src/modules/pool/pool-admin.service';
import type { PoolCustomerCounts } from '../../../server/src/modules/pool/pool-counts.repository';
import type { CalendarDay, calendarBody } from '../../../server/src/modules/reclaim/calendar-admin';
import type { PhotoDto, VisitDto, checkInBody, finishBody, reviewBody, visitListQuery } from '../../../server/src/modules/visits/visits';
import type { DashboardResponse, Figures as DashboardFigures, RegionFigures, SeriesPoint, SaturationVerdict } from '../../../server/src/modules/dashboard/dashboard';
import type { LatestReclaim, LatestReclaimsResponse, TeamMember, TeamResponse } from '../../../server/src/modules/team/team';
import type { AppealDto, ReclaimedItem, appealDecisionBody } from '../../../server/src/modules/reclaim/appeal';
import type { PendingHandoverDto } from '../../../server/src/modules/org/handover';
import type { TransferResult } from '../../../server/src/modules/pool/transfer';

export type { AdminPool, AdminRule, AssignmentDto, AssignmentItemState, AssignmentStatus, CalendarDay, CustomerDto, OrgUserDto, PhotoDto, Pool, RuleKind, StarterPack, StarterPackItem, UnavailableCustomer, VisitDto };

export type Role = 'rep' | 'manager' | 'hr' | 'admin';

/** `POST /api/v1/auth/login` → the session. */
export interface LoginResult {
  token: string;
  expiresIn: number;
  user: { id: string; name: string; roles: Role[]; departmentIds: string[] };
  tenant: { id: string; name: string; platform: 'dingtalk' | 'wecom' };
}

export interface NearbyItem {
  id: number;
  name: string;
  address: string;
  lat: number;
  lng: number;
  distanceM: number;
  level: string;
  poolId: number;
  /** The pool's claim radius (m): 领取 there first takes a nonce and fixes. Null: no location needed. */
  claimRadiusM: number | null;
}

export type CustomerProfile = Awaited<ReturnType<typeof customerProfile>>;
export type TimelineItem = CustomerProfile['timeline'][number];

export type NearbyQuery = z.input<typeof nearbyQuery>;
export type PoolListQuery = z.input<typeof poolListQuery>;
export type ClaimBody = z.input<typeof claimBody>;
export type ReleaseBody = z.input<typeof releaseBody>;
export type CreateCustomerBody = z.input<typeof createCustomerBody>;
/** `PATCH /api/v1/customers/:id` and the contact routes under it (the profile page's 编辑). */
export type UpdateCustomerBody = z.input<typeof updateCustomerBody>;
export type ContactBody = z.input<typeof contactBody>;
export type UpdateContactBody = z.input<typeof updateContactBody>;
export type ContactDto = CustomerProfile['contacts'][number];
export type FollowUpBody = z.input<typeof followUpBody>;
export type DealBody = z.input<typeof dealBody>;
export type CheckInBody = z.input<typeof checkInBody>;
export type FinishBody = z.input<typeof finishBody>;
export type VisitListQuery = z.input<typeof visitListQuery>;
/** `POST /api/v1/visits/:id/review`: 通过 (`verified`) or 驳回 (`rejected`), with an optional note. */
export type ReviewBody = z.input<typeof reviewBody>;
export type PoolBody = z.input<typeof poolBody>;
export type PreviewBody = z.input<typeof previewBody>;
export type PreviewResult = Awaited<ReturnType<typeof previewPool>>;
export type CreateAssignmentBody = z.input<typeof createAssignmentBody>;
export type SuggestQuery = z.input<typeof suggestQuery>;
export type AssignmentListQuery = z.input<typeof listAssignmentsQuery>;
/** `POST /api/v1/assignments` → 201: the request and every customer that could not be reserved, with why. */
export interface CreateAssignmentResult {
  assignment: AssignmentDto;
  unavailable: UnavailableCustomer[];
}
export type OrgUsersQuery = z.input<typeof orgUsersQuery>;
/** 组织与角色 and 公海池 (admin): the department tree, users and their roles, customers per pool, the 开通向导 steps. */
export type { AdminDepartmentNode, AdminUserDto, ArchiveResult, OnboardingStep, PoolCustomerCounts };
export type AdminUsersQuery = z.input<typeof adminUsersQuery>;
export type CalendarBody = z.input<typeof calendarBody>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /api/v1/dashboard/pools`: the server's own answer type. */
export type DashboardPools = DashboardResponse;
export type { DashboardFigures, LatestReclaim, LatestReclaimsResponse, RegionFigures, SaturationVerdict, SeriesPoint, TeamMember, TeamResponse };

/** Appeals against a reclaim: the rep's reclaimed customers, an appeal, a manager's decision. */
export type { AppealDto, ReclaimedItem };
export type AppealDecisionBody = z.input<typeof appealDecisionBody>;

/** The filters of `GET /api/v1/admin/customers/export.xlsx`; each left out exports all. */
export interface CustomerExportFilter {
  poolId?: number;
  status?: 'pool' | 'owned';
  ownerId?: string;
}

/** The answer of `POST /api/v1/admin/customers/import` (the same for a dry run and the real run of one file). */
export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  geocoded: number;
  duplicates: { row: number; existingId: number | null; sameAsRow: number | null; reason: 'name' | 'phone' | 'place' }[];
  errors: { row: number; column: string | null; message: string }[];
}

/** 离职交接: a leaver waiting for a successor, and what a handover answers. */
export type { PendingHandoverDto };
export type HandoverResult = TransferResult & { reason: string };
