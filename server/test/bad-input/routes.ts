/**
 * Every route of the API as the bad-input suite sees it: who may call it, which path ids it takes and what its body and
 * query carry. A new route belongs here; `routes.test` in this folder checks the table against the routers.
 */

/** Which demo user calls the route (tenant demo-dingtalk); `none` for routes without login. */
export type Caller = 'rep01' | 'mgr-east' | 'hr01' | 'admin01' | 'none';

/** A body or query field, by the kind of value it takes: the suite sends every other kind. */
export interface Field {
  kind: 'number' | 'int' | 'string' | 'boolean' | 'enum' | 'array' | 'object' | 'date';
  /** Leaving it out is a 400. */
  required?: boolean;
  /** null is a value it takes. */
  nullable?: boolean;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With `:name` placeholders, filled from `ids` below (a real row, so validation is what answers). */
  path: string;
  as: Caller;
  body?: Record<string, Field>;
  query?: Record<string, Field>;
  /** The query takes no other keys (a 400 for an unknown one). */
  strictQuery?: boolean;
  /** Not an ordinary JSON route: its own generator. */
  special?: 'photos' | 'sheet' | 'dingtalk-callback' | 'wecom-callback';
}

const n = (required = false, nullable = false): Field => ({ kind: 'number', required, nullable });
const i = (required = false, nullable = false): Field => ({ kind: 'int', required, nullable });
const s = (required = false): Field => ({ kind: 'string', required });
const e = (required = false): Field => ({ kind: 'enum', required });
const b = (): Field => ({ kind: 'boolean' });
const a = (required = false): Field => ({ kind: 'array', required });
const o = (required = false): Field => ({ kind: 'object', required });
const d = (): Field => ({ kind: 'date' });

const page = { cursor: s(), limit: i() };
/** A pool's settings and rules: the body of both creating and editing a pool. */
const poolBody = () => ({
  name: s(true),
  parentPoolId: i(false, true),
  escalateAfterDays: i(false, true),
  escalateToPoolId: i(false, true),
  maxOwnedPerRep: i(true),
  maxOwnedPerLevel: o(),
  capExcludesWon: b(),
  dailyClaimLimit: i(true),
  priorOwnerCooldownDays: i(true),
  claimRadiusM: i(false, true),
  departmentIds: a(),
  rules: a(true),
});

