import type { Photo } from '@/platform/platform';
import type {
  AdminDepartmentNode,
  AdminPool,
  AdminUserDto,
  AdminUsersQuery,
  AppealDecisionBody,
  AppealDto,
  ReclaimedItem,
  ArchiveResult,
  OnboardingStep,
  PoolCustomerCounts,
  Role,
  AssignmentDto,
  AssignmentListQuery,
  CalendarBody,
  CalendarDay,
  CheckInBody,
  ClaimBody,
  ContactBody,
  ContactDto,
  CreateAssignmentBody,
  CreateAssignmentResult,
  CreateCustomerBody,
  CustomerDto,
  CustomerExportFilter,
  CustomerProfile,
  DashboardPools,
  DealBody,
  FinishBody,
  FollowUpBody,
  ImportReport,
  LatestReclaimsResponse,
  NearbyItem,
  NearbyQuery,
  OrgUserDto,
  OrgUsersQuery,
  PendingHandoverDto,
  HandoverResult,
  Page,
  PhotoDto,
  Pool,
  PoolBody,
  PoolListQuery,
  PreviewBody,
  PreviewResult,
  ReleaseBody,
  ReviewBody,
  StarterPack,
  SuggestQuery,
  TeamResponse,
  UpdateContactBody,
  UpdateCustomerBody,
  VisitDto,
  VisitListQuery,
} from './api-types';
import type { ApiClient } from './request';

/** The export's file name by the local date: 客户导出-2026-12-07.xlsx. */
export function exportFilename(today: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `客户导出-${today.getFullYear()}-${two(today.getMonth() + 1)}-${two(today.getDate())}.xlsx`;
}

