import { performance } from 'node:perf_hooks';
import ngeohash from 'ngeohash';
import { sql } from 'kysely';
import { createDb, type Db } from '../server/src/db/create-db';
import { SeededRandom } from '../server/src/demo/random';
import { demoCities } from '@gonghai/config';
import { coveringRanges, haversineM, type GeohashRange } from '../server/src/geo/geo';
import { poolCustomersInRanges } from '../server/src/modules/pool/pool.repository';
const T = 'bench-nearby';
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';
function successor(cell: string): string | null {
  for (let i = cell.length - 1; i >= 0; i--) { const idx = BASE32.indexOf(cell[i]!); if (idx < 31) return cell.slice(0, i) + BASE32[idx + 1] + '0'.repeat(cell.length - 1 - i); }
  return null;
}
/** precision-7 cells whose box comes within r of the centre, merged. */
function fineRanges(lat: number, lng: number, r: number, precision = 7): GeohashRange[] {
  const dLat = (r / 6371008.8) * 180 / Math.PI, dLng = dLat / Math.cos(lat * Math.PI / 180);
  const cells = ngeohash.bboxes(lat - dLat, lng - dLng, lat + dLat, lng + dLng, precision).filter((c) => {
    const [s, w, n, e] = ngeohash.decode_bbox(c);
    const cl = Math.min(Math.max(lat, s), n), cg = Math.min(Math.max(lng, w), e);
    return haversineM(lat, lng, cl, cg) <= r;
  }).sort();
  const out: GeohashRange[] = [];
  for (const c of cells) { const last = out[out.length - 1]; const nx = successor(c); if (last && last.to === c) last.to = nx; else out.push({ from: c, to: nx }); }
  return out;
}
async function twoPhase(db: Db, lat: number, lng: number, ranges: GeohashRange[], pools: Set<number>) {
  const rows = await db.selectFrom('customers').select(['id', 'lat', 'lng', 'pool_id']).where('tenant_id', '=', T).where('status', '=', 'pool')
    .where((eb) => eb.or(ranges.map((x) => x.to === null ? eb('geohash', '>=', x.from) : eb.and([eb('geohash', '>=', x.from), eb('geohash', '<', x.to)])))).execute();
  const within = rows.filter((r) => pools.has(r.pool_id)).map((r) => ({ id: r.id, d: haversineM(lat, lng, r.lat, r.lng) })).filter((x) => x.d <= 1000).sort((a, b) => a.d - b.d || a.id - b.id).slice(0, 100);
  if (!within.length) return [];
  const full = await db.selectFrom('customers').select(['id', 'name', 'address', 'lat', 'lng', 'level', 'pool_id']).where('tenant_id', '=', T).where('id', 'in', within.map((w) => w.id)).execute();
  return full;
}
async function main() {
  const db = createDb({ dialect: 'mysql', url: 'mysql://root@127.0.0.1:33289/gh_bench_nearby_25b112' }, { poolSize: 1 });
  const rnd = new SeededRandom(7);
  const pts = Array.from({length: 400}, () => { const c = demoCities[Math.floor(rnd.next()*4)]!; return {lat: c.lat + rnd.normal()*4000/111320, lng: c.lng + rnd.normal()*4000/96000}; });
  const pools = new Set([1,2,3]);
  const time = async (label: string, f: (p: {lat:number,lng:number}) => Promise<unknown[]>) => {
    for (const p of pts.slice(0,50)) await f(p);
    const s: number[] = []; let n = 0;
    for (const p of pts) { const t = performance.now(); n += (await f(p)).length; s.push(performance.now()-t); }
    s.sort((a,b)=>a-b); console.log(label.padEnd(40), 'p50', s[200]!.toFixed(2), 'p95', s[380]!.toFixed(2), 'p99', s[396]!.toFixed(2), 'rows/q', (n/pts.length).toFixed(0));
  };
  await time('current ranges, full rows', (p) => poolCustomersInRanges(db, T, [1,2,3], coveringRanges(p.lat, p.lng, 1000)));
  await time('fine p7 ranges, full rows', (p) => poolCustomersInRanges(db, T, [1,2,3], fineRanges(p.lat, p.lng, 1000)));
  let nr = 0; for (const p of pts) nr += fineRanges(p.lat, p.lng, 1000).length; console.log('fine ranges per query', nr / pts.length);
  if (!(await sql`show index from customers where Key_name = 'customers_nearby_cover'`.execute(db)).rows.length) {
    const t = performance.now(); await sql`alter table customers add index customers_nearby_cover (tenant_id, status, geohash, pool_id, lat, lng)`.execute(db); console.log('add index s', ((performance.now()-t)/1000).toFixed(1));
  }
  await time('current ranges, cover index 2-phase', (p) => twoPhase(db, p.lat, p.lng, coveringRanges(p.lat, p.lng, 1000), pools));
  await time('fine p7 ranges, cover index 2-phase', (p) => twoPhase(db, p.lat, p.lng, fineRanges(p.lat, p.lng, 1000), pools));
  await db.destroy();
}
main();