export const routes: RouteSpec[] = [
  { method: 'GET', path: '/healthz', as: 'none' },
  { method: 'POST', path: '/api/v1/auth/login', as: 'none', body: { platform: e(true), corpId: s(true), code: s(true), channel: e() } },
  { method: 'POST', path: '/callbacks/dingtalk/:tenantId', as: 'none', special: 'dingtalk-callback' },
  { method: 'GET', path: '/callbacks/wecom/:tenantId', as: 'none', special: 'wecom-callback' },
  { method: 'POST', path: '/callbacks/wecom/:tenantId', as: 'none', special: 'wecom-callback' },

  { method: 'GET', path: '/api/v1/pool/nearby', as: 'rep01', query: { lat: n(true), lng: n(true), radius: i(), coord: e(), limit: i() } },
  { method: 'GET', path: '/api/v1/pool/customers', as: 'rep01', query: { poolId: i(), q: s(), ...page } },
  { method: 'GET', path: '/api/v1/pools', as: 'rep01' },
  { method: 'POST', path: '/api/v1/customers/:customerId/claim', as: 'rep01', body: { lat: n(), lng: n(), accuracy: n(), coord: e() } },
  { method: 'POST', path: '/api/v1/customers/:customerId/release', as: 'rep01', body: { reason: s(), note: s() } },
  { method: 'POST', path: '/api/v1/customers/:customerId/assign', as: 'mgr-east', body: { userId: s(true), reason: s(true), force: b() } },
  { method: 'POST', path: '/api/v1/customers/transfer', as: 'mgr-east', body: { customerIds: a(), fromUserId: s(), toUserId: s(), toPoolId: i(), reason: s(true), force: b() } },
  { method: 'POST', path: '/api/v1/customers/:customerId/appeal', as: 'rep01', body: { reason: s(true) } },
  { method: 'GET', path: '/api/v1/appeals', as: 'mgr-east', query: { status: e() } },
  { method: 'GET', path: '/api/v1/handovers', as: 'mgr-east', query: { status: e() } },
  { method: 'GET', path: '/api/v1/me/reclaimed', as: 'rep01' },
  { method: 'POST', path: '/api/v1/appeals/:appealId/decision', as: 'mgr-east', body: { decision: e(true), note: s(), force: b() } },

  {
    method: 'POST',
    path: '/api/v1/customers',
    as: 'rep01',
    body: { name: s(true), address: s(true), lat: n(true), lng: n(true), coord: e(), level: e(), tags: a(), contacts: a(), poolId: i() },
  },
  { method: 'GET', path: '/api/v1/customers/:customerId', as: 'rep01' },
  { method: 'GET', path: '/api/v1/me/customers', as: 'rep01' },
  { method: 'GET', path: '/api/v1/me/release-reasons', as: 'rep01' },
  { method: 'POST', path: '/api/v1/customers/:customerId/follow-ups', as: 'rep01', body: { kind: e(true), content: s(true) } },
  { method: 'POST', path: '/api/v1/customers/:customerId/deals', as: 'rep01', body: { title: s(true), amount: n(true), status: e() } },
  { method: 'PATCH', path: '/api/v1/customers/:customerId/deals/:dealId', as: 'rep01', body: { status: e(true) } },
  { method: 'PATCH', path: '/api/v1/customers/:customerId', as: 'rep01', body: { name: s(), address: s(), lat: n(), lng: n(), coord: e(), level: e(), tags: a(), force: b() } },
  { method: 'POST', path: '/api/v1/customers/:customerId/contacts', as: 'rep01', body: { name: s(true), title: s(), phone: s() } },
  { method: 'PATCH', path: '/api/v1/customers/:customerId/contacts/:contactId', as: 'rep01', body: { name: s(), title: s(), phone: s() } },
  { method: 'DELETE', path: '/api/v1/customers/:customerId/contacts/:contactId', as: 'rep01' },
  { method: 'POST', path: '/api/v1/admin/customers/:customerId/merge', as: 'admin01', body: { intoId: i(true) } },

  { method: 'POST', path: '/api/v1/visits/nonce', as: 'rep01' },
  { method: 'POST', path: '/api/v1/visits', as: 'rep01', body: { customerId: i(true), nonce: s(), fixes: a(true), wifi: a(), device: o(true) } },
  { method: 'POST', path: '/api/v1/visits/:visitId/photos', as: 'rep01', special: 'photos' },
  { method: 'POST', path: '/api/v1/visits/:visitId/finish', as: 'rep01', body: { fix: o(), notes: s(), feedback: s() } },
  { method: 'GET', path: '/api/v1/me/visits', as: 'rep01', query: { verdict: e(), ...page } },
  { method: 'GET', path: '/api/v1/visits/review', as: 'mgr-east', query: { verdict: e(), ...page } },
  { method: 'POST', path: '/api/v1/visits/:visitId/review', as: 'mgr-east', body: { decision: e(true), note: s() } },
  { method: 'GET', path: '/api/v1/photos/:photoId', as: 'rep01' },

  { method: 'GET', path: '/api/v1/team', as: 'mgr-east' },
  { method: 'GET', path: '/api/v1/team/:userId/customers', as: 'mgr-east' },
  { method: 'GET', path: '/api/v1/reclaims/latest', as: 'mgr-east' },
  { method: 'GET', path: '/api/v1/org/users', as: 'hr01', query: { q: s(), recent: e(), limit: i() } },

  { method: 'GET', path: '/api/v1/dashboard/pools', as: 'admin01', query: { from: d(), to: d(), regionId: s() } },
  { method: 'GET', path: '/api/v1/dashboard/pools.csv', as: 'admin01', query: { from: d(), to: d(), regionId: s() } },

  { method: 'GET', path: '/api/v1/admin/pools', as: 'admin01' },
  { method: 'GET', path: '/api/v1/admin/pool-counts', as: 'admin01' },
  { method: 'GET', path: '/api/v1/admin/departments', as: 'admin01' },
  { method: 'GET', path: '/api/v1/admin/onboarding', as: 'admin01' },
  { method: 'POST', path: '/api/v1/admin/customers/import', as: 'admin01', special: 'sheet' },
  { method: 'GET', path: '/api/v1/admin/customers/export.xlsx', as: 'admin01', query: { poolId: i(), status: e(), ownerId: s() } },
  {
    method: 'PUT',
    path: '/api/v1/admin/pools/:poolId',
    as: 'admin01',
    body: poolBody(),
  },
  {
    method: 'POST',
    path: '/api/v1/admin/pools',
    as: 'admin01',
    body: poolBody(),
  },
  { method: 'POST', path: '/api/v1/admin/pools/:poolId/archive', as: 'admin01', body: { moveCustomersToPoolId: i(true) } },
  { method: 'PUT', path: '/api/v1/admin/departments/:departmentId', as: 'admin01', body: { region: { kind: 'boolean', required: true } } },
  { method: 'POST', path: '/api/v1/admin/pools/:poolId/preview', as: 'mgr-east', body: { rules: a(), now: d() } },
  { method: 'GET', path: '/api/v1/admin/calendar', as: 'admin01', query: { year: i() } },
  { method: 'PUT', path: '/api/v1/admin/calendar', as: 'admin01', body: { year: i(), days: a(true) } },
  { method: 'GET', path: '/api/v1/admin/evidence/verify', as: 'admin01', query: {}, strictQuery: true },
  { method: 'GET', path: '/api/v1/admin/outbox/dead', as: 'admin01', query: { limit: i() }, strictQuery: true },
  { method: 'POST', path: '/api/v1/admin/outbox/:outboxId/retry', as: 'admin01' },
  { method: 'GET', path: '/api/v1/admin/users', as: 'admin01', query: { q: s(), role: e(), limit: i(), offset: i() } },
  { method: 'PUT', path: '/api/v1/admin/users/:userId/roles', as: 'admin01', body: { roles: a(true) } },
  { method: 'POST', path: '/api/v1/admin/users/:userId/handover', as: 'admin01', body: { toUserId: s(true), force: b() } },
  { method: 'GET', path: '/api/v1/admin/settings', as: 'admin01' },
  { method: 'PUT', path: '/api/v1/admin/settings', as: 'admin01', body: { departurePolicy: e(), appealDays: i() } },

  { method: 'GET', path: '/api/v1/platform/jsapi-signature', as: 'rep01', query: { url: s(true) } },

  { method: 'GET', path: '/api/v1/assignments/suggest', as: 'hr01', query: { assigneeUserId: s(true), count: i(), lat: n(), lng: n(), coord: e() } },
  { method: 'POST', path: '/api/v1/assignments', as: 'hr01', body: { assigneeUserId: s(true), customerIds: a(true), reason: s(true), overrideCap: b() } },
  { method: 'GET', path: '/api/v1/assignments', as: 'hr01', query: { status: e(), ...page } },
  { method: 'GET', path: '/api/v1/assignments/:assignmentId', as: 'hr01' },
];
