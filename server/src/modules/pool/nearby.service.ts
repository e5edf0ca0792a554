import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { boundingBox, coveringRanges, haversineM, toGcj02 } from '../../geo/geo';
import type { NearbyQuery } from './pool';
import { memberPoolIds, nearbyDetails, poolPointsInRanges } from './pool.repository';

export interface NearbyItem {
  id: number;
  name: string;
  address: string;
  lat: number;
  lng: number;
  distanceM: number;
  level: string;
  poolId: number;
}

/** Pool customers within `radius` of a point that the rep may claim, nearest first (DESIGN §9). */
export async function nearbyPoolCustomers(db: Db, actor: Actor, q: NearbyQuery): Promise<NearbyItem[]> {
  const center = toGcj02(q.lat, q.lng, q.coord);
  const pools = await memberPoolIds(db, actor.tenantId, actor.userId);
  const points = await poolPointsInRanges(
    db,
    actor.tenantId,
    pools,
    coveringRanges(center.lat, center.lng, q.radius),
    boundingBox(center.lat, center.lng, q.radius),
  );
  const within: { d: number; p: (typeof points)[number] }[] = [];
  for (const p of points) {
    const d = haversineM(center.lat, center.lng, p.lat, p.lng);
    if (d <= q.radius) within.push({ d, p });
  }
  within.sort((a, b) => a.d - b.d || a.p.id - b.p.id);
  const kept = within.slice(0, q.limit);
  const details = await nearbyDetails(db, actor.tenantId, kept.map((w) => w.p.id));
  const items: NearbyItem[] = [];
  for (const { d, p } of kept) {
    const row = details.get(p.id);
    // A customer claimed between the two reads is simply left out.
    if (row) items.push({ id: p.id, name: row.name, address: row.address, lat: p.lat, lng: p.lng, distanceM: Math.round(d), level: row.level, poolId: p.pool_id });
  }
  return items;
}
