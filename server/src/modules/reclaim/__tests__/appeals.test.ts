import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { DAY_MS } from '../../../time';
import { recordHistory } from '../../pool/ownership-writer';

const T = 'demo-dingtalk';

describe.each(dialects)('appeals against a reclaim on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let south: string;
  let rep01: string;
  let rep02: string;
  let east: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, south, rep01, rep02] = (await Promise.all(['admin01', 'mgr-east', 'mgr-south', 'rep01', 'rep02'].map((u) => h.tokenFor(T, u)))) as [string, string, string, string, string];
    east = await poolIdByName(h.db, T, '华东公海');
  });
  afterAll(() => h.close());

  /** One of the rep's customers, reclaimed from them `daysAgo` days ago as the sweep does it (pool, cooldown, ledger). */
  async function reclaimedFrom(userId: string, daysAgo: number): Promise<{ id: number; name: string }> {
    const c = await h.db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', T).where('owner_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const id = Number(c.id);
    const at = h.clock.now() - daysAgo * DAY_MS;
    await h.db
      .updateTable('customers')
      .set({ status: 'pool', owner_id: null, owned_since: null, pool_entered_at: at, prior_owner_id: userId, prior_owner_blocked_until: at + 30 * DAY_MS })
      .where('id', '=', id)
      .execute();
    await recordHistory(h.db, [{ tenantId: T, customerId: id, type: 'reclaimed', fromUserId: userId, toUserId: null, fromPoolId: east, toPoolId: east, actorId: null, reason: '15 天无有效拜访', at }]);
    return { id, name: c.name };
  }
  const customer = async (id: number) => h.db.selectFrom('customers').select(['status', 'owner_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const messages = async (prefix: string) =>
    (await h.db.selectFrom('outbox').select(['dedupe_key', 'target', 'message']).where('tenant_id', '=', T).where('dedupe_key', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => ({
      key: r.dedupe_key,
      to: (JSON.parse(r.target) as { userIds: string[] }).userIds,
      title: (JSON.parse(r.message) as { title: string }).title,
    }));
  const appeal = (token: string, id: number, reason = '上周已拜访，定位异常未通过') => h.request('POST', `/api/v1/customers/${id}/appeal`, { token, body: { reason } });
  const decide = (token: string, id: number, body: Record<string, unknown>) => h.request('POST', `/api/v1/appeals/${id}/decision`, { token, body });

  it('lets the rep appeal within the window once, tells the manager, and refuses anyone else, a second appeal and a late one', async () => {
    const c = await reclaimedFrom('rep01', 1);
    const notOwner = await appeal(rep02, c.id);
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error).toEqual({ code: 'forbidden', message: '只有客户被回收前的负责人才能对这次回收提出申诉。' });

    const filed = await appeal(rep01, c.id);
    expect(filed.status).toBe(201);
    expect(filed.body.appeal).toMatchObject({ customerId: c.id, customerName: c.name, userId: 'rep01', userName: '张伟', reason: '上周已拜访，定位异常未通过', status: 'open', reclaimReason: '15 天无有效拜访', decidedBy: null });
    const [told] = await messages(`appeal:${filed.body.appeal.id}`);
    expect(told).toEqual({ key: `appeal:${filed.body.appeal.id}`, to: ['mgr-east'], title: `张伟 对客户「${c.name}」的回收提出申诉` });

    const twice = await appeal(rep01, c.id);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toEqual({ code: 'appeal_exists', message: '你已经对这次回收提出过申诉，请等待经理处理。' });

    const old = await reclaimedFrom('rep01', 4);
    const late = await appeal(rep01, old.id);
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('appeal_window_closed');
    expect(late.body.error.message).toMatch(/^该客户于 .+ 被回收，申诉期 3 天已于 .+ 结束，不能再申诉；如有特殊情况请直接联系经理。$/);
    expect(await customer(old.id)).toEqual({ status: 'pool', owner_id: null });

    const [bad, owned] = [await appeal(rep01, c.id, ' '), await appeal(rep01, (await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('owner_id', '=', 'rep01').executeTakeFirstOrThrow()).id)];
    expect(bad.status).toBe(400);
    expect(owned.status).toBe(409);
    expect(owned.body.error.code).toBe('not_appealable');

    // What the rep sees on 被收回的客户: within the window only, with the appeal filed.
    const mine = await h.request('GET', '/api/v1/me/reclaimed', { token: rep01 });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      appealDays: 3,
      items: [
        {
          customerId: c.id,
          customerName: c.name,
          reclaimedAt: new Date(h.clock.now() - DAY_MS).toISOString(),
          reason: '15 天无有效拜访',
          appealUntil: new Date(h.clock.now() + 2 * DAY_MS).toISOString(),
          appeal: { id: filed.body.appeal.id, status: 'open', note: null },
        },
      ],
    });
    expect((await h.request('GET', '/api/v1/me/reclaimed', { token: rep02 })).body.items).toEqual([]);
  });

  it('lists open appeals to the manager in scope and the admin, the rep their own, and not to another region’s manager', async () => {
    const c = await reclaimedFrom('rep02', 1);
    const id = (await appeal(rep02, c.id)).body.appeal.id as number;
    const ids = async (token: string) => ((await h.request('GET', '/api/v1/appeals?status=open', { token })).body.items as { id: number }[]).map((a) => a.id);
    expect(await ids(manager)).toContain(id);
    expect(await ids(admin)).toContain(id);
    expect(await ids(rep02)).toEqual([id]);
    expect(await ids(rep01)).not.toContain(id);
    expect(await ids(south)).toEqual([]);
    expect((await h.request('GET', '/api/v1/appeals?status=nonsense', { token: manager })).status).toBe(400);
  });

  it('refuses a decision by a rep or a manager outside the scope', async () => {
    const c = await reclaimedFrom('rep03', 1);
    const id = (await appeal(await h.tokenFor(T, 'rep03'), c.id)).body.appeal.id as number;
    expect((await decide(rep01, id, { decision: 'accepted' })).status).toBe(403);
    const outside = await decide(south, id, { decision: 'accepted' });
    expect(outside.status).toBe(403);
    expect(outside.body.error).toEqual({ code: 'forbidden', message: '李娜 不在你管理的部门内，你不能处理其申诉。' });
    expect(await customer(c.id)).toEqual({ status: 'pool', owner_id: null });
  });

  it('accepting gives the customer back despite the cooldown, through the ledger (appeal_restored), respecting the cap unless forced', async () => {
    const c = await reclaimedFrom('rep04', 1);
    const id = (await appeal(await h.tokenFor(T, 'rep04'), c.id)).body.appeal.id as number;
    const held = (await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('owner_id', '=', 'rep04').execute()).length;
    await h.db.updateTable('pools').set({ max_owned_per_rep: held }).where('id', '=', east).execute();
    try {
      const capped = await decide(manager, id, { decision: 'accepted' });
      expect(capped.status).toBe(422);
      expect(capped.body.error).toMatchObject({ code: 'owned_limit_reached', message: `刘洋 在「华东公海」已持有 ${held} 个客户，达到上限 ${held} 个；如确需退回，请勾选强制退回。` });
      expect(await customer(c.id)).toEqual({ status: 'pool', owner_id: null });
      expect((await h.request('GET', '/api/v1/appeals?status=open', { token: manager })).body.items.map((a: { id: number }) => a.id)).toContain(id);

      const accepted = await decide(manager, id, { decision: 'accepted', note: '拜访记录属实', force: true });
      expect(accepted.status).toBe(200);
      expect(accepted.body.appeal).toMatchObject({ status: 'accepted', decidedBy: 'mgr-east', decidedByName: '钱东', note: '拜访记录属实' });
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: 200 }).where('id', '=', east).execute();
    }
    expect(await customer(c.id)).toEqual({ status: 'owned', owner_id: 'rep04' });
    const row = await h.db.selectFrom('ownership_events').select(['type', 'from_user_id', 'to_user_id', 'actor_id', 'reason', 'evidence']).where('customer_id', '=', c.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect({ ...row, evidence: JSON.parse(row.evidence!) }).toEqual({ type: 'appeal_restored', from_user_id: null, to_user_id: 'rep04', actor_id: 'mgr-east', reason: '申诉通过：拜访记录属实', evidence: { appealId: id, force: true } });
    expect(await messages(`appeal:${id}:`)).toEqual([{ key: `appeal:${id}:accepted`, to: ['rep04'], title: `申诉通过：客户「${c.name}」已退回你的名下` }]);
    const again = await decide(manager, id, { decision: 'declined' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_decided');

    const profile = await h.request('GET', `/api/v1/customers/${c.id}`, { token: admin });
    expect(profile.body.customer.timeline.find((i: { type: string }) => i.type === 'appeal')).toMatchObject({ id, status: 'accepted', userName: '刘洋', reason: '上周已拜访，定位异常未通过' });
    expect(profile.body.customer.timeline[0]).toMatchObject({ type: 'appeal_restored', toUserId: 'rep04' });
  });

  it('refuses to accept when someone else took the customer meanwhile, leaving the appeal open', async () => {
    const c = await reclaimedFrom('rep05', 1);
    const id = (await appeal(await h.tokenFor(T, 'rep05'), c.id)).body.appeal.id as number;
    expect((await h.request('POST', `/api/v1/customers/${c.id}/claim`, { token: await h.tokenFor(T, 'rep06'), body: {} })).status).toBe(200);
    const res = await decide(manager, id, { decision: 'accepted' });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'already_owned', message: '该客户在申诉期间已被其他同事领取或分配，不能再退回给 陈静；可以驳回申诉，或请现负责人转交。' });
    expect(await customer(c.id)).toEqual({ status: 'owned', owner_id: 'rep06' });
    expect((await h.db.selectFrom('appeals').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('open');
  });

  it('declining leaves the customer in the pool, tells the rep, and a second appeal of that reclaim is refused', async () => {
    const c = await reclaimedFrom('rep07', 1);
    const rep07 = await h.tokenFor(T, 'rep07');
    const id = (await appeal(rep07, c.id)).body.appeal.id as number;
    const res = await decide(admin, id, { decision: 'declined', note: '超过 15 天无拜访记录' });
    expect(res.status).toBe(200);
    expect(res.body.appeal).toMatchObject({ status: 'declined', decidedBy: 'admin01', note: '超过 15 天无拜访记录' });
    expect(await customer(c.id)).toEqual({ status: 'pool', owner_id: null });
    expect(await messages(`appeal:${id}:`)).toEqual([{ key: `appeal:${id}:declined`, to: ['rep07'], title: `申诉未通过：客户「${c.name}」留在公海` }]);
    const again = await appeal(rep07, c.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'appeal_exists', message: '你对这次回收的申诉已被驳回，不能再次申诉。' });
  });
});
