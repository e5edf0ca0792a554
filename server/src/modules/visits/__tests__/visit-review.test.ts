import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { invalidateVisitSettings } from '../visits.service';

const tenantId = 'demo-dingtalk';

interface Seeded {
  id: number;
  customer_id: number;
  user_id: string;
  checked_in_at: number;
}

describe.each(dialects)('a manager decides a suspect visit on %s', (dialect) => {
  let h: Harness;
  let east: string;
  let south: string;
  let admin: string;
  let seeded: Seeded[];

  beforeAll(async () => {
    h = await startHarness(dialect);
    invalidateVisitSettings();
    [east, south, admin] = await Promise.all([h.tokenFor(tenantId, 'mgr-east'), h.tokenFor(tenantId, 'mgr-south'), h.tokenFor(tenantId, 'admin01')]);
    seeded = (await h.db.selectFrom('visits').select(['id', 'customer_id', 'user_id', 'checked_in_at']).where('tenant_id', '=', tenantId).where('verdict', '=', 'suspect').orderBy('id').execute()).map(
      (v) => ({ ...v, checked_in_at: Number(v.checked_in_at) }),
    );
  });
  afterAll(() => h.close());

  const visitOf = (userId: string) => seeded.find((v) => v.user_id === userId)!;
  const profile = async (customerId: number, token = east) => (await h.request('GET', `/api/v1/customers/${customerId}`, { token })).body.customer;
  const review = (id: number, token: string, body: unknown) => h.request('POST', `/api/v1/visits/${id}/review`, { token, body });

  it('the demo holds finished suspect visits awaiting review in each region, each in its manager’s list only', async () => {
    const list = async (token: string) => (await h.request('GET', '/api/v1/visits/review?verdict=suspect', { token })).body.items as { id: number; userId: string; status: string; review: unknown }[];
    const [mine, theirs] = await Promise.all([list(east), list(south)]);
    expect(mine.map((v) => v.userId).sort()).toEqual(['rep06', 'rep07', 'rep08']);
    expect(theirs.map((v) => v.userId).sort()).toEqual(['rep14', 'rep15', 'rep16']);
    expect([...mine, ...theirs].every((v) => v.status === 'finished' && v.review === null)).toBe(true);
    // Chained by the seed: the chain verifies from the start.
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body).toMatchObject({ ok: true, entries: 12 });
  });

  it('refuses a rep (403) and a manager outside the visit’s team (404), changing nothing', async () => {
    const visit = visitOf('rep07');
    const asRep = await review(visit.id, await h.tokenFor(tenantId, 'rep07'), { decision: 'verified' });
    expect([asRep.status, asRep.body.error.code]).toEqual([403, 'forbidden']);
    expect(asRep.body.error.message).toBe('只有经理或管理员可以审核拜访。');
    const outside = await review(visit.id, south, { decision: 'verified' });
    expect([outside.status, outside.body.error.code]).toEqual([404, 'not_found']);
    const missing = await review(999_999, east, { decision: 'verified' });
    expect(missing.status).toBe(404);
    const bad = await review(visit.id, east, { decision: 'approve' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    const row = await h.db.selectFrom('visits').select(['verdict', 'review_decision']).where('id', '=', visit.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ verdict: 'suspect', review_decision: null });
  });

  it('verified: the visit upgrades and the customer’s verified-visit clock restarts as of the visit, on the timeline too', async () => {
    const visit = visitOf('rep07');
    const before = await profile(visit.customer_id);
    expect(Date.parse(before.lastVerifiedVisitAt)).toBeLessThan(visit.checked_in_at);
    h.clock.advance(60_000);
    const res = await review(visit.id, east, { decision: 'verified', note: '  电话核实过，确实在店里  ' });
    expect(res.status).toBe(200);
    expect(res.body.visit).toMatchObject({
      id: visit.id,
      verdict: 'verified',
      review: { decision: 'verified', byUserId: 'mgr-east', byName: '钱东', as: 'manager', at: new Date(h.clock.now()).toISOString(), note: '电话核实过，确实在店里' },
    });
    const after = await profile(visit.customer_id);
    expect(after.lastVerifiedVisitAt).toBe(new Date(visit.checked_in_at).toISOString());
    expect(Date.parse(after.reclaim.dueDate)).toBeGreaterThan(Date.parse(before.reclaim.dueDate));
    const item = after.timeline.find((t: { type: string; visitId?: number }) => t.type === 'visit' && t.visitId === visit.id);
    expect(item).toMatchObject({ verdict: 'verified', review: { decision: 'verified', byName: '钱东', note: '电话核实过，确实在店里' } });
    const row = await h.db.selectFrom('visits').select(['clock_restarted', 'previous_verified_visit_at', 'reviewed_by', 'reviewed_as']).where('id', '=', visit.id).executeTakeFirstOrThrow();
    expect({ ...row, previous_verified_visit_at: Number(row.previous_verified_visit_at) }).toEqual({
      clock_restarted: 1,
      previous_verified_visit_at: Date.parse(before.lastVerifiedVisitAt),
      reviewed_by: 'mgr-east',
      reviewed_as: 'manager',
    });
    // Decided: it leaves the list awaiting review.
    const list = (await h.request('GET', '/api/v1/visits/review?verdict=suspect', { token: east })).body.items as { id: number }[];
    expect(list.map((v) => v.id)).not.toContain(visit.id);
  });

  it('a second decision is refused with 409, whoever makes it', async () => {
    const visit = visitOf('rep07');
    const again = await review(visit.id, admin, { decision: 'rejected', note: '改主意了' });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_reviewed']);
    expect(again.body.error.message).toMatch(/已经审核过了（通过）/);
    const row = await h.db.selectFrom('visits').select(['verdict', 'review_note']).where('id', '=', visit.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ verdict: 'verified', review_note: '电话核实过，确实在店里' });
  });

  it('rejected (by an admin): the visit is rejected and the clock stays where it was', async () => {
    const visit = visitOf('rep15');
    const before = await profile(visit.customer_id, admin);
    const res = await review(visit.id, admin, { decision: 'rejected', note: '定位过期，照片也没有' });
    expect(res.status).toBe(200);
    expect(res.body.visit).toMatchObject({ verdict: 'rejected', review: { decision: 'rejected', byUserId: 'admin01', byName: '严管', as: 'admin', note: '定位过期，照片也没有' } });
    const after = await profile(visit.customer_id, admin);
    expect([after.lastVerifiedVisitAt, after.reclaim]).toEqual([before.lastVerifiedVisitAt, before.reclaim]);
  });

  it('only a finished suspect visit can be decided: a verified one and a visit still going on are 409 not_reviewable', async () => {
    const rep = await h.tokenFor(tenantId, 'rep08');
    const customer = await h.db.selectFrom('customers').select(['id', 'lat', 'lng']).where('tenant_id', '=', tenantId).where('owner_id', '=', 'rep08').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const now = h.clock.now();
    const fixes = (accuracy: number) => [0, 1, 2].map((i) => ({ lat: customer.lat + (i - 1) * 0.000013 + 0.0000071, lng: customer.lng + (i - 1) * 0.000011 - 0.0000043, accuracy: accuracy + i * 1.7, coord: 'gcj02', ts: now - (6 - i * 2) * 1000 }));
    const device = { platform: 'dingtalk', os: 'iOS 17.5', model: 'iPhone 15', clientVersion: '1.0.0' };
    const checkIn = async (accuracy: number) => {
      const { nonce } = (await h.request('POST', '/api/v1/visits/nonce', { token: rep })).body;
      return (await h.request('POST', '/api/v1/visits', { token: rep, body: { customerId: customer.id, nonce, fixes: fixes(accuracy), device } })).body.visit;
    };
    const open = await checkIn(350);
    expect([open.verdict, open.status]).toEqual(['suspect', 'open']);
    const ongoing = await review(open.id, east, { decision: 'verified' });
    expect([ongoing.status, ongoing.body.error.code]).toEqual([409, 'not_reviewable']);
    expect(ongoing.body.error.message).toMatch(/还没有结束/);
    const fine = await checkIn(15);
    expect(fine.verdict).toBe('verified');
    const verified = await review(fine.id, east, { decision: 'rejected' });
    expect([verified.status, verified.body.error.code]).toEqual([409, 'not_reviewable']);
    expect(verified.body.error.message).toMatch(/已经通过校验/);
  });

  it('chains each decision: the chain verifies, and an edited decision is caught', async () => {
    const verify = async () => (await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body;
    const intact = await verify();
    expect(intact).toMatchObject({ ok: true, firstBrokenSeq: null });
    const entries = await h.db.selectFrom('evidence_chain').select(['seq', 'kind', 'ref_id', 'payload']).where('tenant_id', '=', tenantId).where('kind', '=', 'review').orderBy('seq').execute();
    expect(entries.map((e) => [e.kind, e.ref_id])).toEqual([
      ['review', visitOf('rep07').id],
      ['review', visitOf('rep15').id],
    ]);
    expect(JSON.parse(entries[0]!.payload)).toMatchObject({ decision: 'verified', verdict: 'verified', reviewedBy: 'mgr-east', note: '电话核实过，确实在店里', clockRestarted: 1 });

    await h.db.updateTable('visits').set({ review_note: '现场核实' }).where('id', '=', visitOf('rep07').id).execute();
    const edited = await verify();
    expect(edited).toMatchObject({ ok: false, firstBrokenSeq: Number(entries[0]!.seq) });
    expect(edited.reason).toContain('note');
    await h.db.updateTable('visits').set({ review_note: '电话核实过，确实在店里' }).where('id', '=', visitOf('rep07').id).execute();

    // A decision written around the API (no entry) is reported too.
    await h.db.updateTable('visits').set({ verdict: 'verified', review_decision: 'verified', reviewed_by: 'mgr-east', reviewed_as: 'manager', reviewed_at: h.clock.now() - 120_000 }).where('id', '=', visitOf('rep06').id).execute();
    const forged = await verify();
    expect(forged.ok).toBe(false);
    expect(forged.reason).toContain(`拜访 ${visitOf('rep06').id}`);
  });
});
