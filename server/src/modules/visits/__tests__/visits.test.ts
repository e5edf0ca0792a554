import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { chainMissing } from '../../evidence/evidence.service';
import { evidenceHeadJob } from '../../evidence/jobs/evidence-head.job';
import { findTenantById } from '../../tenants/tenants.repository';
import { invalidateVisitSettings } from '../visits.service';

const tenantId = 'demo-dingtalk';
const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };

/** A camera-like test photo, different for every seed. */
async function photo(seed: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="rgb(${(seed * 53) % 255},${(seed * 97) % 255},${(seed * 31) % 255})"/><circle cx="${100 + (seed * 37) % 600}" cy="${100 + (seed * 17) % 400}" r="${60 + (seed % 5) * 20}" fill="white"/><rect x="${(seed * 71) % 500}" y="300" width="200" height="120" fill="black"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

function multipart(bytes: Buffer, filename = 'photo.jpg', type = 'image/jpeg', field = 'photo'): { body: Buffer; contentType: string } {
  const boundary = `----gonghai${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(dialects)('visits on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let customer: { id: number; lat: number; lng: number; last_verified_visit_at: number | null };

  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
    token = await h.tokenFor(tenantId, 'rep01');
    customer = await h.db
      .selectFrom('customers')
      .select(['id', 'lat', 'lng', 'last_verified_visit_at'])
      .where('tenant_id', '=', tenantId)
      .where('owner_id', '=', 'rep01')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
  });
  afterAll(() => h.close());

  async function nonce(as = token): Promise<string> {
    const res = await h.request('POST', '/api/v1/visits/nonce', { token: as });
    expect(res.status).toBe(200);
    return res.body.nonce as string;
  }

  /** Fixes a few metres around a point, taken a few seconds ago, as a phone reports them (GCJ-02). */
  function fixesAt(lat: number, lng: number, overrides: Partial<{ accuracy: number; isMock: boolean; ageS: number }> = {}) {
    const now = h.clock.now();
    return [0, 1, 2].map((i) => ({
      lat: lat + (i - 1) * 0.000013 + 0.0000071,
      lng: lng + (i - 1) * 0.000011 - 0.0000043,
      accuracy: (overrides.accuracy ?? 14.2) + i * 1.7,
      coord: 'gcj02',
      ts: now - ((overrides.ageS ?? 6) - i * 2) * 1000,
      ...(overrides.isMock === undefined ? {} : { isMock: overrides.isMock }),
    }));
  }

  async function lastVerified(id = customer.id): Promise<number | null> {
    return (await h.db.selectFrom('customers').select('last_verified_visit_at').where('id', '=', id).executeTakeFirstOrThrow()).last_verified_visit_at;
  }

  async function upload(visitId: number, photoToken: string | undefined, bytes: Buffer, filename = 'photo.jpg') {
    const { body, contentType } = multipart(bytes, filename);
    const res = await fetch(`${h.baseUrl}/api/v1/visits/${visitId}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...(photoToken === undefined ? {} : { 'x-photo-token': photoToken }) },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function photoFiles(): Promise<string[]> {
    const root = h.deps.config.photoStore;
    const walk = async (dir: string): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      return (await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])))).flat();
    };
    return walk(root);
  }

  it('verifies an on-site check-in, restarts the verified-visit clock, and chains it', async () => {
    h.clock.advance(60_000);
    const res = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: await nonce(), fixes: fixesAt(customer.lat, customer.lng), device } });
    expect(res.status).toBe(201);
    expect(res.body.visit).toMatchObject({ customerId: customer.id, verdict: 'verified', risk: { score: 0, reasons: [] }, status: 'open' });
    expect(res.body.visit.distanceM).toBeLessThan(10);
    expect(res.body.photoToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await lastVerified()).toBe(h.clock.now());
    const chain = await h.db.selectFrom('evidence_chain').select(['seq', 'kind', 'ref_id']).where('tenant_id', '=', tenantId).orderBy('seq').execute();
    // After the demo's chained visits (a check-in and a finish each), this check-in's entry only.
    const demoVisits = (await h.db.selectFrom('visits').select('id').where('tenant_id', '=', tenantId).where('id', '<>', res.body.visit.id).execute()).length;
    expect(chain.slice(2 * demoVisits).map((e) => [Number(e.seq), e.kind, e.ref_id])).toEqual([[2 * demoVisits + 1, 'check_in', res.body.visit.id]]);
  });

  it('stores a rejected check-in for managers but refuses it with the reasons in Chinese, and the clock stays', async () => {
    const before = await lastVerified();
    h.clock.advance(3_600_000);
    const res = await h.request('POST', '/api/v1/visits', {
      token,
      body: { customerId: customer.id, nonce: await nonce(), fixes: fixesAt(customer.lat + 0.3, customer.lng, { isMock: true }), device },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('check_in_rejected');
    expect(res.body.error.message).toMatch(/^签到未通过：/);
    expect(res.body.error.reasons.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['MOCK_LOCATION', 'OUT_OF_RANGE']));
    expect(res.body.error.reasons.find((r: { code: string }) => r.code === 'OUT_OF_RANGE').detail).toMatch(/^[\d,]+ m > 300 m/);
    expect(await lastVerified()).toBe(before);
    const review = await h.request('GET', '/api/v1/visits/review', { token: await h.tokenFor(tenantId, 'mgr-east') });
    expect(review.status).toBe(200);
    expect(review.body.items[0]).toMatchObject({ id: res.body.error.visitId, verdict: 'rejected', userId: 'rep01', userName: '张伟' });
    const notMine = await h.request('GET', '/api/v1/visits/review', { token: await h.tokenFor(tenantId, 'mgr-south') });
    expect(notMine.body.items.map((v: { id: number }) => v.id)).not.toContain(res.body.error.visitId);
    const asRep = await h.request('GET', '/api/v1/visits/review', { token });
    expect(asRep.status).toBe(403);
  });

  it('a suspect check-in (poor accuracy, replayed nonce) never moves the clock', async () => {
    const before = await lastVerified();
    h.clock.advance(3_600_000);
    const used = await nonce();
    const first = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: used, fixes: fixesAt(customer.lat, customer.lng, { accuracy: 450 }), device } });
    expect(first.status).toBe(201);
    expect(first.body.visit.verdict).toBe('suspect');
    expect(first.body.visit.risk.reasons.map((r: { code: string }) => r.code)).toEqual(['LOW_ACCURACY']);
    expect(await lastVerified()).toBe(before);
    h.clock.advance(60_000);
    const replay = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: used, fixes: fixesAt(customer.lat, customer.lng), device } });
    expect(replay.status).toBe(422);
    expect(replay.body.error.reasons.map((r: { code: string }) => r.code)).toEqual(['REPLAYED_NONCE']);
    expect(await lastVerified()).toBe(before);
  });

  it('takes each fix\'s source, stores it with the visit, and holds a flag DingTalk on Android always sets against its absence', async () => {
    // Fixes are made after the clock moves on, so they are fresh.
    const send = async (fixes: () => object[]) => {
      h.clock.advance(3_600_000);
      return h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: await nonce(), fixes: fixes(), device } });
    };
    const stored = async (visitId: number) => JSON.parse((await h.db.selectFrom('visits').select('fixes').where('id', '=', visitId).executeTakeFirstOrThrow()).fixes) as { source: string; isMock?: boolean }[];
    const at = (extra: object) => () => fixesAt(customer.lat, customer.lng).map((f) => ({ ...f, ...extra }));

    const flagged = await send(at({ source: 'dd.startLocating', isMock: false }));
    expect(flagged.status).toBe(201);
    expect(flagged.body.visit.risk).toEqual({ score: 0, reasons: [] });
    expect((await stored(flagged.body.visit.id)).map((f) => [f.source, f.isMock])).toEqual([['dd.startLocating', false], ['dd.startLocating', false], ['dd.startLocating', false]]);

    const stripped = await send(at({ source: 'dd.startLocating' }));
    expect(stripped.status).toBe(201);
    expect(stripped.body.visit.verdict).toBe('suspect');
    expect(stripped.body.visit.risk.reasons.map((r: { code: string; detail: string }) => [r.code, r.detail])).toEqual([['MOCK_FLAG_MISSING', '3 of 3 fixes without a mock flag']]);

    // DingTalk's single-shot getLocation has no flag, nor has a client older than the field: nothing to hold against them.
    const single = await send(at({ source: 'dd.getLocation' }));
    expect(single.body.visit.risk).toEqual({ score: 0, reasons: [] });
    const old = await send(() => fixesAt(customer.lat, customer.lng));
    expect(old.body.visit.risk).toEqual({ score: 0, reasons: [] });
    expect((await stored(old.body.visit.id)).map((f) => f.source)).toEqual(['unknown', 'unknown', 'unknown']);

    const invented = await send(at({ source: 'gps' }));
    expect(invented.status).toBe(400);
    expect(invented.body.error.code).toBe('invalid_request');
    expect(invented.body.error.message).toMatch(/^请求参数不正确：定位来源\(fixes\.0\.source\)：只能是 dd\.startLocating、dd\.getLocation、/);
  });

  it('takes a camera photo with the visit token, watermarks it, and refuses bad uploads storing nothing', async () => {
    h.clock.advance(3_600_000);
    const checkIn = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: await nonce(), fixes: fixesAt(customer.lat, customer.lng), device } });
    expect(checkIn.status).toBe(201);
    const { visit, photoToken } = checkIn.body as { visit: { id: number }; photoToken: string };
    const filesBefore = (await photoFiles()).length;
    const photosBefore = await h.db.selectFrom('visit_photos').select('id').execute();

    expect(await upload(visit.id, undefined, await photo(1))).toMatchObject({ status: 403, body: { error: { code: 'invalid_photo_token' } } });
    expect(await upload(visit.id, 'x'.repeat(32), await photo(1))).toMatchObject({ status: 403 });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const wrongType = await upload(visit.id, photoToken, pdf, 'photo.jpg');
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.code).toBe('photo_unsupported_type');
    const huge = await upload(visit.id, photoToken, Buffer.alloc(10 * 1024 * 1024 + 1, 0xff));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('photo_too_large');
    expect((await photoFiles()).length).toBe(filesBefore);
    expect(await h.db.selectFrom('visit_photos').select('id').execute()).toEqual(photosBefore);

    const original = await photo(2);
    const ok = await upload(visit.id, photoToken, original);
    expect(ok.status).toBe(201);
    expect(ok.body.photo).toMatchObject({ url: `/api/v1/photos/${ok.body.photo.id}`, reused: false });
    expect(ok.body.photo.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ok.body.photo.chainSeq).toBeGreaterThan(1);
    expect((await photoFiles()).length).toBe(filesBefore + 2);
    const served = await fetch(`${h.baseUrl}${ok.body.photo.url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const watermarked = Buffer.from(await served.arrayBuffer());
    const meta = await sharp(watermarked).metadata();
    expect([meta.width, meta.height, meta.exif]).toEqual([800, 600, undefined]);
    // The bottom band carries the watermark: it differs clearly from the original there, and hardly above it.
    const [a, b] = await Promise.all([original, watermarked].map((img) => sharp(img).greyscale().raw().toBuffer()));
    const meanDiff = (from: number, to: number) => {
      let sum = 0;
      for (let i = from * 800; i < to * 800; i++) sum += Math.abs(a![i]! - b![i]!);
      return sum / ((to - from) * 800);
    };
    expect(meanDiff(520, 600)).toBeGreaterThan(20);
    expect(meanDiff(0, 300)).toBeLessThan(3);

    h.clock.advance(10 * 60_000);
    const finished = await h.request('POST', `/api/v1/visits/${visit.id}/finish`, { token, body: { notes: '见到了采购经理，约了下周报价' } });
    expect(finished.status).toBe(200);
    expect(finished.body.visit).toMatchObject({ status: 'finished', verdict: 'verified', dwellS: 600, notes: '见到了采购经理，约了下周报价' });
    expect(finished.body.visit.photos).toHaveLength(1);
    expect(await upload(visit.id, photoToken, await photo(3))).toMatchObject({ status: 409, body: { error: { code: 'visit_closed' } } });
    const again = await h.request('POST', `/api/v1/visits/${visit.id}/finish`, { token, body: {} });
    expect(again.status).toBe(409);

    const profile = await h.request('GET', `/api/v1/customers/${customer.id}`, { token });
    const visits = profile.body.customer.timeline.filter((t: { type: string }) => t.type === 'visit');
    expect(visits[0]).toMatchObject({ visitId: visit.id, verdict: 'verified', dwellS: 600, userName: '张伟' });
    expect(visits[0].photos).toHaveLength(1);
  });

  it('flags a reused photo and a visit that ends too soon, and gives the clock back', async () => {
    const before = await lastVerified();
    h.clock.advance(3_600_000);
    const checkIn = await h.request('POST', '/api/v1/visits', { token, body: { customerId: customer.id, nonce: await nonce(), fixes: fixesAt(customer.lat, customer.lng), device } });
    expect(checkIn.body.visit.verdict).toBe('verified');
    expect(await lastVerified()).toBe(h.clock.now());
    const reused = await upload(checkIn.body.visit.id, checkIn.body.photoToken, await photo(2));
    expect(reused.status).toBe(201);
    expect(reused.body.photo.reused).toBe(true);
    expect(await lastVerified()).toBe(before);
    h.clock.advance(30_000);
    const finished = await h.request('POST', `/api/v1/visits/${checkIn.body.visit.id}/finish`, { token, body: {} });
    expect(finished.body.visit.verdict).not.toBe('verified');
    expect(finished.body.visit.risk.reasons.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['PHOTO_REUSED', 'SHORT_DWELL']));
  });

  it('chains concurrent check-ins one after another, and verification finds any edit', async () => {
    const reps = ['rep02', 'rep03', 'rep04'];
    const owned = await h.db.selectFrom('customers').select(['id', 'lat', 'lng', 'owner_id']).where('tenant_id', '=', tenantId).where('owner_id', 'in', reps).orderBy('id').execute();
    const tokens = new Map(await Promise.all(reps.map(async (r) => [r, await h.tokenFor(tenantId, r)] as const)));
    h.clock.advance(3_600_000);
    const picks = reps.flatMap((r) => owned.filter((c) => c.owner_id === r).slice(0, 1));
    const results = await Promise.all(
      picks.map(async (c) => {
        const as = tokens.get(c.owner_id!)!;
        return h.request('POST', '/api/v1/visits', { token: as, body: { customerId: c.id, nonce: await nonce(as), fixes: fixesAt(c.lat, c.lng), device: { ...device, model: `Phone ${c.owner_id}` } } });
      }),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const admin = await h.tokenFor(tenantId, 'admin01');
    const intact = await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin });
    expect(intact.status).toBe(200);
    const entries = await h.db.selectFrom('evidence_chain').select('seq').where('tenant_id', '=', tenantId).execute();
    expect(intact.body).toEqual({ ok: true, entries: entries.length, firstBrokenSeq: null, reason: null });
    expect(entries.map((e) => Number(e.seq)).sort((x, y) => x - y)).toEqual(entries.map((_, i) => i + 1));

    // One field of one stored visit row.
    const target = results[1]!.body.visit.id as number;
    const seq = Number((await h.db.selectFrom('evidence_chain').select('seq').where('kind', '=', 'check_in').where('ref_id', '=', target).executeTakeFirstOrThrow()).seq);
    const { distance_m } = await h.db.selectFrom('visits').select('distance_m').where('id', '=', target).executeTakeFirstOrThrow();
    await h.db.updateTable('visits').set({ distance_m: distance_m + 1 }).where('id', '=', target).execute();
    const edited = await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin });
    expect(edited.body).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(edited.body.reason).toContain(`拜访 ${target}`);
    expect(edited.body.reason).toContain('distanceM');
    await h.db.updateTable('visits').set({ distance_m }).where('id', '=', target).execute();

    // One byte of one stored photo file.
    const photoRow = await h.db.selectFrom('visit_photos').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(1).executeTakeFirstOrThrow();
    const photoSeq = Number((await h.db.selectFrom('evidence_chain').select('seq').where('kind', '=', 'photo').where('ref_id', '=', photoRow.id).executeTakeFirstOrThrow()).seq);
    const file = path.join(h.deps.config.photoStore, photoRow.watermarked_key);
    const bytes = await readFile(file);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] = flipped[Math.floor(bytes.length / 2)]! ^ 0x01;
    await writeFile(file, flipped);
    const tampered = await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin });
    expect(tampered.body).toMatchObject({ ok: false, firstBrokenSeq: photoSeq });
    expect(tampered.body.reason).toContain(`照片 ${photoRow.id}`);
    await writeFile(file, bytes);
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body.ok).toBe(true);
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token })).status).toBe(403);

    // A visit written straight into the table, never chained.
    const { id: _id, ...copy } = await h.db.selectFrom('visits').selectAll().where('id', '=', target).executeTakeFirstOrThrow();
    const forged = Number((await h.db.insertInto('visits').values({ ...copy, checked_in_at: copy.checked_in_at - 3_600_000 }).executeTakeFirstOrThrow()).insertId);
    const orphan = await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin });
    expect(orphan.body).toMatchObject({ ok: false, firstBrokenSeq: null, reason: `拜访 ${forged} 没有存证记录（可能是绕过系统直接写入的）。` });
    // What a crash left unchained is chained at start-up and nightly.
    expect(await chainMissing(h.db, h.deps.evidence, tenantId, h.clock.now())).toBe(1);
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body.ok).toBe(true);
  });

  it('records the day’s chain head once, at 00:10 the next morning', async () => {
    const tip = await h.db.selectFrom('evidence_tips').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(h.clock.now());
    // 00:10 Shanghai time the day after the check-ins above.
    const nextMorning = Date.parse(`${local}T00:10:00+08:00`) + 86_400_000;
    const tenant = (await findTenantById(h.db, tenantId))!;
    await evidenceHeadJob.run({ deps: h.deps, now: nextMorning, tenant });
    await evidenceHeadJob.run({ deps: h.deps, now: nextMorning + 60_000, tenant });
    const heads = await h.db.selectFrom('evidence_heads').select(['day', 'seq', 'hash']).where('tenant_id', '=', tenantId).execute();
    expect(heads.map((x) => ({ ...x, seq: Number(x.seq) }))).toEqual([{ day: local, seq: Number(tip.seq), hash: tip.hash }]);
  });
});
