import type { Insertable } from 'kysely';
import type { Db } from '../src/db/create-db';
import { encodeGeohash } from '../src/geo/geo';
import { nameKey } from '../src/modules/customers/duplicates';
import { refreshPoolMembers } from '../src/modules/pool/pool.repository';
import type { VisitsTable } from '../src/modules/visits/visits.table';

/** Adds `count` active reps to a department (default 上海一组) and refreshes pool membership. */
export async function addReps(db: Db, tenantId: string, count: number, opts: { prefix?: string; departmentId?: string; now?: number } = {}): Promise<string[]> {
  const prefix = opts.prefix ?? 'extra';
  const now = opts.now ?? Date.now();
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
  await db
    .insertInto('users')
    .values(ids.map((id) => ({ tenant_id: tenantId, id, name: `测试${id}`, mobile: null, title: '销售代表', manager_id: null, hired_date: null, active: 1, left_at: null, roles: 'rep', created_at: now, updated_at: now })))
    .execute();
  await db
    .insertInto('user_departments')
    .values(ids.map((id) => ({ tenant_id: tenantId, user_id: id, department_id: opts.departmentId ?? '21', is_leader: 0 })))
    .execute();
  await refreshPoolMembers(db, tenantId);
  return ids;
}

export async function poolIdByName(db: Db, tenantId: string, name: string): Promise<number> {
  const row = await db.selectFrom('pools').select('id').where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

/** Pool customers of a pool, lowest ids first. */
export async function poolCustomerIds(db: Db, tenantId: string, poolId: number, count: number): Promise<number[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('pool_id', '=', poolId)
    .where('status', '=', 'pool')
    .where('prior_owner_id', 'is', null)
    .orderBy('id')
    .limit(count)
    .execute();
  return rows.map((r) => r.id);
}

/** Inserts a pool customer at a point (GCJ-02) and its `created` ledger row. */
export async function insertPoolCustomer(db: Db, tenantId: string, poolId: number, p: { name: string; lat: number; lng: number; level?: string; now: number }): Promise<number> {
  const res = await db
    .insertInto('customers')
    .values({ tenant_id: tenantId, name: p.name, name_key: nameKey(p.name), address: '测试地址', lat: p.lat, lng: p.lng, geohash: encodeGeohash(p.lat, p.lng), level: p.level ?? 'C', tags: '[]', status: 'pool', pool_id: poolId, owner_id: null, owned_since: null, pool_entered_at: p.now, created_by: null, created_at: p.now, updated_at: p.now })
    .executeTakeFirstOrThrow();
  const id = Number(res.insertId);
  await db.insertInto('ownership_events').values({ tenant_id: tenantId, customer_id: id, type: 'created', from_user_id: null, to_user_id: null, from_pool_id: null, to_pool_id: poolId, actor_id: null, reason: null, rule_id: null, rule_version: null, evidence: null, at: p.now }).execute();
  return id;
}

/** Replays the ledger: the owner each customer should have after its last event. */
export async function ownersFromLedger(db: Db, tenantId: string): Promise<Map<number, string | null>> {
  const rows = await db.selectFrom('ownership_events').select(['customer_id', 'to_user_id']).where('tenant_id', '=', tenantId).orderBy('id').execute();
  const owners = new Map<number, string | null>();
  for (const r of rows) owners.set(r.customer_id, r.to_user_id);
  return owners;
}

/** A finished visit row with a verdict, checked in at `at` and ten minutes long: for hand-built scenarios. */
export function finishedVisitRow(tenantId: string, customerId: number, userId: string, verdict: 'verified' | 'suspect' | 'rejected', at: number): Insertable<VisitsTable> {
  return {
    tenant_id: tenantId,
    customer_id: customerId,
    user_id: userId,
    status: 'finished',
    verdict,
    checkin_verdict: verdict,
    risk_score: 0,
    checkin_risk_score: 0,
    reasons: '[]',
    checkin_reasons: '[]',
    distance_m: 10,
    lat: 31.2,
    lng: 121.4,
    accuracy: 10,
    fixes: '[]',
    wifi: '[]',
    device: '{}',
    device_label: 'test',
    nonce: null,
    photo_token_hash: null,
    checked_in_at: at,
    clock_restarted: 0,
    previous_verified_visit_at: null,
    finished_at: at + 600_000,
    dwell_s: 600,
    finish_fix: null,
    notes: null,
    feedback: null,
  };
}

/** A department for insertOrg: id, parent id, name, whether it is a region (1/0), path. */
export type OrgDepartmentRow = [id: string, parentId: string | null, name: string, isRegion: number, path: string];
/** A user for insertOrg: id, name, roles, active (1/0), department id, leader of it (1/0). */
export type OrgUserRow = [id: string, name: string, roles: string, active: number, departmentId: string, isLeader: number];

/** A hand-built org: departments, users (inactive ones left at `leftAt`) and their memberships. */
export async function insertOrg(db: Db, tenantId: string, departments: OrgDepartmentRow[], users: OrgUserRow[], at: { now: number; leftAt: number }): Promise<void> {
  const now = at.now;
  await db.insertInto('departments').values(departments.map(([id, parent_id, name, is_region, path]) => ({ tenant_id: tenantId, id, parent_id, name, is_region, path, updated_at: now }))).execute();
  await db
    .insertInto('users')
    .values(users.map(([id, name, roles, active]) => ({ tenant_id: tenantId, id, name, mobile: null, title: null, manager_id: null, hired_date: null, active, left_at: active ? null : at.leftAt, roles, created_at: now, updated_at: now })))
    .execute();
  await db.insertInto('user_departments').values(users.map(([id, , , , department_id, is_leader]) => ({ tenant_id: tenantId, user_id: id, department_id, is_leader }))).execute();
}
