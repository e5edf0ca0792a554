import sharp from 'sharp';
import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import type { EvidenceKind } from '../../evidence/evidence.table';
import { invalidateVisitSettings } from '../../visits/visits.service';

const T = 'demo-dingtalk';
const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };

/** A camera-like test photo. */
function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="rgb(40,120,200)"/><circle cx="300" cy="260" r="110" fill="white"/><rect x="420" y="300" width="200" height="120" fill="black"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

describe.each(dialects)('visits and photos of a merged customer on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  let admin: string;
  let east: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
    [rep01, admin, east] = await Promise.all([h.tokenFor(T, 'rep01'), h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east')]);
  });
  afterAll(() => h.close());

  let n = 0;
  /** A customer of rep01's, far enough from the others not to be taken for a duplicate. */
  const create = async (name: string) => {
    n += 1;
    const at = { lat: 31.2 + n * 0.01, lng: 121.3 };
    const res = await h.request('POST', '/api/v1/customers', { token: rep01, body: { name, address: `上海市合并路 ${n} 号`, ...at, level: 'B' } });
    expect(res.status).toBe(201);
    return { id: res.body.customer.id as number, ...at };
  };
  const fixesAt = (lat: number, lng: number, accuracy: number) =>
    [0, 1, 2].map((i) => ({ lat: lat + (i - 1) * 0.000013, lng: lng + (i - 1) * 0.000011, accuracy: accuracy + i * 1.7, coord: 'gcj02', ts: h.clock.now() - (6 - i * 2) * 1000 }));
  /** rep01 checks in at the customer (poor accuracy makes it suspect), optionally takes a photo, and finishes 10 minutes later. */
  const visit = async (c: { id: number; lat: number; lng: number }, opts: { accuracy: number; photo: boolean }) => {
    h.clock.advance(3_600_000);
    const { nonce } = (await h.request('POST', '/api/v1/visits/nonce', { token: rep01 })).body;
    const checkIn = await h.request('POST', '/api/v1/visits', { token: rep01, body: { customerId: c.id, nonce, fixes: fixesAt(c.lat, c.lng, opts.accuracy), device } });
    expect(checkIn.status).toBe(201);
    let photoId: number | null = null;
    if (opts.photo) {
      const boundary = '----gonghaimerge';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        await photo(),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await fetch(`${h.baseUrl}/api/v1/visits/${checkIn.body.visit.id}/photos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rep01}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-photo-token': checkIn.body.photoToken },
        body,
      });
      expect(res.status).toBe(201);
      photoId = ((await res.json()) as { photo: { id: number } }).photo.id;
    }
    h.clock.advance(600_000);
    const finished = await h.request('POST', `/api/v1/visits/${checkIn.body.visit.id}/finish`, { token: rep01, body: { notes: '见到了老板' } });
    expect(finished.status).toBe(200);
    return { id: checkIn.body.visit.id as number, checkedInAt: checkIn.body.visit.checkedInAt as string, verdict: finished.body.visit.verdict as string, photoId };
  };
  const merge = async (id: number, intoId: number) => {
    h.clock.advance(1000);
    const res = await h.request('POST', `/api/v1/admin/customers/${id}/merge`, { token: admin, body: { intoId } });
    expect(res.status).toBe(200);
    return res.body.customer;
  };
  const verify = async () => (await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body;
  const seqOf = async (kind: EvidenceKind, refId: number) =>
    Number((await h.db.selectFrom('evidence_chain').select('seq').where('tenant_id', '=', T).where('kind', '=', kind).where('ref_id', '=', refId).executeTakeFirstOrThrow()).seq);

  let moved: { id: number; checkedInAt: string; photoId: number | null };
  let survivorId: number;

  it('the survivor lists the merged record’s visits and photos as its own, and the chain verifies', async () => {
    const merged = await create('重复的五金店');
    const survivor = await create('五金店');
    survivorId = survivor.id;
    const v = await visit(merged, { accuracy: 450, photo: true });
    expect(v.verdict).toBe('suspect');
    moved = v;

    const p = await merge(merged.id, survivor.id);
    const item = p.timeline.find((i: { type: string; visitId?: number }) => i.type === 'visit' && i.visitId === v.id);
    expect(item).toMatchObject({ verdict: 'suspect', userId: 'rep01', notes: '见到了老板', photos: [expect.objectContaining({ id: v.photoId, chainSeq: await seqOf('photo', v.photoId!) })] });
    expect(await h.db.selectFrom('visits').select('customer_id').where('id', '=', v.id).executeTakeFirstOrThrow()).toEqual({ customer_id: survivor.id });
    expect(await h.db.selectFrom('visit_photos').select('customer_id').where('id', '=', v.photoId!).executeTakeFirstOrThrow()).toEqual({ customer_id: survivor.id });
    // The manager's list names the survivor (the merged record is gone).
    const list = (await h.request('GET', '/api/v1/visits/review?verdict=suspect', { token: east })).body.items as { id: number; customerId: number; customerName?: string }[];
    expect(list.find((i) => i.id === v.id)).toMatchObject({ customerId: survivor.id, customerName: '五金店' });

    const entries = Number((await h.db.selectFrom('evidence_chain').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', T).executeTakeFirstOrThrow()).n);
    expect(await verify()).toEqual({ ok: true, entries, firstBrokenSeq: null, reason: null });
  });

  it('approving the moved suspect visit restarts the survivor’s clock, and the chain still verifies', async () => {
    expect((await h.request('GET', `/api/v1/customers/${survivorId}`, { token: rep01 })).body.customer.lastVerifiedVisitAt).toBeNull();
    h.clock.advance(60_000);
    const res = await h.request('POST', `/api/v1/visits/${moved.id}/review`, { token: east, body: { decision: 'verified', note: '电话核实过' } });
    expect(res.status).toBe(200);
    expect(res.body.visit).toMatchObject({ id: moved.id, customerId: survivorId, verdict: 'verified' });
    const profile = (await h.request('GET', `/api/v1/customers/${survivorId}`, { token: rep01 })).body.customer;
    expect(profile.lastVerifiedVisitAt).toBe(moved.checkedInAt);
    expect(await verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it('still reports any other edit of a moved visit, naming only that field', async () => {
    const seq = await seqOf('check_in', moved.id);
    const { distance_m } = await h.db.selectFrom('visits').select('distance_m').where('id', '=', moved.id).executeTakeFirstOrThrow();
    await h.db.updateTable('visits').set({ distance_m: distance_m + 1 }).where('id', '=', moved.id).execute();
    try {
      expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: seq, reason: `拜访 ${moved.id} 的记录与存证第 ${seq} 条不符（distanceM 被修改过）。` });
    } finally {
      await h.db.updateTable('visits').set({ distance_m }).where('id', '=', moved.id).execute();
    }
    expect((await verify()).ok).toBe(true);
  });

  it('follows a chain of merges (A into B, B into C)', async () => {
    const [a, b, c] = [await create('甲店'), await create('甲店（二）'), await create('甲店（三）')];
    const v = await visit(a, { accuracy: 14, photo: false });
    await merge(a.id, b.id);
    const p = await merge(b.id, c.id);
    expect(p.timeline.filter((i: { type: string }) => i.type === 'visit').map((i: { visitId: number }) => i.visitId)).toEqual([v.id]);
    expect(await verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it('a merge written around the API launders nothing and is reported itself', async () => {
    const [x, y] = [await create('乙店'), await create('丙店')];
    const v = await visit(x, { accuracy: 14, photo: false });
    const forged = Number(
      (await h.db.insertInto('customer_merges').values({ tenant_id: T, merged_id: x.id, into_id: y.id, merged_name: '乙店', actor_id: 'admin01', at: h.clock.now() - 120_000 }).executeTakeFirstOrThrow()).insertId,
    );
    await h.db.updateTable('visits').set({ customer_id: y.id }).where('id', '=', v.id).execute();
    const seq = await seqOf('check_in', v.id);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: seq, reason: `拜访 ${v.id} 的记录与存证第 ${seq} 条不符（customerId 被修改过）。` });

    await h.db.updateTable('visits').set({ customer_id: x.id }).where('id', '=', v.id).execute();
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: null, reason: `客户合并 ${forged} 没有存证记录（可能是绕过系统直接写入的）。` });
    await h.db.deleteFrom('customer_merges').where('id', '=', forged).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('an edited merge row no longer vouches for the visits it moved', async () => {
    const other = await create('丁店');
    const row = await h.db.selectFrom('customer_merges').select(['id', 'into_id']).where('tenant_id', '=', T).where('into_id', '=', survivorId).executeTakeFirstOrThrow();
    const seq = await seqOf('check_in', moved.id);
    const broken = { ok: false, firstBrokenSeq: seq, reason: `拜访 ${moved.id} 的记录与存证第 ${seq} 条不符（customerId 被修改过）。` };
    await h.db.updateTable('customer_merges').set({ into_id: other.id }).where('id', '=', row.id).execute();
    try {
      // Neither where the edited row says the visit went, nor where the chained merge put it.
      await h.db.updateTable('visits').set({ customer_id: other.id }).where('id', '=', moved.id).execute();
      expect(await verify()).toMatchObject(broken);
      await h.db.updateTable('visits').set({ customer_id: survivorId }).where('id', '=', moved.id).execute();
      expect(await verify()).toMatchObject(broken);
    } finally {
      await h.db.updateTable('customer_merges').set({ into_id: row.into_id }).where('id', '=', row.id).execute();
      await h.db.updateTable('visits').set({ customer_id: survivorId }).where('id', '=', moved.id).execute();
    }
    expect((await verify()).ok).toBe(true);
  });
});
