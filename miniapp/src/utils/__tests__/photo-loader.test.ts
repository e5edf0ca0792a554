import { resolveObjectURL } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { h5Platform } from '../../platform/h5';
import { createPhotoLoader } from '../photo-loader';

describe('the photo loader', () => {
  let server: Server;
  let origin: string;
  const seen: string[] = [];
  let failNext = 0;
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 0xff, 0xd9]);

  beforeAll(async () => {
    // Answers like GET /api/v1/photos/:id: 401 for a stale token, 404 for an unknown photo, 503 when told to fail.
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
      } else if (req.headers.authorization !== 'Bearer fresh') res.writeHead(401).end();
      else if (req.url !== '/api/v1/photos/5') res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
    failNext = 0;
  });

  it('renews an expired token once, then serves the photo from memory', async () => {
    let token = 'stale';
    const load = createPhotoLoader({ origin, token: async () => token, refresh: async () => (token = 'fresh'), download: (r) => h5Platform.download(r) }).load;
    const path = await load('/api/v1/photos/5');
    expect(Buffer.from(await resolveObjectURL(path)!.arrayBuffer())).toEqual(jpeg);
    expect(await load('/api/v1/photos/5')).toBe(path);
    expect(seen).toEqual(['/api/v1/photos/5 Bearer stale', '/api/v1/photos/5 Bearer fresh']);
  });

  it('says why a photo failed and downloads it again on the next try', async () => {
    const load = createPhotoLoader({ origin, token: async () => 'fresh', refresh: async () => 'fresh', download: (r) => h5Platform.download(r) }).load;
    await expect(load('/api/v1/photos/6')).rejects.toThrow('照片不存在或你无权查看');
    failNext = 1;
    await expect(load('/api/v1/photos/5')).rejects.toThrow('照片加载失败，点此重试');
    expect(await load('/api/v1/photos/5')).toMatch(/^blob:/);
    expect(seen).toEqual(['/api/v1/photos/6 Bearer fresh', '/api/v1/photos/5 Bearer fresh', '/api/v1/photos/5 Bearer fresh']);
  });
});
