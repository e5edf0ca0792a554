import { dialects } from '../../../../test/databases';
import { finishedVisitRow } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { stockAt } from '../../dashboard/day-rows.service';

const T = 'demo-dingtalk';

describe.each(dialects)('merging two records of one customer on %s', (dialect) => {
  let h: Harness;
  let rep01: string;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    [rep01, admin] = await Promise.all([h.tokenFor(T, 'rep01'), h.tokenFor(T, 'admin01')]);
  });
  afterAll(() => h.close());

  let n = 0;
  // Each far enough from the others (and the demo's) not to be taken for a duplicate on creation.
  const create = async (name: string) => {
    n += 1;
    const res = await h.request('POST', '/api/v1/customers', {
      token: rep01,
      body: { name, address: `上海市测试路 ${n} 号`, lat: 31.5 + n * 0.01, lng: 121.9, level: 'B', contacts: [{ name: '李经理', phone: `1391234${String(n).padStart(4, '0')}` }] },
    });
    expect(res.status).toBe(201);
    return res.body.customer.id as number;
  };
  const merge = (token: string, id: number, body: unknown) => h.request('POST', `/api/v1/admin/customers/${id}/merge`, { token, body });

  it('moves contacts, follow-ups, deals and the ledger to the survivor, keeps visits verifiable, and deletes the merged record', async () => {
    // The merged record: a seeded customer of another rep, with a chained (suspect) visit.
    const seeded = await h.db
      .selectFrom('visits as v')
      .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'v.tenant_id').onRef('c.id', '=', 'v.customer_id'))
      .select(['c.id', 'c.name', 'c.owner_id', 'c.pool_id', 'v.id as visitId', 'v.checked_in_at'])
      .where('v.tenant_id', '=', T)
      .where('c.status', '=', 'owned')
      .where('c.owner_id', '!=', 'rep01')
      .where('c.reserved_by_assignment_id', 'is', null)
      .orderBy('v.id')
      .executeTakeFirstOrThrow();
    const mergedId = Number(seeded.id);
    const survivorId = await create('合并后的客户');
    h.clock.advance(1000);
    await h.db.insertInto('follow_ups').values({ tenant_id: T, customer_id: mergedId, user_id: seeded.owner_id!, kind: 'call', content: '重复档案上的跟进', at: h.clock.now() - 500 }).execute();
    const contactsBefore = await h.db.selectFrom('customer_contacts').select('id').where('tenant_id', '=', T).where('customer_id', 'in', [mergedId, survivorId]).execute();
    const ledgerBefore = await h.db.selectFrom('ownership_events').select('id').where('tenant_id', '=', T).where('customer_id', 'in', [mergedId, survivorId]).execute();
    const survivorBefore = await h.db.selectFrom('customers').select(['last_verified_visit_at']).where('id', '=', survivorId).executeTakeFirstOrThrow();
    expect(survivorBefore.last_verified_visit_at).toBeNull();
    const stockBefore = await stockAt(h.db, T, h.clock.now());
    h.clock.advance(1000);

    const res = await merge(admin, mergedId, { intoId: survivorId });
    expect(res.status).toBe(200);
    const p = res.body.customer;
    expect(p).toMatchObject({ id: survivorId, name: '合并后的客户', ownerId: 'rep01', status: 'owned' });
    expect(p.contacts).toHaveLength(contactsBefore.length);
    // The survivor's clock counts the merged record's verified visit.
    expect(p.lastVerifiedVisitAt).not.toBeNull();
    const reason = `合并了重复的客户「${seeded.name}」（编号 ${mergedId}），保留「合并后的客户」（编号 ${survivorId}）`;
    const east = (await h.db.selectFrom('customers').select('pool_id').where('id', '=', survivorId).executeTakeFirstOrThrow()).pool_id;
    expect(p.timeline.filter((i: { type: string }) => i.type === 'merged')).toEqual([
      // The merged record leaves its owner for nowhere, then the survivor stays with its owner: both name the merge.
      expect.objectContaining({ fromUserId: seeded.owner_id, toUserId: null, fromPoolId: Number(seeded.pool_id), toPoolId: null, actorId: 'admin01', reason }),
      expect.objectContaining({ fromUserId: 'rep01', toUserId: 'rep01', fromPoolId: east, toPoolId: east, actorId: 'admin01', reason }),
    ]);
    expect(p.timeline.filter((i: { type: string }) => i.type === 'follow_up').map((i: { content: string }) => i.content)).toContain('重复档案上的跟进');
    // The visit moves to the survivor and shows on its timeline; its evidence entry still signs the merged id.
    expect(p.timeline.filter((i: { type: string }) => i.type === 'visit').map((i: { visitId: number }) => i.visitId)).toContain(Number(seeded.visitId));
    expect((await h.db.selectFrom('visits').select('customer_id').where('id', '=', seeded.visitId).executeTakeFirstOrThrow()).customer_id).toBe(survivorId);
    expect(await h.db.selectFrom('visits').select('id').where('customer_id', '=', mergedId).execute()).toEqual([]);
    const mergeRow = await h.db.selectFrom('customer_merges').selectAll().where('tenant_id', '=', T).where('merged_id', '=', mergedId).executeTakeFirstOrThrow();
    expect({ ...mergeRow, at: Number(mergeRow.at) }).toEqual({ id: mergeRow.id, tenant_id: T, merged_id: mergedId, into_id: survivorId, merged_name: seeded.name, actor_id: 'admin01', at: h.clock.now() });
    const entry = await h.db.selectFrom('evidence_chain').select(['kind', 'payload']).where('tenant_id', '=', T).where('kind', '=', 'merge').where('ref_id', '=', mergeRow.id).executeTakeFirstOrThrow();
    expect(JSON.parse(entry.payload)).toEqual({ kind: 'merge', tenantId: T, mergeId: mergeRow.id, mergedId, intoId: survivorId, actorId: 'admin01', at: h.clock.now() });
    const ledgerAfter = await h.db.selectFrom('ownership_events').select(['id', 'to_user_id', 'to_pool_id']).where('tenant_id', '=', T).where('customer_id', '=', survivorId).orderBy('id').execute();
    expect(ledgerAfter).toHaveLength(ledgerBefore.length + 2);
    // The ledger still replays to the survivor's owner and pool, and the stock it replays lost exactly the merged record.
    expect(ledgerAfter.at(-1)).toMatchObject({ to_user_id: 'rep01', to_pool_id: east });
    const owned = (m: Awaited<ReturnType<typeof stockAt>>, poolId: number) => m.get(poolId)?.owned ?? 0;
    const stockAfter = await stockAt(h.db, T, h.clock.now() + 1);
    expect(owned(stockAfter, Number(seeded.pool_id))).toBe(owned(stockBefore, Number(seeded.pool_id)) - 1);
    expect(await stockAt(h.db, T, h.clock.now() - 1000)).toEqual(stockBefore);
    expect(await h.db.selectFrom('customers').select('id').where('id', '=', mergedId).execute()).toEqual([]);
    expect(await h.db.selectFrom('follow_ups').select('id').where('customer_id', '=', mergedId).execute()).toEqual([]);

    expect((await h.request('GET', `/api/v1/customers/${mergedId}`, { token: admin })).status).toBe(404);
    expect((await h.request('GET', '/api/v1/admin/evidence/verify', { token: admin })).body).toMatchObject({ ok: true, firstBrokenSeq: null, reason: null });
  });

  it('is for admins only', async () => {
    const [a, b] = [await create('重复甲'), await create('重复乙')];
    const res = await merge(rep01, a, { intoId: b });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await merge(await h.tokenFor(T, 'mgr-east'), a, { intoId: b })).status).toBe(403);
    expect(await h.db.selectFrom('customers').select('id').where('id', 'in', [a, b]).execute()).toHaveLength(2);
  });

  it('refuses merging into itself, into a missing or another tenant’s customer, a reserved one, or one being visited', async () => {
    const a = await create('重复丙');
    const self = await merge(admin, a, { intoId: a });
    expect(self.status).toBe(422);
    expect(self.body.error).toEqual({ code: 'merge_into_self', message: '不能把客户合并到它自己；请选择另一条重复的客户记录。' });

    const missing = await merge(admin, a, { intoId: 99_999_999 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('要合并到的客户（编号 99999999）不存在，请核对编号。');
    expect((await merge(admin, 99_999_999, { intoId: a })).status).toBe(404);

    const foreign = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', 'demo-wecom').orderBy('id').executeTakeFirstOrThrow();
    expect((await merge(admin, a, { intoId: foreign.id })).status).toBe(404);
    expect((await merge(admin, foreign.id, { intoId: a })).status).toBe(404);
    expect(await h.db.selectFrom('customers').select('tenant_id').where('id', '=', foreign.id).executeTakeFirstOrThrow()).toEqual({ tenant_id: 'demo-wecom' });

    expect((await merge(admin, a, {})).status).toBe(400);

    const b = await create('重复丁');
    await h.db.updateTable('customers').set({ reserved_by_assignment_id: 4242 }).where('id', '=', b).execute();
    const reserved = await merge(admin, a, { intoId: b });
    expect(reserved.status).toBe(422);
    expect(reserved.body.error).toEqual({ code: 'reserved', message: '客户「重复丁」已被人事预留给新员工（分配申请 #4242 审批中），请等审批结束后再合并。' });
    expect(await h.db.selectFrom('customer_contacts').select('id').where('customer_id', '=', a).execute()).toHaveLength(1);

    const c = await create('重复戊');
    const open = await h.db
      .insertInto('visits')
      .values({ ...finishedVisitRow(T, c, 'rep01', 'verified', h.clock.now()), status: 'open', finished_at: null, dwell_s: null })
      .executeTakeFirstOrThrow();
    try {
      const visiting = await merge(admin, c, { intoId: a });
      expect(visiting.status).toBe(409);
      expect(visiting.body.error).toEqual({ code: 'visit_open', message: '客户「重复戊」有一次拜访还在进行中，请等拜访结束后再合并。' });
      expect((await merge(admin, a, { intoId: c })).body.error.code).toBe('visit_open');
    } finally {
      await h.db.deleteFrom('visits').where('id', '=', Number(open.insertId)).execute();
    }
    expect((await merge(admin, c, { intoId: a })).status).toBe(200);
  });
});
