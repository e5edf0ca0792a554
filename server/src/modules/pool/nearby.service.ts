import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { coveringRanges, haversineM, toGcj02 } from '../../geo/geo';
import type { NearbyQuery } from './pool';
import { memberPoolIds, poolCustomersInRanges } from './pool.repository';

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
  const rows = await poolCustomersInRanges(db, actor.tenantId, pools, coveringRanges(center.lat, center.lng, q.radius));
  const within: { d: number; item: NearbyItem }[] = [];
  for (const r of rows) {
    const d = haversineM(center.lat, center.lng, r.lat, r.lng);
    if (d <= q.radius) {
      within.push({ d, item: { id: r.id, name: r.name, address: r.address, lat: r.lat, lng: r.lng, distanceM: Math.round(d), level: r.level, poolId: r.pool_id } });
    }
  }
  within.sort((a, b) => a.d - b.d || a.item.id - b.item.id);
  return within.slice(0, q.limit).map((w) => w.item);
}
