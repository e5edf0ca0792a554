import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { isMysql } from '../../db/create-db';
import type { GeohashRange } from '../../geo/geo';
import type { Pool } from './pool';
import type { PoolsTable } from './pool.table';
import { writeTransaction } from '../../db/write-retry';

export function toPool(row: Selectable<PoolsTable>): Pool {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    parentPoolId: row.parent_pool_id,
    escalateAfterDays: row.escalate_after_days,
    escalateToPoolId: row.escalate_to_pool_id,
    maxOwnedPerRep: row.max_owned_per_rep,
    maxOwnedPerLevel: JSON.parse(row.max_owned_per_level) as Record<string, number>,
    capExcludesWon: row.cap_excludes_won === 1,
    dailyClaimLimit: row.daily_claim_limit,
    priorOwnerCooldownDays: row.prior_owner_cooldown_days,
    claimRadiusM: row.claim_radius_m,
    archived: row.archived_at !== null,
  };
}

export async function findPool(db: Db, tenantId: string, poolId: number): Promise<Pool | undefined> {
  const row = await db
    .selectFrom('pools')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', poolId)
    .executeTakeFirst();
  return row && toPool(row);
}

/** The tenant's pools in use (an archived pool is out of every list, the sweep and the nearby search). */
export async function listPools(db: Db, tenantId: string): Promise<Pool[]> {
  return (await db.selectFrom('pools').selectAll().where('tenant_id', '=', tenantId).where('archived_at', 'is', null).orderBy('id').execute()).map(toPool);
}

export async function memberPoolIds(db: Db, tenantId: string, userId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('pool_members')
    .select('pool_id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .orderBy('pool_id')
    .execute();
  return rows.map((r) => r.pool_id);
}

/** The rep's own pool for customers they create: the member pool whose department sits deepest in the tree. */
export async function homePoolId(db: Db, tenantId: string, userId: string): Promise<number | undefined> {
  const rows = await db
    .selectFrom('pool_members as pm')
    .innerJoin('pool_departments as pd', (j) => j.onRef('pd.tenant_id', '=', 'pm.tenant_id').onRef('pd.pool_id', '=', 'pm.pool_id'))
    .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'pd.tenant_id').onRef('d.id', '=', 'pd.department_id'))
    .select(['pm.pool_id', 'd.path'])
    .where('pm.tenant_id', '=', tenantId)
    .where('pm.user_id', '=', userId)
    .execute();
  rows.sort((a, b) => b.path.length - a.path.length || a.pool_id - b.pool_id);
  return rows[0]?.pool_id;
}

export async function isPoolMember(db: Db, tenantId: string, userId: string, poolId: number): Promise<boolean> {
  const row = await db
    .selectFrom('pool_members')
    .select('pool_id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('pool_id', '=', poolId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Recomputes who belongs to which pool from the pools' member departments and the department tree (a member
 * department includes its whole subtree). An archived pool has no members: nobody sees, claims from or creates into it.
 * Run after org or pool changes.
 */
export async function refreshPoolMembers(db: Db, tenantId: string): Promise<number> {
  const [poolDepts, depts, userDepts] = await Promise.all([
    db
      .selectFrom('pool_departments as pd')
      .innerJoin('pools as p', (j) => j.onRef('p.tenant_id', '=', 'pd.tenant_id').onRef('p.id', '=', 'pd.pool_id'))
      .select(['pd.pool_id', 'pd.department_id'])
      .where('pd.tenant_id', '=', tenantId)
      .where('p.archived_at', 'is', null)
      .execute(),
    db.selectFrom('departments').select(['id', 'path']).where('tenant_id', '=', tenantId).execute(),
    db
      .selectFrom('user_departments as ud')
      .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'ud.tenant_id').onRef('u.id', '=', 'ud.user_id'))
      .select(['ud.user_id', 'ud.department_id'])
      .where('ud.tenant_id', '=', tenantId)
      .where('u.active', '=', 1)
      .execute(),
  ]);
  const pathOf = new Map(depts.map((d) => [d.id, d.path]));
  const rows = new Map<string, { tenant_id: string; user_id: string; pool_id: number }>();
  for (const pd of poolDepts) {
    const root = pathOf.get(pd.department_id);
    if (!root) continue;
    for (const ud of userDepts) {
      const path = pathOf.get(ud.department_id);
      if (path?.startsWith(root)) {
        rows.set(`${ud.user_id}\u0000${pd.pool_id}`, { tenant_id: tenantId, user_id: ud.user_id, pool_id: pd.pool_id });
      }
    }
  }
  await writeTransaction(db, async (trx) => {
    await trx.deleteFrom('pool_members').where('tenant_id', '=', tenantId).execute();
    const all = [...rows.values()];
    for (let i = 0; i < all.length; i += 500) await trx.insertInto('pool_members').values(all.slice(i, i + 500)).execute();
  });
  return rows.size;
}

