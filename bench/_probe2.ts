import { performance } from 'node:perf_hooks';
import ngeohash from 'ngeohash';
import { createDb } from '../server/src/db/create-db';
import { SeededRandom } from '../server/src/demo/random';
import { demoCities } from '@gonghai/config';
import { coveringRanges } from '../server/src/geo/geo';
async function main() {
  const db = createDb({ dialect: 'mysql', url: 'mysql://root@127.0.0.1:33289/gh_bench_nearby_25b112' }, { poolSize: 1 });
  const rnd = new SeededRandom(7);
  const pts = Array.from({length: 400}, () => { const c = demoCities[Math.floor(rnd.next()*4)]!; return {lat: c.lat + rnd.normal()*4000/111320, lng: c.lng + rnd.normal()*4000/96000}; });
  const byLen: Record<number, number> = {};
  for (const p of pts) { const r = coveringRanges(p.lat, p.lng, 1000); byLen[r[0]!.from.length] = (byLen[r[0]!.from.length] ?? 0) + 1; }
  console.log('precision histogram', byLen);
  await db.destroy();
}
main();
