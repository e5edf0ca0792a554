import { sql } from 'kysely';
import { peoplesSquare } from '@gonghai/config';
import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { coveringRanges, haversineM, toGcj02 } from '../../../geo/geo';
import { SeededRandom } from '../../../demo/random';

const T = 'demo-dingtalk';

describe.each(dialects)('nearby pool search on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    rep01 = await h.tokenFor(T, 'rep01');
  });
  afterAll(() => h.close());

  /** Brute force over every row: what the answer must be. */
  async function bruteForce(userId: string, lat: number, lng: number, radius: number) {
    const pools = (await h.db.selectFrom('pool_members').select('pool_id').where('tenant_id', '=', T).where('user_id', '=', userId).execute()).map((p) => p.pool_id);
    const all = await h.db.selectFrom('customers').select(['id', 'lat', 'lng', 'pool_id', 'status']).where('tenant_id', '=', T).execute();
    return all
      .filter((c) => c.status === 'pool' && pools.includes(c.pool_id))
      .map((c) => ({ id: c.id, d: haversineM(lat, lng, c.lat, c.lng) }))
      .filter((c) => c.d <= radius)
      .sort((a, b) => a.d - b.d || a.id - b.id)
      .map((c) => c.id);
  }

  it('finds at least 50 pool customers within 1 km of 人民广场, nearest first', async () => {
    const res = await h.request('GET', `/api/v1/pool/nearby?lat=${peoplesSquare.lat}&lng=${peoplesSquare.lng}&radius=1000&limit=500`, { token: rep01 });
    expect(res.status).toBe(200);
    const items = res.body.items as { id: number; distanceM: number; poolId: number }[];
    expect(items.length).toBeGreaterThanOrEqual(50);
    expect(items.map((i) => i.distanceM)).toEqual([...items.map((i) => i.distanceM)].sort((a, b) => a - b));
    expect(items.every((i) => i.distanceM <= 1000)).toBe(true);
    expect(items.map((i) => i.id)).toEqual(await bruteForce('rep01', peoplesSquare.lat, peoplesSquare.lng, 1000));
    expect(Object.keys(items[0]!).sort()).toEqual(['address', 'claimRadiusM', 'distanceM', 'id', 'lat', 'level', 'lng', 'name', 'poolId']);
    // The demo pools claim without a radius.
    expect(new Set(items.map((i) => (i as { claimRadiusM?: number | null }).claimRadiusM))).toEqual(new Set([null]));
  });

  it('matches a brute-force haversine scan at random points and radii', async () => {
    const rnd = new SeededRandom(7);
    const centres = [
      { lat: 31.2304, lng: 121.4737 },
      { lat: 30.2741, lng: 120.1551 },
      { lat: 31.25, lng: 121.5 },
    ];
    for (let i = 0; i < 40; i++) {
      const c = centres[i % centres.length]!;
      const lat = c.lat + (rnd.next() - 0.5) * 0.2;
      const lng = c.lng + (rnd.next() - 0.5) * 0.2;
      const radius = rnd.pick([100, 300, 800, 1500, 3000, 5000]);
      // Small limits stop the growing search circles early; the answer must still be the exact nearest ones.
      const limit = rnd.pick([1, 5, 20, 100, 500]);
      const res = await h.request('GET', `/api/v1/pool/nearby?lat=${lat}&lng=${lng}&radius=${radius}&limit=${limit}`, { token: rep01 });
      expect(res.status).toBe(200);
      const expected = (await bruteForce('rep01', lat, lng, radius)).slice(0, limit);
      expect({ i, ids: res.body.items.map((x: { id: number }) => x.id) }).toEqual({ i, ids: expected });
    }
  });

  it('shows only the pools the rep belongs to', async () => {
    const south = await h.tokenFor(T, 'rep09');
    const res = await h.request('GET', `/api/v1/pool/nearby?lat=${peoplesSquare.lat}&lng=${peoplesSquare.lng}&radius=1000`, { token: south });
    expect(res.status).toBe(200);
    const eastPool = await poolIdByName(h.db, T, '华东公海');
    expect(res.body.items.some((i: { poolId: number }) => i.poolId === eastPool)).toBe(false);
    expect(res.body.items.map((i: { id: number }) => i.id)).toEqual(await bruteForce('rep09', peoplesSquare.lat, peoplesSquare.lng, 1000).then((ids) => ids.slice(0, 100)));
  });

  it('converts WGS-84 input to GCJ-02 before measuring', async () => {
    // The WGS-84 point that GCJ-02 maps onto 人民广场 is a few hundred metres away in raw coordinates.
    const wgsLat = 31.232_37;
    const wgsLng = 121.469_04;
    const gcj = toGcj02(wgsLat, wgsLng, 'wgs84');
    expect(haversineM(gcj.lat, gcj.lng, wgsLat, wgsLng)).toBeGreaterThan(300);
    const res = await h.request('GET', `/api/v1/pool/nearby?lat=${wgsLat}&lng=${wgsLng}&coord=wgs84&radius=800&limit=500`, { token: rep01 });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: number }) => i.id)).toEqual(await bruteForce('rep01', gcj.lat, gcj.lng, 800));
  });

  it('validates the query at the edge', async () => {
    const big = await h.request('GET', `/api/v1/pool/nearby?lat=31.2&lng=121.4&radius=5001`, { token: rep01 });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('invalid_request');
    expect(big.body.error.message).toContain('radius');
    const junk = await h.request('GET', `/api/v1/pool/nearby?lat=abc&lng=121.4`, { token: rep01 });
    expect(junk.status).toBe(400);
  });

  it('reads only index ranges of customers_nearby, never the table', async () => {
    const ranges = coveringRanges(peoplesSquare.lat, peoplesSquare.lng, 1000);
    const box = 'lat between 31.2 and 31.3 and lng between 121.4 and 121.5';
    const part = (r: { from: string; to: string | null }) => `geohash >= '${r.from}' and geohash < '${r.to}'`;
    const head = "select id, lat, lng, pool_id from customers where tenant_id = 'demo-dingtalk' and status = 'pool'";
    const query =
      dialect === 'sqlite'
        ? ranges.map((r) => `${head} and ${part(r)} and ${box}`).join(' union all ')
        : `${head} and ${box} and (${ranges.map((r) => `(${part(r)})`).join(' or ')})`;
    expect(ranges.length).toBeGreaterThan(1);
    if (dialect === 'sqlite') {
      const plan = await sql.raw<{ detail: string }>(`explain query plan ${query}`).execute(h.db);
      const details = plan.rows.map((r) => r.detail);
      const searches = details.filter((d) => d.startsWith('SEARCH customers'));
      expect(searches).toHaveLength(ranges.length);
      for (const d of searches) expect(d).toContain('USING COVERING INDEX customers_nearby (tenant_id=? AND status=? AND geohash>? AND geohash<?)');
      expect(details.some((d) => /^SCAN customers\b/.test(d))).toBe(false);
    } else {
      const plan = await sql.raw<{ key: string | null; type: string; table: string | null; Extra: string }>(`explain ${query}`).execute(h.db);
      const reads = plan.rows.filter((r) => r.table === 'customers');
      expect(reads).toHaveLength(1);
      for (const r of reads) {
        expect(r).toMatchObject({ key: 'customers_nearby', type: 'range' });
        expect(r.Extra).toContain('Using index');
      }
    }
  });
});

describe('geohash covering', () => {
  it('covers every point of the circle', () => {
    const rnd = new SeededRandom(3);
    for (let i = 0; i < 200; i++) {
      const lat = 20 + rnd.next() * 20;
      const lng = 100 + rnd.next() * 20;
      const radius = rnd.pick([50, 200, 1000, 5000]);
      const ranges = coveringRanges(lat, lng, radius);
      expect(ranges.length).toBeLessThanOrEqual(24);
      for (let k = 0; k < 30; k++) {
        const a = rnd.next() * 2 * Math.PI;
        const r = rnd.next() * radius * 0.999;
        const pLat = lat + (r * Math.sin(a)) / 111_320;
        const pLng = lng + (r * Math.cos(a)) / (111_320 * Math.cos((lat * Math.PI) / 180));
        if (haversineM(lat, lng, pLat, pLng) > radius) continue;
        const gh = require('ngeohash').encode(pLat, pLng, 9) as string;
        expect(ranges.some((rg) => gh >= rg.from && (rg.to === null || gh < rg.to))).toBe(true);
      }
    }
  });
});
