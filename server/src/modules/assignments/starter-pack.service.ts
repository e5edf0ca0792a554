import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { boundingBox, coveringRanges, haversineM, toGcj02 } from '../../geo/geo';
import { DAY_MS } from '../../time';
import { findUser } from '../org/org.repository';
import { poolError } from '../pool/pool.errors';
import { memberPoolIds, poolPointsInRanges } from '../pool/pool.repository';
import type { StarterPack, StarterPackItem, SuggestQuery } from './assignments';
import { bouncedCustomers, poolCustomerCentre, starterCandidates, teamCustomerCentre } from './assignments.repository';

/** A customer that had two owners within this many days bounced between reps: not a good first customer. */
export const BOUNCE_WINDOW_DAYS = 90;
/** The search circle starts here and doubles until it holds enough candidates. */
const FIRST_RADIUS_M = 1_000;
const MAX_RADIUS_M = 256_000;
/** Candidates looked at per customer asked for: the room the level balance has to choose in. */
const WINDOW_FACTOR = 2;
/** The pack's median distance may be at most this times that of the plain nearest customers. */
export const MAX_MEDIAN_STRETCH = 1.5;

interface Candidate {
  id: number;
  name: string;
  address: string;
  level: string;
  poolId: number;
  lat: number;
  lng: number;
  d: number;
  poolEnteredAt: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The level-balanced choice of `count` from the nearest-first `window`: each level present gets an equal share
 * (nearest of that level first); what a level cannot fill goes to the nearest left over.
 */
export function balancedPick(window: readonly Candidate[], count: number): Candidate[] {
  const byLevel = new Map<string, Candidate[]>();
  for (const c of window) byLevel.set(c.level, [...(byLevel.get(c.level) ?? []), c]);
  const levels = [...byLevel.keys()].sort();
  const picked = new Set<Candidate>();
  const share = Math.floor(count / Math.max(levels.length, 1));
  for (const level of levels) for (const c of byLevel.get(level)!.slice(0, share)) picked.add(c);
  for (const c of window) {
    if (picked.size >= count) break;
    picked.add(c);
  }
  return [...picked].sort((a, b) => a.d - b.d || a.id - b.id);
}

/**
 * A suggested starter pack for a (new) rep (DESIGN §7): pool customers of the pools the hire can claim from, nearest
 * to the hire's base (the given point, else the centre of their team's customers), balanced across levels, without
 * customers that are reserved or bounced between reps lately. The balance never stretches the pack's median distance
 * beyond 1.5 times that of the plain nearest `count`: the window it chooses from shrinks until it does not.
 */
export async function suggestStarterPack(db: Db, actor: Actor, q: SuggestQuery, now: number): Promise<StarterPack> {
  const { tenantId } = actor;
  const hire = await findUser(db, tenantId, q.assigneeUserId);
  if (!hire) throw notFound('员工');
  const pools = await memberPoolIds(db, tenantId, hire.id);
  if (pools.length === 0) {
    throw poolError(422, 'not_pool_member', `${hire.name} 所在部门没有加入任何公海，无法推荐客户；请先在公海设置中加入其部门。`);
  }
  let base: StarterPack['base'];
  if (q.lat !== undefined && q.lng !== undefined) base = { ...toGcj02(q.lat, q.lng, q.coord), source: 'given' };
  else {
    const team = await teamCustomerCentre(db, tenantId, hire.departmentIds);
    const centre = team ?? (await poolCustomerCentre(db, tenantId, pools));
    if (!centre) return { assigneeUserId: hire.id, base: { lat: 0, lng: 0, source: 'pool_customers' }, items: [], excluded: { reserved: 0, bounced: 0 }, medianDistanceM: null };
    base = { lat: centre.lat, lng: centre.lng, source: team ? 'team_customers' : 'pool_customers' };
  }

  const want = q.count * WINDOW_FACTOR;
  let eligible: Candidate[] = [];
  let excluded = { reserved: 0, bounced: 0 };
  for (let r = FIRST_RADIUS_M; ; r *= 2) {
    const points = (await poolPointsInRanges(db, tenantId, pools, coveringRanges(base.lat, base.lng, r), boundingBox(base.lat, base.lng, r)))
      .map((p) => ({ p, d: haversineM(base.lat, base.lng, p.lat, p.lng) }))
      .filter((x) => x.d <= r);
    const rows = await starterCandidates(db, tenantId, points.map((x) => x.p.id));
    const bounced = await bouncedCustomers(db, tenantId, rows.map((row) => row.id), now - BOUNCE_WINDOW_DAYS * DAY_MS);
    const distance = new Map(points.map((x) => [x.p.id, x.d]));
    excluded = { reserved: 0, bounced: 0 };
    eligible = [];
    for (const row of rows) {
      if (row.status !== 'pool') continue;
      if (row.reserved_by_assignment_id !== null) excluded.reserved++;
      else if (bounced.has(row.id)) excluded.bounced++;
      else eligible.push({ id: row.id, name: row.name, address: row.address, level: row.level, poolId: row.pool_id, lat: row.lat, lng: row.lng, d: distance.get(row.id)!, poolEnteredAt: row.pool_entered_at });
    }
    if (eligible.length >= want || r >= MAX_RADIUS_M) break;
  }
  eligible.sort((a, b) => a.d - b.d || a.id - b.id);

  const n = Math.min(q.count, eligible.length);
  const nearestMedian = median(eligible.slice(0, n).map((c) => c.d));
  let pack: Candidate[] = eligible.slice(0, n);
  for (let size = Math.min(eligible.length, q.count * WINDOW_FACTOR); size >= n; size = size > n ? Math.max(n, Math.floor(size * 0.8)) : n - 1) {
    const choice = balancedPick(eligible.slice(0, size), n);
    if (nearestMedian === null || median(choice.map((c) => c.d))! <= nearestMedian * MAX_MEDIAN_STRETCH) {
      pack = choice;
      break;
    }
  }
  const levelsInPack = new Set(pack.map((c) => c.level)).size;
  const items: StarterPackItem[] = pack.map((c) => ({
    id: c.id,
    name: c.name,
    address: c.address,
    lat: c.lat,
    lng: c.lng,
    level: c.level,
    poolId: c.poolId,
    distanceM: Math.round(c.d),
    reason: reasonFor(c, levelsInPack, now),
  }));
  return { assigneeUserId: hire.id, base, items, excluded, medianDistanceM: median(items.map((i) => i.distanceM)) };
}

function reasonFor(c: Candidate, levels: number, now: number): string {
  const parts = [`距基地 ${Math.round(c.d).toLocaleString('en-US')} 米`];
  parts.push(levels > 1 ? `${c.level} 级（按级别均衡挑选）` : `${c.level} 级`);
  if (c.poolEnteredAt !== null) {
    const days = Math.floor((now - c.poolEnteredAt) / DAY_MS);
    parts.push(days > 0 ? `已在公海 ${days} 天，无人跟进` : '今天刚回到公海');
  }
  parts.push('近期未在销售之间反复易手');
  return parts.join(' · ');
}
