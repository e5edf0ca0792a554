import http from 'node:http';
import sharp from 'sharp';
import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { invalidateVisitSettings } from '../visits.service';

const tenantId = 'demo-dingtalk';
const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };
const BOUNDARY = 'gonghaiguard';
const partHead = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
const partTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** Fails the test instead of hanging when no answer comes (the old route read the whole body before any check). */
const within = <T>(ms: number, promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms).unref())]);

describe.each(dialects)('photo uploads on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  let rep02: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
    rep01 = await h.tokenFor(tenantId, 'rep01');
    rep02 = await h.tokenFor(tenantId, 'rep02');
  });
  afterAll(() => h.close());

  /** Checks the user in at one of their own customers, from the spot; the open visit and its photo token. */
  async function openVisit(token: string, userId: string): Promise<{ id: number; photoToken: string }> {
    h.clock.advance(3_600_000);
    const customer = await h.db
      .selectFrom('customers')
      .select(['id', 'lat', 'lng'])
      .where('tenant_id', '=', tenantId)
      .where('owner_id', '=', userId)
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    const nonce = (await h.request('POST', '/api/v1/visits/nonce', { token })).body.nonce as string;
    const now = h.clock.now();
    const fixes = [0, 1, 2].map((i) => ({ lat: customer.lat + i * 0.00001, lng: customer.lng, accuracy: 15, coord: 'gcj02', ts: now - (6 - i * 2) * 1000 }));
    const res = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce, fixes, device } });
    expect(res.status).toBe(201);
    return { id: res.body.visit.id as number, photoToken: res.body.photoToken as string };
  }

  async function upload(token: string, visitId: number, photoToken: string, bytes: Buffer) {
    const res = await fetch(`${h.baseUrl}/api/v1/visits/${visitId}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-photo-token': photoToken },
      body: Buffer.concat([partHead, bytes, partTail]),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { error: { code: string; message: string } } };
  }

  /**
   * Starts an upload whose body never ends (chunked, 1 MB sent so far, more announced) and resolves with the answer
   * the server gives while the body is still unfinished.
   */
  async function endlessUpload(token: string, visitId: number, photoToken: string): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
    const url = new URL(`${h.baseUrl}/api/v1/visits/${visitId}/photos`);
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-photo-token': photoToken, 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => undefined);
    const answered = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.write(partHead);
    req.write(Buffer.alloc(1024 * 1024, 0xab));
    try {
      const res = await within(10_000, answered, 'a refused upload');
      let text = '';
      for await (const chunk of res) text += String(chunk);
      expect(req.writableEnded).toBe(false);
      return { status: res.statusCode!, body: JSON.parse(text) };
    } finally {
      req.destroy();
    }
  }

  it('refuses a wrong photo token, someone else’s visit, a missing or a finished visit before reading the photo', async () => {
    const mine = await openVisit(rep01, 'rep01');
    const theirs = await openVisit(rep02, 'rep02');

    expect(await endlessUpload(rep01, mine.id, 'x'.repeat(32))).toEqual({
      status: 403,
      body: { error: { code: 'invalid_photo_token', message: '照片凭证无效：请在签到后用本次拜访返回的 photoToken 上传（请求头 X-Photo-Token）。' } },
    });
    const notFound = { status: 404, body: { error: { code: 'not_found', message: '拜访不存在，或你无权查看。' } } };
    expect(await endlessUpload(rep01, theirs.id, theirs.photoToken)).toEqual(notFound);
    expect(await endlessUpload(rep01, 99_999_999, mine.photoToken)).toEqual(notFound);

    const finished = await h.request('POST', `/api/v1/visits/${mine.id}/finish`, { token: rep01, body: {} });
    expect(finished.status).toBe(200);
    expect(await endlessUpload(rep01, mine.id, mine.photoToken)).toMatchObject({ status: 409, body: { error: { code: 'visit_closed' } } });
    expect(await h.db.selectFrom('visit_photos').select('id').where('visit_id', 'in', [mine.id, theirs.id]).execute()).toEqual([]);
  });

  it('refuses an 8000×8000 PNG (64 MP, about 200 KB) from its header with a Chinese 413', async () => {
    const visit = await openVisit(rep01, 'rep01');
    const png = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#7a7a7a' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(png.length).toBeLessThan(300 * 1024);

    const res = await upload(rep01, visit.id, visit.photoToken, png);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: { code: 'photo_too_large', message: '照片像素太多（8000×8000），上限是 5200 万像素。请用相机的默认分辨率重新拍摄后再上传。', maxPixels: 52_000_000 },
    });
  });

  it('serves a photo, and every other answer, with X-Content-Type-Options: nosniff', async () => {
    const visit = await openVisit(rep01, 'rep01');
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6ea5' } }).jpeg().toBuffer();
    const uploaded = await upload(rep01, visit.id, visit.photoToken, jpeg);
    expect(uploaded.status).toBe(201);

    const photo = await fetch(`${h.baseUrl}/api/v1/photos/${(uploaded.body as unknown as { photo: { id: number } }).photo.id}`, { headers: { authorization: `Bearer ${rep01}` } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(uploaded.headers.get('x-content-type-options')).toBe('nosniff');
    const refused = await h.request('GET', '/api/v1/photos/99999999', { token: rep01 });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