export interface NearbyPoint {
  id: number;
  lat: number;
  lng: number;
  pool_id: number;
}

export interface LatLngBox {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/**
 * Points of pool customers in the given pools whose geohash falls in the ranges and that lie inside the box: one
 * index-only range read of customers_nearby (tenant_id, status, geohash, lat, lng, pool_id) per range, never a scan
 * and never a table row. The caller filters by exact distance and fetches the rows it keeps.
 */
export async function poolPointsInRanges(
  db: Db,
  tenantId: string,
  poolIds: number[],
  ranges: GeohashRange[],
  box: LatLngBox,
): Promise<NearbyPoint[]> {
  if (poolIds.length === 0 || ranges.length === 0) return [];
  const base = () =>
    db
      .selectFrom('customers')
      .select(['id', 'lat', 'lng', 'pool_id'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'pool')
      .where('lat', '>=', box.minLat)
      .where('lat', '<=', box.maxLat)
      .where('lng', '>=', box.minLng)
      .where('lng', '<=', box.maxLng);
  let rows: NearbyPoint[];
  if (isMysql(db)) {
    // MySQL's range optimiser reads an OR of key ranges as one multi-range index scan, without the temporary table
    // a UNION ALL would cost. Named index: weighing the other indexes that start with tenant_id cost more than the read.
    const inRanges = ranges.map((r) => (r.to === null ? sql`geohash >= ${r.from}` : sql`(geohash >= ${r.from} and geohash < ${r.to})`));
    rows = (
      await sql<NearbyPoint>`select id, lat, lng, pool_id from customers force index (customers_nearby)
        where tenant_id = ${tenantId} and status = 'pool' and lat >= ${box.minLat} and lat <= ${box.maxLat}
          and lng >= ${box.minLng} and lng <= ${box.maxLng} and (${sql.join(inRanges, sql` or `)})`.execute(db)
    ).rows;
  } else {
    // Given an OR of ranges, SQLite's planner may read every pool customer of the tenant from the index instead; one
    // range read per geohash range glued with UNION ALL cannot go wrong that way.
    const [first, ...rest] = ranges.map((r) => {
      const q = base().where('geohash', '>=', r.from);
      return r.to === null ? q : q.where('geohash', '<', r.to);
    });
    rows = await rest.reduce((acc, q) => acc.unionAll(q), first!).execute();
  }
  // Pool membership is filtered here rather than in SQL: `pool_id IN (…)` tempts SQLite's planner into the pool index.
  const allowed = new Set(poolIds);
  return rows.filter((r) => allowed.has(r.pool_id));
}

/** The display fields of the customers a search keeps, by id. */
export async function nearbyDetails(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return new Map<number, { name: string; address: string; level: string }>();
  // On MySQL the primary key is named: otherwise the optimiser weighs every index starting with tenant_id, which took
  // longer than fetching the hundred rows.
  const rows = isMysql(db)
    ? (await sql<{ id: number; name: string; address: string; level: string }>`select id, name, address, level from customers force index (primary)
        where tenant_id = ${tenantId} and id in (${sql.join(ids)})`.execute(db)).rows
    : await db.selectFrom('customers').select(['id', 'name', 'address', 'level']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, address: r.address, level: r.level }]));
}
