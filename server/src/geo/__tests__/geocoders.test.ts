import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AmapGeocoder } from '../amap-geocoder';
import { SandboxGeocoder } from '../sandbox-geocoder';

describe('the AMap geocoder, at the HTTP edge', () => {
  let server: Server;
  let baseUrl: string;
  const seen: URL[] = [];
  let answer: unknown = {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(new URL(req.url!, 'http://x'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends key, address and city, and reads geocodes[0].location as "lng,lat" with its level', async () => {
    answer = { status: '1', info: 'OK', infocode: '10000', count: '1', geocodes: [{ formatted_address: '浙江省杭州市西湖区文三路', location: '120.130203,30.279256', level: '道路' }] };
    const place = await new AmapGeocoder('k-123', baseUrl).geocode('杭州市西湖区文三路 100 号', '杭州');
    expect(place).toEqual({ lat: 30.279256, lng: 120.130203, coord: 'gcj02', precision: '道路' });
    const url = seen[seen.length - 1]!;
    expect(url.pathname).toBe('/v3/geocode/geo');
    expect(Object.fromEntries(url.searchParams)).toEqual({ key: 'k-123', address: '杭州市西湖区文三路 100 号', city: '杭州' });
  });

  it('waits and retries when the key is over its queries per second, and gives up after three tries', async () => {
    const answers = [
      { status: '0', info: 'CUQPS_HAS_EXCEEDED_THE_LIMIT', infocode: '10019' },
      { status: '1', info: 'OK', count: '1', geocodes: [{ location: '121.4737,31.2304', level: '区县' }] },
    ];
    const server2 = createServer((_req, res) => res.end(JSON.stringify(answers.shift() ?? { status: '0', info: 'CUQPS_HAS_EXCEEDED_THE_LIMIT' })));
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
      const waits: number[] = [];
      const amap = new AmapGeocoder('k', url, 5000, async (ms) => {
        waits.push(ms);
      });
      await expect(amap.geocode('上海市黄浦区')).resolves.toEqual({ lat: 31.2304, lng: 121.4737, coord: 'gcj02', precision: '区县' });
      expect(waits).toEqual([1100]);
      await expect(amap.geocode('上海市黄浦区')).rejects.toMatchObject({ status: 502, code: 'geocoder_unavailable' });
      expect(waits).toEqual([1100, 1100, 2100]);
    } finally {
      await new Promise<void>((resolve) => server2.close(() => resolve()));
    }
  });

  it('answers null when AMap finds nothing, and a Chinese 502 when it refuses the key', async () => {
    answer = { status: '1', info: 'OK', count: '0', geocodes: [] };
    await expect(new AmapGeocoder('k', baseUrl).geocode('火星')).resolves.toBeNull();
    answer = { status: '0', info: 'INVALID_USER_KEY', infocode: '10001' };
    await expect(new AmapGeocoder('bad', baseUrl).geocode('杭州')).rejects.toMatchObject({
      status: 502,
      code: 'geocoder_unavailable',
      message: '高德地理编码服务拒绝了请求（INVALID_USER_KEY）：请检查该企业配置的高德 Web 服务 Key 和调用配额。',
    });
  });
});

describe('the sandbox geocoder', () => {
  it('places a known district near its centre, the same way every time, and not an unknown place', async () => {
    const g = new SandboxGeocoder();
    const a = await g.geocode('杭州市西湖区文三路 100 号');
    expect(a).toMatchObject({ coord: 'gcj02', precision: '区县' });
    expect(Math.abs(a!.lat - 30.2594)).toBeLessThanOrEqual(0.0027);
    expect(Math.abs(a!.lng - 120.1302)).toBeLessThanOrEqual(0.0027);
    expect(await g.geocode('杭州市西湖区文三路 100 号')).toEqual(a);
    expect(await g.geocode('杭州市西湖区文三路 200 号')).not.toEqual(a);
    expect(await g.geocode('上海市某路 1 号')).toMatchObject({ precision: '市', lat: expect.closeTo(31.2304, 2) });
    expect(await g.geocode('未知地址')).toBeNull();
    expect(await g.geocode('拉萨市北京中路')).toBeNull();
  });
});
