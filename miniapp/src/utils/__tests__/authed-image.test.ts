import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DownloadRequest, DownloadResult } from '../../platform/platform';
import { AuthedImageError, createAuthedImageLoader } from '../authed-image';

/** A photo server like the API's: the bytes only with the right Bearer token, 404 for unknown ids. */
function photoServer() {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.url} ${req.headers.authorization ?? '-'}`);
    if (req.headers.authorization !== 'Bearer good-token') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized","message":"请先登录"}}');
    } else if (req.url === '/api/v1/photos/7') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"照片不存在"}}');
    }
  });
  return { server, hits };
}

/** What the H5 platform does (fetch with the headers), keeping the bytes as a data URL instead of an object URL. */
async function fetchDownload({ url, headers }: DownloadRequest): Promise<DownloadResult> {
  const res = await fetch(url, { headers });
  if (!res.ok) return { status: res.status, path: '' };
  return { status: res.status, path: `data:image/jpeg;base64,${Buffer.from(await res.arrayBuffer()).toString('base64')}` };
}

describe('images behind the JWT', () => {
  const { server, hits } = photoServer();
  let origin = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => hits.splice(0));

  it('downloads with the Bearer header and shows the local bytes, once per path', async () => {
    const load = createAuthedImageLoader({ download: fetchDownload, token: async () => 'good-token', origin });
    const [a, b] = await Promise.all([load('/api/v1/photos/7'), load('/api/v1/photos/7')]);
    expect(a).toBe('data:image/jpeg;base64,/9j/2Q==');
    expect(b).toBe(a);
    expect(await load('/api/v1/photos/7')).toBe(a);
    expect(hits).toEqual(['/api/v1/photos/7 Bearer good-token']);
  });

  it('says why an image is missing, and tries again on the next load', async () => {
    const load = createAuthedImageLoader({ download: fetchDownload, token: async () => 'good-token', origin });
    await expect(load('/api/v1/photos/8')).rejects.toEqual(new AuthedImageError(404));
    await expect(load('/api/v1/photos/8')).rejects.toThrow('照片不存在，或你无权查看');
    expect(hits).toEqual(['/api/v1/photos/8 Bearer good-token', '/api/v1/photos/8 Bearer good-token']);
  });

  it('reports an expired session and a network failure in Chinese', async () => {
    const expired = createAuthedImageLoader({ download: fetchDownload, token: async () => 'old-token', origin });
    await expect(expired('/api/v1/photos/7')).rejects.toThrow('登录已过期，请重新进入页面');
    const offline = createAuthedImageLoader({ download: fetchDownload, token: async () => 'good-token', origin: 'http://127.0.0.1:1' });
    await expect(offline('/api/v1/photos/7')).rejects.toThrow('照片加载失败（网络错误）');
  });
});
