import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDb } from '../server/src/db/create-db';
import { coveringRanges } from '../server/src/geo/geo';
import { poolCustomersInRanges, memberPoolIds } from '../server/src/modules/pool/pool.repository';
import { nearbyPoolCustomers } from '../server/src/modules/pool/nearby.service';
async function main() {
  const db = createDb({ dialect: 'mysql', url: 'mysql://root@127.0.0.1:33289/gh_bench_nearby_f4a0bb' }, { poolSize: 1 });
  const pts = Array.from({length: 300}, () => ({lat: 31.2304 + (Math.random()-0.5)*0.08, lng: 121.4737 + (Math.random()-0.5)*0.08}));
  const time = async (label: string, f: (p: {lat:number,lng:number}) => Promise<unknown>) => {
    for (const p of pts.slice(0,50)) await f(p);
    const s: number[] = [];
    for (const p of pts) { const t = performance.now(); await f(p); s.push(performance.now()-t); }
    s.sort((a,b)=>a-b); console.log(label, 'p50', s[150]!.toFixed(2), 'p99', s[297]!.toFixed(2));
  };
  await time('select 1', () => sql`select 1`.execute(db));
  await time('memberPoolIds', () => memberPoolIds(db, 'bench-nearby', 'nearby-rep0001'));
  await time('ranges query', (p) => poolCustomersInRanges(db, 'bench-nearby', [1,2,3], coveringRanges(p.lat, p.lng, 1000)));
  await time('ranges ids only', (p) => { const r = coveringRanges(p.lat, p.lng, 1000); return db.selectFrom('customers').select(['id']).where('tenant_id','=','bench-nearby').where('status','=','pool').where((eb) => eb.or(r.map((x) => eb.and([eb('geohash','>=',x.from), eb('geohash','<',x.to!)])))).execute(); });
  await time('nearby', (p) => nearbyPoolCustomers(db, {tenantId:'bench-nearby', userId:'nearby-rep0001', roles:['rep'], timeZone:'Asia/Shanghai'}, {lat:p.lat,lng:p.lng,radius:1000,coord:'gcj02',limit:100}));
  const r = coveringRanges(31.2304, 121.4737, 1000);
  const q = db.selectFrom('customers').select(['id', 'name', 'address', 'lat', 'lng', 'level', 'pool_id']).where('tenant_id','=','bench-nearby').where('status','=','pool').where((eb) => eb.or(r.map((x) => eb.and([eb('geohash','>=',x.from), eb('geohash','<',x.to!)])))).compile();
  let text = q.sql; for (const v of q.parameters) text = text.replace('?', typeof v === 'string' ? "'" + v + "'" : String(v));
  console.log(text);
  const ex = await sql.raw('ANALYZE FORMAT=JSON ' + text).execute(db);
  console.log(JSON.stringify(ex.rows, null, 1).slice(0, 3000));
  await db.destroy();
}
main();
