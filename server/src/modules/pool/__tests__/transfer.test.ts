import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';

const T = 'demo-dingtalk';

describe.each(dialects)('transferring customers on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let south: string;
  let rep01: string;
  let east: number;
  let company: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, south, rep01] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'mgr-south'), h.tokenFor(T, 'rep01')]);
    east = await poolIdByName(h.db, T, '华东公海');
    company = await poolIdByName(h.db, T, '总公司公海');
  });
  afterAll(() => h.close());

  const ownedBy = async (userId: string, n: number) =>
    (await h.db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', T).where('owner_id', '=', userId).orderBy('id').limit(n).execute()).map((r) => ({ id: Number(r.id), name: r.name }));
  const owners = async (ids: number[]) =>
    (await h.db.selectFrom('customers').select(['id', 'owner_id', 'status', 'pool_id']).where('tenant_id', '=', T).where('id', 'in', ids).orderBy('id').execute()).map((r) => [Number(r.id), r.owner_id, r.status, Number(r.pool_id)]);
  const ledger = async (ids: number[], type: string) =>
    h.db.selectFrom('ownership_events').select(['customer_id', 'from_user_id', 'to_user_id', 'actor_id', 'reason', 'evidence', 'to_pool_id']).where('tenant_id', '=', T).where('customer_id', 'in', ids).where('type', '=', type as never).orderBy('customer_id').execute();
  const messagesTo = async (userId: string) =>
    (await h.db.selectFrom('outbox').select(['dedupe_key', 'target', 'message']).where('tenant_id', '=', T).where('dedupe_key', 'like', 'transfer:%').orderBy('id').execute())
      .filter((r) => (JSON.parse(r.target) as { userIds: string[] }).userIds.includes(userId))
      .map((r) => JSON.parse(r.message) as { title: string; text: string });

  it('refuses a rep (403) and moves nothing', async () => {
    const [c] = await ownedBy('rep01', 1);
    const res = await h.request('POST', '/api/v1/customers/transfer', { token: rep01, body: { customerIds: [c!.id], toUserId: 'rep02', reason: '调整' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await owners([c!.id])).toEqual([[c!.id, 'rep01', 'owned', east]]);
  });

  it('refuses a manager outside the scope of the owner or of the receiver (403), moving nothing', async () => {
    const [c] = await ownedBy('rep01', 1);
    const foreignOwner = await h.request('POST', '/api/v1/customers/transfer', { token: south, body: { customerIds: [c!.id], toUserId: 'rep09', reason: '调整' } });
    expect(foreignOwner.status).toBe(403);
    expect(foreignOwner.body.error).toEqual({ code: 'forbidden', message: '张伟 不在你管理的部门内，你不能转交其名下的客户。' });
    const foreignReceiver = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: [c!.id], toUserId: 'rep09', reason: '调整' } });
    expect(foreignReceiver.status).toBe(403);
    expect(foreignReceiver.body.error).toEqual({ code: 'forbidden', message: '周杰 不在你管理的部门内，不能把客户转交给他/她。' });
    expect(await owners([c!.id])).toEqual([[c!.id, 'rep01', 'owned', east]]);
  });

  it('refuses a body without customers, or with both or neither of a receiver and a pool (400)', async () => {
    for (const body of [{ toUserId: 'rep02', reason: 'x' }, { fromUserId: 'rep01', toUserId: 'rep02', toPoolId: east, reason: 'x' }, { fromUserId: 'rep01', reason: 'x' }, { fromUserId: 'rep01', toUserId: 'rep02', reason: ' ' }]) {
      const res = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body });
      expect(res.status).toBe(400);
    }
  });

  it('lets a manager in scope move chosen customers to a rep of the team: ledger transferred, one message listing them', async () => {
    const picked = await ownedBy('rep01', 3);
    const ids = picked.map((c) => c.id);
    const res = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: ids, toUserId: 'rep02', reason: '客户区域调整' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ transferred: 3, toUserId: 'rep02', toPoolId: null, notified: true });
    expect(await owners(ids)).toEqual(ids.map((id) => [id, 'rep02', 'owned', east]));
    expect(await ledger(ids, 'transferred')).toEqual(ids.map((id) => ({ customer_id: id, from_user_id: 'rep01', to_user_id: 'rep02', actor_id: 'mgr-east', reason: '客户区域调整', evidence: null, to_pool_id: east })));
    const [message, ...more] = await messagesTo('rep02');
    expect(more).toEqual([]);
    expect(message!.title).toBe('钱东 转交给你 3 个客户');
    expect(message!.text).toBe(`### 钱东 转交给你 3 个客户\n转交原因：客户区域调整\n${picked.map((c) => `- ${c.name}`).join('\n')}\n\n请在「我的客户」中查看并尽快跟进。`);
  });

  it('refuses a transfer over the receiver’s cap without force with the cap message, moving none of them; with force it moves them all', async () => {
    const picked = await ownedBy('rep03', 2);
    const ids = picked.map((c) => c.id);
    const held = (await ownedBy('rep04', 1000)).length;
    // One more fits, the second does not.
    await h.db.updateTable('pools').set({ max_owned_per_rep: held + 1 }).where('id', '=', east).execute();
    try {
      const refused = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: ids, toUserId: 'rep04', reason: '合并跟进' } });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toEqual({
        code: 'owned_limit_reached',
        message: `这 2 个客户都没有转交：「${picked[1]!.name}」刘洋 在「华东公海」已持有 ${held + 1} 个客户，达到上限 ${held + 1} 个；如确需转交，请勾选强制转交。`,
        refused: [{ customerId: ids[1], code: 'owned_limit_reached', message: `刘洋 在「华东公海」已持有 ${held + 1} 个客户，达到上限 ${held + 1} 个；如确需转交，请勾选强制转交。` }],
      });
      expect(await owners(ids)).toEqual(ids.map((id) => [id, 'rep03', 'owned', east]));
      expect(await ledger(ids, 'transferred')).toEqual([]);
      expect(await messagesTo('rep04')).toEqual([]);

      const forced = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: ids, toUserId: 'rep04', reason: '合并跟进', force: true } });
      expect(forced.status).toBe(200);
      expect(forced.body.transferred).toBe(2);
      expect(await owners(ids)).toEqual(ids.map((id) => [id, 'rep04', 'owned', east]));
      expect((await ledger(ids, 'transferred')).map((r) => JSON.parse(r.evidence!))).toEqual([{ force: true }, { force: true }]);
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: 200 }).where('id', '=', east).execute();
    }
  });

  it('moves everything a rep owns to another rep in one go, the message listing 20 and counting the rest', async () => {
    const before = await ownedBy('rep05', 1000);
    expect(before.length).toBeGreaterThan(20);
    const res = await h.request('POST', '/api/v1/customers/transfer', { token: admin, body: { fromUserId: 'rep05', toUserId: 'rep06', reason: '调岗' } });
    expect(res.status).toBe(200);
    expect(res.body.transferred).toBe(before.length);
    expect(await ownedBy('rep05', 1000)).toEqual([]);
    const lines = (await messagesTo('rep06'))[0]!.text.split('\n');
    expect(lines.filter((l) => l.startsWith('- '))).toEqual([...before.slice(0, 20).map((c) => `- ${c.name}`), `- 等 ${before.length} 个`]);
  });

  it('sends a rep’s customers back to a pool (another one), without a message; a second time there is nothing to move', async () => {
    const before = (await ownedBy('rep07', 1000)).map((c) => c.id);
    const res = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { fromUserId: 'rep07', toPoolId: company, reason: '区域收缩' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ transferred: before.length, toUserId: null, toPoolId: company, notified: false });
    expect(await owners(before)).toEqual(before.map((id) => [id, null, 'pool', company]));
    expect((await ledger(before, 'transferred')).every((r) => r.from_user_id === 'rep07' && r.to_user_id === null && r.to_pool_id === company)).toBe(true);
    const again = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { fromUserId: 'rep07', toPoolId: company, reason: '区域收缩' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'not_owner', message: '赵敏 名下没有可转交的客户。' });
  });

  it('lets a manager move pool customers only out of pools they belong to, even with force (404 as unknown)', async () => {
    const southPool = await poolIdByName(h.db, T, '华南公海');
    const inPool = async (poolId: number) =>
      Number((await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('pool_id', '=', poolId).where('status', '=', 'pool').where('reserved_by_assignment_id', 'is', null).orderBy('id').limit(1).executeTakeFirstOrThrow()).id);
    const foreign = await inPool(southPool);
    const res = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: [foreign], toUserId: 'rep02', reason: '抢单', force: true } });
    expect({ status: res.status, refused: res.body.error.refused }).toEqual({ status: 404, refused: [{ customerId: foreign, code: 'not_found', message: '客户不存在，或你无权查看。' }] });
    expect(await owners([foreign])).toEqual([[foreign, null, 'pool', southPool]]);
    // Their own region's pool customers they may hand to their team.
    const own = await inPool(east);
    const ok = await h.request('POST', '/api/v1/customers/transfer', { token: manager, body: { customerIds: [own], toUserId: 'rep02', reason: '指定跟进', force: true } });
    expect(ok.status).toBe(200);
    expect(await owners([own])).toEqual([[own, 'rep02', 'owned', east]]);
  });

  it('answers 404 for an unknown customer, receiver or pool, moving nothing', async () => {
    const [c] = await ownedBy('rep08', 1);
    const unknownCustomer = await h.request('POST', '/api/v1/customers/transfer', { token: admin, body: { customerIds: [c!.id, 999_999], toUserId: 'rep02', reason: 'x' } });
    expect(unknownCustomer.status).toBe(404);
    expect(unknownCustomer.body.error.refused).toEqual([{ customerId: 999_999, code: 'not_found', message: '客户不存在，或你无权查看。' }]);
    expect((await h.request('POST', '/api/v1/customers/transfer', { token: admin, body: { customerIds: [c!.id], toUserId: 'nobody', reason: 'x' } })).status).toBe(404);
    expect((await h.request('POST', '/api/v1/customers/transfer', { token: admin, body: { customerIds: [c!.id], toPoolId: 999_999, reason: 'x' } })).status).toBe(404);
    expect(await owners([c!.id])).toEqual([[c!.id, 'rep08', 'owned', east]]);
  });
});
