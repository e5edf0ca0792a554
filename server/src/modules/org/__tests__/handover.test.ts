import { dialects } from '../../../../test/databases';
import { poolIdByName } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { findTenantById } from '../../tenants/tenants.repository';
import { handleDeparture } from '../departure.service';
import { handoverExpiryJob } from '../jobs/handover-expiry.job';

const T = 'demo-dingtalk';
const HOUR = 3_600_000;

describe.each(dialects)('successors and handovers on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let south: string;
  let rep01: string;
  let east: number;
  let left: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, south, rep01] = (await Promise.all(['admin01', 'mgr-east', 'mgr-south', 'rep01'].map((u) => h.tokenFor(T, u)))) as [string, string, string, string];
    east = await poolIdByName(h.db, T, '华东公海');
    const settings = JSON.parse((await h.db.selectFrom('tenants').select('settings').where('id', '=', T).executeTakeFirstOrThrow()).settings) as object;
    await h.db.updateTable('tenants').set({ settings: JSON.stringify({ ...settings, departurePolicy: 'successor' }) }).where('id', '=', T).execute();
    left = h.clock.now();
    // rep06 (杨磊) leaves through the platform's own event.
    expect(await h.control('dingtalk', 'DELETE', 'org/users/rep06')).toMatchObject({ status: 200, body: { delivered: true } });
  });
  afterAll(() => h.close());

  const owned = async (userId: string) => (await h.db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', T).where('owner_id', '=', userId).where('status', '=', 'owned').orderBy('id').execute()).map((c) => ({ id: Number(c.id), name: c.name }));
  const pending = async (userId: string) =>
    h.db.selectFrom('pending_handovers').select(['manager_id', 'status', 'customers', 'due_at', 'resolved_by', 'to_user_id']).where('tenant_id', '=', T).where('user_id', '=', userId).orderBy('id').execute();
  const outbox = async (prefix: string) =>
    (await h.db.selectFrom('outbox').select(['dedupe_key', 'target', 'message']).where('tenant_id', '=', T).where('dedupe_key', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => ({
      to: (JSON.parse(r.target) as { userIds: string[] }).userIds,
      title: (JSON.parse(r.message) as { title: string }).title,
    }));
  const handover = (token: string, userId: string, body: Record<string, unknown>) => h.request('POST', `/api/v1/admin/users/${userId}/handover`, { token, body });

  it('keeps a leaver’s customers where they are and asks the manager, once, to pick a successor within 72 hours', async () => {
    expect((await h.db.selectFrom('users').select('active').where('tenant_id', '=', T).where('id', '=', 'rep06').executeTakeFirstOrThrow()).active).toBe(0);
    expect(await owned('rep06')).toHaveLength(40);
    expect(await pending('rep06')).toEqual([{ manager_id: 'mgr-east', status: 'open', customers: 40, due_at: left + 72 * HOUR, resolved_by: null, to_user_id: null }]);
    expect(await outbox('handover:')).toEqual([{ to: ['mgr-east'], title: '杨磊 已离职：请在 72 小时内为其 40 个客户指定交接人' }]);
    // The message says where in the app to pick the successor.
    const asked = await h.db.selectFrom('outbox').select('message').where('tenant_id', '=', T).where('dedupe_key', 'like', 'handover:%').executeTakeFirstOrThrow();
    expect((JSON.parse(asked.message) as { text: string }).text).toContain('前到「工作台 → 离职交接」指定一位接手的同事（一次交接全部客户）');
    // The platform's retry or a full sync runs the departure again: nothing new.
    expect(await handleDeparture(h.deps, T, 'rep06', h.clock.now(), undefined)).toMatchObject({ returned: 0, destination: { successorDueAt: new Date(left + 72 * HOUR).toISOString() }, notified: false });
    expect(await pending('rep06')).toHaveLength(1);
    expect(await outbox('handover:')).toHaveLength(1);
  });

  const listed = (token: string, query = '?status=pending') => h.request('GET', `/api/v1/handovers${query}`, { token });

  it('lists the pending handover to the leaver’s manager and to an admin, not to a manager outside the scope nor to a rep', async () => {
    const first = (await owned('rep06')).slice(0, 3).map((c) => c.name);
    const item = { userId: 'rep06', userName: '杨磊', departedAt: new Date(left).toISOString(), deadline: new Date(left + 72 * HOUR).toISOString(), customers: 40, customerNames: first };
    for (const token of [manager, admin]) {
      const res = await listed(token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [item] });
    }
    // Without a status the list is the pending one too.
    expect((await listed(manager, '')).body).toEqual({ items: [item] });
    expect(await listed(south)).toMatchObject({ status: 200, body: { items: [] } });
    const rep = await listed(rep01);
    expect(rep.status).toBe(403);
    expect(rep.body.error.code).toBe('forbidden');
    const unknown = await listed(admin, '?status=done');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_request');
  });

  it('refuses a rep (403), a manager outside the scope (403), an unknown user (404) and a successor over the cap without force, moving nothing', async () => {
    expect((await handover(rep01, 'rep06', { toUserId: 'rep07' })).status).toBe(403);
    const outside = await handover(south, 'rep06', { toUserId: 'rep07' });
    expect(outside.status).toBe(403);
    expect(outside.body.error).toEqual({ code: 'forbidden', message: '杨磊 不在你管理的部门内，你不能交接其客户。' });
    expect((await handover(admin, 'nobody', { toUserId: 'rep07' })).status).toBe(404);
    expect((await handover(admin, 'rep06', { toUserId: 'rep06' })).status).toBe(422);

    const held = (await owned('rep07')).length;
    await h.db.updateTable('pools').set({ max_owned_per_rep: held + 10 }).where('id', '=', east).execute();
    try {
      const capped = await handover(manager, 'rep06', { toUserId: 'rep07' });
      expect(capped.status).toBe(422);
      expect(capped.body.error.code).toBe('owned_limit_reached');
      expect(capped.body.error.message).toMatch(/^这 40 个客户都没有转交：「.+」赵敏 在「华东公海」已持有 \d+ 个客户，达到上限 \d+ 个；如确需转交，请勾选强制转交。另有 29 个客户也不能转交。$/);
      expect(capped.body.error.refused).toHaveLength(30);
    } finally {
      await h.db.updateTable('pools').set({ max_owned_per_rep: 200 }).where('id', '=', east).execute();
    }
    expect(await owned('rep06')).toHaveLength(40);
    expect((await pending('rep06'))[0]!.status).toBe('open');
  });

  it('hands all of a leaver’s customers to the successor the manager picks: ledger transferred «离职交接», the handover closed, one message', async () => {
    const before = await owned('rep06');
    const res = await handover(manager, 'rep06', { toUserId: 'rep07' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ transferred: 40, toUserId: 'rep07', toPoolId: null, notified: true, reason: '离职交接' });
    expect(await owned('rep06')).toEqual([]);
    const ids = before.map((c) => c.id);
    const ledger = await h.db.selectFrom('ownership_events').select(['customer_id', 'from_user_id', 'to_user_id', 'actor_id', 'reason']).where('type', '=', 'transferred').where('customer_id', 'in', ids).orderBy('customer_id').execute();
    expect(ledger).toEqual(ids.map((id) => ({ customer_id: id, from_user_id: 'rep06', to_user_id: 'rep07', actor_id: 'mgr-east', reason: '离职交接' })));
    expect((await pending('rep06'))[0]).toMatchObject({ status: 'handed_over', resolved_by: 'mgr-east', to_user_id: 'rep07' });
    expect(await outbox('handover:rep06')).toEqual([{ to: ['rep07'], title: '杨磊 的 40 个客户已交接给你' }]);
    // Handed over: gone from the list.
    expect(await listed(manager)).toMatchObject({ status: 200, body: { items: [] } });
    expect(await listed(admin)).toMatchObject({ status: 200, body: { items: [] } });
    const again = await handover(manager, 'rep06', { toUserId: 'rep07' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'nothing_to_hand_over', message: '杨磊 名下没有客户需要交接。' });
  });

  it('hands over a mover who is still at work (调岗交接)', async () => {
    const before = (await owned('rep08')).length;
    const res = await handover(admin, 'rep08', { toUserId: 'rep05' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transferred: before, reason: '调岗交接' });
    expect(await owned('rep08')).toEqual([]);
  });

  it('sends what nobody took over to the pool after 72 hours, through the departure decision, and tells the manager', async () => {
    expect(await h.control('dingtalk', 'DELETE', 'org/users/rep02')).toMatchObject({ status: 200 });
    const mine = await owned('rep02');
    expect(mine).toHaveLength(40);
    const tenant = (await findTenantById(h.db, T))!;
    const due = h.clock.now() + 72 * HOUR;
    await handoverExpiryJob.run({ deps: h.deps, tenant, now: due - 1 });
    expect(await owned('rep02')).toHaveLength(40);
    await handoverExpiryJob.run({ deps: h.deps, tenant, now: due });
    expect(await owned('rep02')).toEqual([]);
    const after = await h.db.selectFrom('customers').select(['status', 'pool_id']).where('id', 'in', mine.map((c) => c.id)).execute();
    expect(after.every((c) => c.status === 'pool' && Number(c.pool_id) === east)).toBe(true);
    const ledger = await h.db.selectFrom('ownership_events').select(['to_user_id', 'reason']).where('type', '=', 'left_with_employee').where('from_user_id', '=', 'rep02').where('tenant_id', '=', T).execute();
    expect(ledger).toEqual(mine.map(() => ({ to_user_id: null, reason: '员工离职，客户退回公海' })));
    expect((await pending('rep02'))[0]).toMatchObject({ status: 'to_pool', resolved_by: null });
    expect((await outbox('handover:')).at(-1)).toEqual({ to: ['mgr-east'], title: '王芳 的 40 个客户未指定交接人，已退回公海' });
    // Run again: nothing due, nothing sent.
    const messages = (await outbox('handover:')).length;
    await handoverExpiryJob.run({ deps: h.deps, tenant, now: due + HOUR });
    expect((await outbox('handover:')).length).toBe(messages);
  });
});