/** Typed calls for every endpoint of DESIGN §9 the app uses; each is one line over ApiClient. */
export function createApi(client: ApiClient) {
  const get = <T>(path: string, query?: Record<string, string | number | boolean | undefined | null>) => client.request<T>('GET', path, { query });
  const post = <T>(path: string, body?: unknown, idempotencyKey?: string) => client.request<T>('POST', path, { body: body ?? {}, idempotencyKey });
  const put = <T>(path: string, body: unknown) => client.request<T>('PUT', path, { body });
  const patch = <T>(path: string, body: unknown) => client.request<T>('PATCH', path, { body });
  const del = <T>(path: string) => client.request<T>('DELETE', path);

  return {
    pool: {
      nearby: (q: NearbyQuery) => get<{ items: NearbyItem[] }>('/api/v1/pool/nearby', q as Record<string, string | number>),
      customers: (q: PoolListQuery = {}) => get<Page<CustomerDto>>('/api/v1/pool/customers', q as Record<string, string | number>),
      pools: () => get<{ items: (Pool & { member: boolean })[] }>('/api/v1/pools'),
    },
    customers: {
      claim: (id: number, body: ClaimBody = {}, idempotencyKey?: string) => post<{ customer: CustomerDto }>(`/api/v1/customers/${id}/claim`, body, idempotencyKey),
      release: (id: number, body: ReleaseBody) => post<{ customer: CustomerDto }>(`/api/v1/customers/${id}/release`, body),
      assign: (id: number, body: { userId: string; reason: string; force?: boolean }) => post<{ customer: CustomerDto }>(`/api/v1/customers/${id}/assign`, body),
      mine: () => get<{ items: CustomerDto[] }>('/api/v1/me/customers'),
      releaseReasons: () => get<{ items: string[] }>('/api/v1/me/release-reasons'),
      profile: (id: number) => get<{ customer: CustomerProfile }>(`/api/v1/customers/${id}`),
      create: (body: CreateCustomerBody) => post<{ customer: CustomerDto }>('/api/v1/customers', body),
      followUp: (id: number, body: FollowUpBody) => post<{ followUp: unknown }>(`/api/v1/customers/${id}/follow-ups`, body),
      deal: (id: number, body: DealBody) => post<{ deal: unknown }>(`/api/v1/customers/${id}/deals`, body),
      setDealStatus: (id: number, dealId: number, status: 'open' | 'won' | 'lost') => patch<{ deal: unknown }>(`/api/v1/customers/${id}/deals/${dealId}`, { status }),
      update: (id: number, body: UpdateCustomerBody) => patch<{ customer: CustomerProfile }>(`/api/v1/customers/${id}`, body),
      addContact: (id: number, body: ContactBody) => post<{ contact: ContactDto }>(`/api/v1/customers/${id}/contacts`, body),
      editContact: (id: number, contactId: number, body: UpdateContactBody) => patch<{ contact: ContactDto }>(`/api/v1/customers/${id}/contacts/${contactId}`, body),
      removeContact: (id: number, contactId: number) => del<void>(`/api/v1/customers/${id}/contacts/${contactId}`),
    },
    visits: {
      nonce: () => post<{ nonce: string; expiresAt: string }>('/api/v1/visits/nonce'),
      // A user-level retry of a check-in passes the first attempt's key (and body): the server answers it once.
      checkIn: (body: CheckInBody, idempotencyKey?: string) => post<{ visit: VisitDto; photoToken: string }>('/api/v1/visits', body, idempotencyKey),
      uploadPhoto: (visitId: number, photo: Photo, photoToken: string) =>
        client.uploadPhoto<{ photo: PhotoDto }>(`/api/v1/visits/${visitId}/photos`, photo, { 'x-photo-token': photoToken }),
      finish: (visitId: number, body: FinishBody = {}) => post<{ visit: VisitDto }>(`/api/v1/visits/${visitId}/finish`, body),
      mine: (q: VisitListQuery = {}) => get<Page<VisitDto>>('/api/v1/me/visits', q as Record<string, string | number>),
      review: (q: VisitListQuery = {}) => get<Page<VisitDto>>('/api/v1/visits/review', q as Record<string, string | number>),
      decide: (visitId: number, body: ReviewBody) => post<{ visit: VisitDto }>(`/api/v1/visits/${visitId}/review`, body),
    },
    admin: {
      pools: () => get<{ items: AdminPool[] }>('/api/v1/admin/pools'),
      updatePool: (id: number, body: PoolBody) => put<{ pool: AdminPool }>(`/api/v1/admin/pools/${id}`, body),
      createPool: (body: PoolBody) => post<{ pool: AdminPool }>('/api/v1/admin/pools', body),
      archivePool: (id: number, moveCustomersToPoolId: number) => post<ArchiveResult>(`/api/v1/admin/pools/${id}/archive`, { moveCustomersToPoolId }),
      poolCounts: () => get<{ items: PoolCustomerCounts[] }>('/api/v1/admin/pool-counts'),
      departments: () => get<{ items: AdminDepartmentNode[] }>('/api/v1/admin/departments'),
      setRegion: (id: string, region: boolean) => put<{ department: unknown }>(`/api/v1/admin/departments/${encodeURIComponent(id)}`, { region }),
      users: (q: AdminUsersQuery = {}) => get<{ total: number; items: AdminUserDto[] }>('/api/v1/admin/users', q as Record<string, string | number>),
      setRoles: (userId: string, roles: Role[]) => put<{ user: AdminUserDto }>(`/api/v1/admin/users/${encodeURIComponent(userId)}/roles`, { roles }),
      onboarding: () => get<{ steps: OnboardingStep[] }>('/api/v1/admin/onboarding'),
      preview: (id: number, body: PreviewBody = {}) => post<PreviewResult>(`/api/v1/admin/pools/${id}/preview`, body),
      calendar: (year?: number) => get<{ year: number; days: CalendarDay[] }>('/api/v1/admin/calendar', { year }),
      setCalendar: (body: CalendarBody) => put<{ year: number; days: CalendarDay[] }>('/api/v1/admin/calendar', body),
      importCustomers: (file: Photo, filename: string, poolId: number, dryRun: boolean) =>
        client.uploadFile<ImportReport>('/api/v1/admin/customers/import', file, { field: 'file', filename, fields: { poolId: String(poolId), dryRun: String(dryRun) } }),
      /** Saves (H5) or opens (WeCom) the customers as .xlsx, `客户导出-YYYY-MM-DD.xlsx` by the device's date. */
      exportCustomers: (filter: CustomerExportFilter, today: Date = new Date()) =>
        client.saveFile('/api/v1/admin/customers/export.xlsx', { query: { ...filter }, filename: exportFilename(today), fileType: 'xlsx' }),
      verifyEvidence: () => get<{ ok: boolean; entries: number; firstBrokenSeq: number | null }>('/api/v1/admin/evidence/verify'),
    },
    assignments: {
      create: (body: CreateAssignmentBody, idempotencyKey?: string) => post<CreateAssignmentResult>('/api/v1/assignments', body, idempotencyKey),
      suggest: (q: SuggestQuery) => get<StarterPack>('/api/v1/assignments/suggest', q as Record<string, string | number>),
      list: (q: AssignmentListQuery = {}) => get<Page<AssignmentDto>>('/api/v1/assignments', q as Record<string, string | number>),
      get: (id: number) => get<{ assignment: AssignmentDto }>(`/api/v1/assignments/${id}`),
    },
    org: {
      users: (q: OrgUsersQuery = {}) => get<{ items: OrgUserDto[] }>('/api/v1/org/users', q as Record<string, string | number>),
    },
    dashboard: {
      pools: (q: { from?: string; to?: string; regionId?: string } = {}) => get<DashboardPools>('/api/v1/dashboard/pools', q),
    },
    team: {
      list: () => get<TeamResponse>('/api/v1/team'),
      customers: (userId: string) => get<{ user: { userId: string; name: string }; items: CustomerDto[] }>(`/api/v1/team/${encodeURIComponent(userId)}/customers`),
      latestReclaims: () => get<LatestReclaimsResponse>('/api/v1/reclaims/latest'),
    },
    appeals: {
      reclaimed: () => get<{ appealDays: number; items: ReclaimedItem[] }>('/api/v1/me/reclaimed'),
      file: (customerId: number, reason: string) => post<{ appeal: AppealDto }>(`/api/v1/customers/${customerId}/appeal`, { reason }),
      list: (status: 'open' | 'accepted' | 'declined' | 'all' = 'open') => get<{ items: AppealDto[] }>('/api/v1/appeals', { status }),
      decide: (id: number, body: AppealDecisionBody) => post<{ appeal: AppealDto }>(`/api/v1/appeals/${id}/decision`, body),
    },
    handovers: {
      pending: () => get<{ items: PendingHandoverDto[] }>('/api/v1/handovers', { status: 'pending' }),
      handOver: (userId: string, toUserId: string, force = false) => post<HandoverResult>(`/api/v1/admin/users/${encodeURIComponent(userId)}/handover`, { toUserId, force }),
    },
    platform: {
      jsapiSignature: (url: string) =>
        get<{ platform: 'dingtalk' | 'wecom'; corpId: string; agentId: string; timestamp: string; nonceStr: string; signature: string; agentSignature?: string }>(
          '/api/v1/platform/jsapi-signature',
          { url },
        ),
    },
  };
}

export type Api = ReturnType<typeof createApi>;
