import { dialects } from '../../../../test/databases';
import { addReps, poolCustomerIds, poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { encodeGeohash } from '../../../geo/geo';
import { invalidateRules } from '../../pool/pool-rules.repository';

const T = 'demo-dingtalk';

describe.each(dialects)('editing customers and their contacts on %s', (dialect) => {
  let h: Harness;
  let east: number;
  let rep01: string;
  let rep02: string;
  let mgrEast: string;
  let mgrSouth: string;
  let hr: string;
  let admin: string;
  beforeAll(async () => {
    h = await startHarness(dialect);
    east = await poolIdByName(h.db, T, '华东公海');
    const users = ['rep01', 'rep02', 'mgr-east', 'mgr-south', 'hr01', 'admin01'] as const;
    [rep01, rep02, mgrEast, mgrSouth, hr, admin] = (await Promise.all(users.map((u) => h.tokenFor(T, u)))) as [string, string, string, string, string, string];
  });
  afterAll(() => h.close());

  let n = 0;
  // Each far enough from the others (and the demo's) not to be taken for a duplicate on creation.
  const create = async (token: string, over: Record<string, unknown> = {}) => {
    n += 1;
    const res = await h.request('POST', '/api/v1/customers', {
      token,
      body: { name: `编辑测试${n}号`, address: `上海市测试路 ${n} 号`, lat: 30.5 + n * 0.01, lng: 120.5, level: 'B', ...over },
    });
    expect(res.status).toBe(201);
    return res.body.customer as { id: number; reclaim: { dueDate: string } };
  };
  const patch = (token: string, id: number, body: unknown) => h.request('PATCH', `/api/v1/customers/${id}`, { token, body });
  const edits = (id: number) =>
    h.db.selectFrom('customer_edits').select(['actor_id', 'kind', 'changes']).where('tenant_id', '=', T).where('customer_id', '=', id).orderBy('id').execute();

  it('lets the owner change name, address, coordinates, tags and level, recording who changed what', async () => {
    const c = await create(rep01, { tags: ['老客户'] });
    h.clock.advance(60_000);
    const res = await patch(rep01, c.id, {
      name: '  上海改名商行  ',
      address: '上海市静安区南京西路 1 号',
      lat: 31.23237,
      lng: 121.46904,
      coord: 'wgs84',
      tags: ['重点', '老客户'],
      level: 'B',
    });
    expect(res.status).toBe(200);
    const p = res.body.customer;
    expect(p).toMatchObject({ id: c.id, name: '上海改名商行', address: '上海市静安区南京西路 1 号', tags: ['重点', '老客户'], level: 'B', editable: true });
    // WGS-84 in, GCJ-02 stored, and the geohash follows the new point.
    expect(p.lat).toBeCloseTo(31.2304, 3);
    expect(p.lng).toBeCloseTo(121.4737, 3);
    const row = await h.db.selectFrom('customers').select(['lat', 'lng', 'geohash']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.geohash).toBe(encodeGeohash(Number(row.lat), Number(row.lng)));
    // The unchanged level is not an edit.
    const [edit] = await edits(c.id);
    expect(edit).toMatchObject({ actor_id: 'rep01', kind: 'edited' });
    expect(JSON.parse(edit!.changes).map((x: { field: string }) => x.field)).toEqual(['name', 'address', 'location', 'tags']);
    expect(p.timeline[0]).toMatchObject({
      type: 'edited',
      kind: 'edited',
      actorId: 'rep01',
      actorName: expect.any(String),
      changes: expect.arrayContaining([
        { field: 'name', from: expect.stringMatching(/^编辑测试\d+号$/), to: '上海改名商行' },
        { field: 'tags', from: ['老客户'], to: ['重点', '老客户'] },
      ]),
    });

    // Sending the same values again changes nothing and records nothing.
    expect((await patch(rep01, c.id, { name: '上海改名商行' })).status).toBe(200);
    expect(await edits(c.id)).toHaveLength(1);
  });

  it('converts BD-09 coordinates to GCJ-02', async () => {
    const c = await create(rep01);
    // 人民广场 on a Baidu map is about 0.0065° east and 0.006° north of its GCJ-02 point.
    const res = await patch(rep01, c.id, { lat: 31.23666, lng: 121.48024, coord: 'bd09' });
    expect(res.status).toBe(200);
    expect(res.body.customer.lat).toBeCloseTo(31.2304, 3);
    expect(res.body.customer.lng).toBeCloseTo(121.4737, 3);
    expect(res.body.customer.timeline[0].changes).toEqual([{ field: 'location', from: { lat: 30.5 + n * 0.01, lng: 120.5 }, to: { lat: res.body.customer.lat, lng: res.body.customer.lng } }]);
  });

  it('re-evaluates the reclaim clock when the level changes', async () => {
    // A rule for A customers only: 5 days without a follow-up, sooner than the pool's 15 days without a verified visit.
    await h.db
      .insertInto('pool_rules')
      .values({ tenant_id: T, pool_id: east, kind: 'no_follow_up', days: 5, enabled: 1, levels: '["A"]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[]', notify_manager: 0, target_pool_id: null, version: 1, created_at: h.clock.now(), updated_at: h.clock.now() })
      .execute();
    invalidateRules(h.deps.db, T);
    try {
      const c = await create(rep01);
      expect(c.reclaim).toMatchObject({ kind: 'no_verified_visit' });
      const res = await patch(rep01, c.id, { level: 'A' });
      expect(res.status).toBe(200);
      expect(res.body.customer.level).toBe('A');
      expect(res.body.customer.reclaim).toMatchObject({ kind: 'no_follow_up' });
      expect(Date.parse(res.body.customer.reclaim.dueDate)).toBeLessThan(Date.parse(c.reclaim.dueDate));
      expect(res.body.customer.timeline[0]).toMatchObject({ type: 'edited', changes: [{ field: 'level', from: 'B', to: 'A' }] });
    } finally {
      await h.db.deleteFrom('pool_rules').where('tenant_id', '=', T).where('pool_id', '=', east).where('kind', '=', 'no_follow_up').execute();
      invalidateRules(h.deps.db, T);
    }
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const c = await create(rep01);
    const empty = await patch(rep01, c.id, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
    const half = await patch(rep01, c.id, { lat: 31.2 });
    expect(half.status).toBe(400);
    expect(half.body.error.issues.map((i: { path: string }) => i.path)).toContain('lat');
    expect((await patch(rep01, c.id, { level: 'E' })).status).toBe(400);
    expect((await patch(rep01, c.id, { name: '   ' })).status).toBe(400);
  });

  it('lets the owner’s manager and an admin edit, and refuses everyone else as loadVisibleCustomer decides', async () => {
    const c = await create(rep01);
    // Not visible: another rep, a manager of another region → 404, nothing revealed.
    expect((await patch(rep02, c.id, { level: 'C' })).status).toBe(404);
    expect((await patch(mgrSouth, c.id, { level: 'C' })).status).toBe(404);
    // Visible but not theirs to edit: HR sees every customer.
    const byHr = await patch(hr, c.id, { level: 'C' });
    expect(byHr.status).toBe(403);
    expect(byHr.body.error).toEqual({ code: 'forbidden', message: '只有该客户的负责人、负责人的上级经理或管理员才能修改客户资料。' });
    expect((await patch(mgrEast, c.id, { level: 'C' })).body.customer.level).toBe('C');
    expect((await patch(admin, c.id, { level: 'D' })).body.customer.level).toBe('D');
    expect((await edits(c.id)).map((e) => e.actor_id)).toEqual(['mgr-east', 'admin01']);

    // A pool customer: its pool's members see it, but only admins edit it.
    const [poolCustomer] = await poolCustomerIds(h.db, T, east, 1);
    const byMember = await patch(rep01, poolCustomer!, { tags: ['x'] });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.message).toBe('公海中的客户只能由管理员修改资料；如需修改，请先领取该客户或联系管理员。');
    expect((await patch(admin, poolCustomer!, { tags: ['待核实'] })).body.customer.tags).toEqual(['待核实']);
    const profile = await h.request('GET', `/api/v1/customers/${poolCustomer}`, { token: rep01 });
    expect(profile.body.customer.editable).toBe(false);
  });

  it('refuses a level that puts the owner over the pool’s cap for it, unless an admin forces it', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'edlvl', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    await h.db.updateTable('pools').set({ max_owned_per_level: '{"A":1}' }).where('id', '=', east).execute();
    try {
      await create(token, { level: 'A' });
      const b = await create(token, { level: 'B' });
      const refused = await patch(token, b.id, { level: 'A' });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toEqual({
        code: 'owned_limit_reached',
        message: `测试${rep} 在「华东公海」已持有 1 个 A 级客户，达到该级别上限 1 个，不能把该客户改为 A 级；请先退回部分 A 级客户，或请管理员强制修改。`,
        limit: 1,
        owned: 1,
        level: 'A',
      });
      expect((await patch(mgrEast, b.id, { level: 'A' })).status).toBe(422);
      // Force is an admin's alone; a manager's force is ignored.
      expect((await patch(mgrEast, b.id, { level: 'A', force: true })).status).toBe(422);
      const adminRefused = await patch(admin, b.id, { level: 'A' });
      expect(adminRefused.body.error.message).toContain('或勾选强制修改');
      expect((await patch(admin, b.id, { level: 'A', force: true })).body.customer.level).toBe('A');
      // Other fields and other levels are not capped.
      expect((await patch(token, b.id, { level: 'C' })).status).toBe(200);
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_level: '{}' }).where('id', '=', east).execute();
    }
  });

  it('adds, edits and removes contacts, each on the timeline, phones masked for those who may not call them', async () => {
    const c = await create(rep01);
    const added = await h.request('POST', `/api/v1/customers/${c.id}/contacts`, { token: rep01, body: { name: ' 王采购 ', title: '采购经理', phone: '13800001111' } });
    expect(added.status).toBe(201);
    expect(added.body.contact).toEqual({ id: expect.any(Number), name: '王采购', title: '采购经理', phone: '13800001111' });
    const contactId = added.body.contact.id as number;
    expect((await h.request('POST', `/api/v1/customers/${c.id}/contacts`, { token: rep01, body: { name: '张三', phone: 'abc' } })).status).toBe(400);
    expect((await h.request('POST', `/api/v1/customers/${c.id}/contacts`, { token: rep02, body: { name: '张三' } })).status).toBe(404);

    h.clock.advance(1000);
    const edited = await h.request('PATCH', `/api/v1/customers/${c.id}/contacts/${contactId}`, { token: rep01, body: { phone: '13900002222', title: null } });
    expect(edited.status).toBe(200);
    expect(edited.body.contact).toEqual({ id: contactId, name: '王采购', title: null, phone: '13900002222' });
    // A contact of another customer is not found through this one.
    const other = await create(rep01);
    expect((await h.request('PATCH', `/api/v1/customers/${other.id}/contacts/${contactId}`, { token: rep01, body: { name: 'x' } })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v1/customers/${other.id}/contacts/${contactId}`, { token: rep01 })).status).toBe(404);

    h.clock.advance(1000);
    const second = (await h.request('POST', `/api/v1/customers/${c.id}/contacts`, { token: rep01, body: { name: '赵助理' } })).body.contact;
    h.clock.advance(1000);
    expect((await h.request('DELETE', `/api/v1/customers/${c.id}/contacts/${second.id}`, { token: rep01 })).status).toBe(204);

    const owner = (await h.request('GET', `/api/v1/customers/${c.id}`, { token: rep01 })).body.customer;
    expect(owner.contacts).toEqual([{ id: contactId, name: '王采购', title: null, phone: '13900002222' }]);
    expect(owner.timeline.filter((i: { type: string }) => i.type === 'edited').map((i: { kind: string; changes: unknown }) => [i.kind, i.changes])).toEqual([
      ['contact_removed', [{ field: 'contact', from: '赵助理', to: null }]],
      ['contact_added', [{ field: 'contact', from: null, to: '赵助理' }]],
      [
        'contact_edited',
        [
          { field: 'contact', from: '王采购', to: '王采购' },
          { field: 'title', from: '采购经理', to: null },
          { field: 'phone', from: '13800001111', to: '13900002222' },
        ],
      ],
      [
        'contact_added',
        [
          { field: 'contact', from: null, to: '王采购' },
          { field: 'title', from: null, to: '采购经理' },
          { field: 'phone', from: null, to: '13800001111' },
        ],
      ],
    ]);

    // Back in the pool, a member sees the history with the phones masked.
    expect((await h.request('POST', `/api/v1/customers/${c.id}/release`, { token: rep01, body: { reason: '区域调整' } })).status).toBe(200);
    const member = (await h.request('GET', `/api/v1/customers/${c.id}`, { token: rep02 })).body.customer;
    const phoneEdit = member.timeline.find((i: { kind?: string }) => i.kind === 'contact_edited');
    expect(phoneEdit.changes[2]).toEqual({ field: 'phone', from: '138****1111', to: '139****2222' });
    expect((await h.request('DELETE', `/api/v1/customers/${c.id}/contacts/${contactId}`, { token: rep02 })).status).toBe(403);
  });
});
