import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { boundingBox, coveringRanges, haversineM, toGcj02 } from '../../geo/geo';
import type { NearbyQuery } from './pool';
import { listPools, memberPoolIds, nearbyDetails, poolPointsInRanges, type NearbyPoint } from './pool.repository';

export interface NearbyItem {
  id: number;
  name: string;
  address: string;
  lat: number;
  lng: number;
  distanceM: number;
  level: string;
  poolId: number;
  /** The pool's claim radius (m): a claim there needs a nonce and fixes (claim-location.ts); null when it has none. */
  claimRadiusM: number | null;
}

/** The first search circle: in a city centre it already holds a page of customers. */
const FIRST_RADIUS_M = 250;
/** How much a circle may grow in one step; the guess from the density seen so far is kept within these bounds. */
const MIN_GROWTH = 1.5;
const MAX_GROWTH = 4;

/**
 * Pool customers within `radius` of a point that the rep may claim, nearest first (DESIGN §9). Searches growing
 * circles: once a circle of radius r holds `limit` customers, nobody outside it can be among the nearest `limit`, so
 * the answer is exact and the work follows `limit` rather than how crowded the area is. The next circle is sized from
 * the density the last one showed (area grows with the square of the radius), with some margin, so a sparse area takes
 * few steps and a crowded one never reads the thousands of customers of a wide circle.
 */
export async function nearbyPoolCustomers(db: Db, actor: Actor, q: NearbyQuery): Promise<NearbyItem[]> {
  const center = toGcj02(q.lat, q.lng, q.coord);
  const { pools, radii } = await memberPoolsCached(db, actor.tenantId, actor.userId);
  let within: { d: number; p: NearbyPoint }[] = [];
  for (let r = Math.min(FIRST_RADIUS_M, q.radius); ; ) {
    const points = await poolPointsInRanges(db, actor.tenantId, pools, coveringRanges(center.lat, center.lng, r), boundingBox(center.lat, center.lng, r));
    within = [];
    for (const p of points) {
      const d = haversineM(center.lat, center.lng, p.lat, p.lng);
      if (d <= r) within.push({ d, p });
    }
    if (within.length >= q.limit || r >= q.radius) break;
    const growth = Math.sqrt(q.limit / Math.max(within.length, 1)) * 1.25;
    r = Math.min(q.radius, r * Math.min(MAX_GROWTH, Math.max(MIN_GROWTH, growth)));
  }
  within.sort((a, b) => a.d - b.d || a.p.id - b.p.id);
  const kept = within.slice(0, q.limit);
  const details = await nearbyDetails(db, actor.tenantId, kept.map((w) => w.p.id));
  const items: NearbyItem[] = [];
  for (const { d, p } of kept) {
    const row = details.get(p.id);
    // A customer claimed between the two reads is simply left out.
    if (row) items.push({ id: p.id, name: row.name, address: row.address, lat: p.lat, lng: p.lng, distanceM: Math.round(d), level: row.level, poolId: p.pool_id, claimRadiusM: radii.get(p.pool_id) ?? null });
  }
  return items;
}

const MEMBERSHIP_TTL_MS = 30_000;
interface MemberPools {
  pools: number[];
  /** Each of those pools' claim radius. */
  radii: Map<number, number | null>;
}

const memberships = new WeakMap<Db, Map<string, MemberPools & { at: number }>>();

/** Forgets the cached memberships of a tenant's reps (after an admin changed which pools they belong to). */
export function invalidateMemberships(db: Db, tenantId: string): void {
  const byUser = memberships.get(db);
  for (const key of byUser?.keys() ?? []) if (key.startsWith(`${tenantId}\u0000`)) byUser!.delete(key);
}

/**
 * The rep's pools for searching, through a short per-process cache: the map is searched on every pan and zoom, and
 * membership changes only with the org. Claims always check membership against the database.
 */
async function memberPoolsCached(db: Db, tenantId: string, userId: string): Promise<MemberPools> {
  let byUser = memberships.get(db);
  if (!byUser) memberships.set(db, (byUser = new Map()));
  const key = `${tenantId}\u0000${userId}`;
  const hit = byUser.get(key);
  const now = Date.now();
  if (hit && now - hit.at < MEMBERSHIP_TTL_MS) return hit;
  const pools = await memberPoolIds(db, tenantId, userId);
  const radii = new Map((await listPools(db, tenantId)).filter((p) => pools.includes(p.id)).map((p) => [p.id, p.claimRadiusM]));
  if (byUser.size > 100_000) byUser.clear();
  const fresh = { pools, radii, at: now };
  byUser.set(key, fresh);
  return fresh;
}
