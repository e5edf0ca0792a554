import { createHash } from 'node:crypto';
import { demoTenants } from '@gonghai/config';
import { CallbackCipher, type PlatformEvent } from '@gonghai/plugin-core';
import { dialects } from '../../../../test/databases';
import { ownersFromLedger } from '../../../../test/factories';
import { startHarness, type Harness } from '../../../../test/harness';
import { applyApprovalResult } from '../../assignments/assignments.service';
import { syncTenantOrg } from '../../org/org-sync.service';
import { listEvents } from '../platform-events.repository';

// The real approval handler, watched: each recorded approval event must reach it exactly once.
jest.mock('../../assignments/assignments.service', () => {
  const actual = jest.requireActual<typeof import('../../assignments/assignments.service')>('../../assignments/assignments.service');
  return { ...actual, applyApprovalResult: jest.fn(actual.applyApprovalResult) };
});
const approvalHandler = jest.mocked(applyApprovalResult);

const vendors = [
  { platform: 'dingtalk' as const, tenantId: 'demo-dingtalk', corpId: 'dingdemo' },
  { platform: 'wecom' as const, tenantId: 'demo-wecom', corpId: 'wwdemo' },
];

describe.each(dialects)('platform events end to end over the sandboxes on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  describe.each(vendors)('$platform', ({ platform, tenantId, corpId }) => {
    it('brought the demo org in through the directory sync, managers and leaders included', async () => {
      const users = await h.db.selectFrom('users').select(['id', 'manager_id', 'roles', 'active']).where('tenant_id', '=', tenantId).orderBy('id').execute();
      expect(users).toHaveLength(21);
      expect(users.find((u) => u.id === 'rep05')).toEqual({ id: 'rep05', manager_id: 'mgr-east', roles: 'rep', active: 1 });
      expect(users.find((u) => u.id === 'rep12')).toMatchObject({ manager_id: 'mgr-south' });
      expect(users.find((u) => u.id === 'mgr-east')).toMatchObject({ manager_id: null, roles: 'manager' });
      expect(users.find((u) => u.id === 'admin01')).toMatchObject({ roles: 'admin' });
      const departments = await h.db.selectFrom('departments').select(['id', 'path', 'is_region']).where('tenant_id', '=', tenantId).orderBy('path').execute();
      expect(departments.map((d) => d.path)).toEqual(['/1/', '/1/2/', '/1/2/21/', '/1/2/22/', '/1/3/', '/1/3/31/', '/1/3/32/', '/1/4/', '/1/5/']);
      expect(departments.filter((d) => d.is_region === 1).map((d) => d.id)).toEqual(['2', '3']);
    });

    it('removing rep05 from the org returns their customers to the pool and tells their manager', async () => {
      const owned = await h.db.selectFrom('customers').select(['id', 'pool_id']).where('tenant_id', '=', tenantId).where('owner_id', '=', 'rep05').execute();
      expect(owned).toHaveLength(40);
      const since = new Date(h.clock.now()).toISOString();
      const removed = await h.control(platform, 'DELETE', 'org/users/rep05');
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ delivered: true });

      const rep = await h.db.selectFrom('users').select(['active', 'left_at']).where('tenant_id', '=', tenantId).where('id', '=', 'rep05').executeTakeFirstOrThrow();
      expect(rep).toEqual({ active: 0, left_at: h.clock.now() });
      const after = await h.db
        .selectFrom('customers')
        .select(['id', 'status', 'owner_id', 'pool_id'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', owned.map((c) => c.id))
        .orderBy('id')
        .execute();
      expect(after).toEqual(owned.map((c) => ({ id: c.id, status: 'pool', owner_id: null, pool_id: c.pool_id })).sort((a, b) => a.id - b.id));
      const ledger = await h.db.selectFrom('ownership_events').select(['from_user_id', 'to_user_id']).where('tenant_id', '=', tenantId).where('type', '=', 'left_with_employee').execute();
      expect(ledger).toEqual(owned.map(() => ({ from_user_id: 'rep05', to_user_id: null })));
      const owners = await ownersFromLedger(h.db, tenantId);
      expect(owned.filter((c) => owners.get(c.id) !== null)).toEqual([]);

      const inbox = await h.control(platform, 'GET', `messages?since=${encodeURIComponent(since)}`);
      const notices = (inbox.body.items as { channel: string; to: string[]; text: string; title: string }[]).filter((m) => m.channel === 'direct');
      expect(notices).toHaveLength(1);
      expect(notices[0]!.to).toEqual(['mgr-east']);
      expect(`${notices[0]!.title}\n${notices[0]!.text}`).toContain('陈静 已离职');
      expect(notices[0]!.text).toContain('40 个客户');

      // The platform's own retry changes nothing and tells no one twice.
      const events = await listEvents(h.db, tenantId, 'contact.user_left');
      expect(events).toHaveLength(1);
      expect(events[0]!.event).toMatchObject({ type: 'contact.user_left', userId: 'rep05' });
    });

    it('hands a leaver’s customers to their manager when the tenant says so', async () => {
      const settings = JSON.parse((await h.db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow()).settings) as object;
      await h.db.updateTable('tenants').set({ settings: JSON.stringify({ ...settings, departurePolicy: 'manager' }) }).where('id', '=', tenantId).execute();
      try {
        const owned = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('owner_id', '=', 'rep10').orderBy('id').execute();
        expect(owned).toHaveLength(40);
        expect(await h.control(platform, 'DELETE', 'org/users/rep10')).toMatchObject({ status: 200, body: { delivered: true } });
        const after = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('owner_id', '=', 'mgr-south').where('status', '=', 'owned').orderBy('id').execute();
        expect(after).toEqual(owned);
        const ledger = await h.db.selectFrom('ownership_events').select(['to_user_id', 'reason']).where('tenant_id', '=', tenantId).where('type', '=', 'left_with_employee').where('from_user_id', '=', 'rep10').execute();
        expect(ledger).toEqual(owned.map(() => ({ to_user_id: 'mgr-south', reason: '员工离职，客户转交其上级' })));
        // The test clock stands still, so `since` cannot tell this notice from the last one: take the newest.
        const inbox = await h.control(platform, 'GET', 'messages');
        const notice = (inbox.body.items as { channel: string; to: string[]; title: string }[]).filter((m) => m.channel === 'direct').at(-1);
        expect(notice).toMatchObject({ to: ['mgr-south'], title: '吴婷 已离职：40 个客户已转给你' });
      } finally {
        await h.db.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', tenantId).execute();
      }
    });

    it('a second full sync changes nothing and finds no one else gone', async () => {
      const before = await h.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
      const result = await syncTenantOrg(h.deps, tenantId);
      expect(result.left).toEqual([]);
      const after = await h.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
      expect(after.map(({ updated_at: _u, ...rest }) => rest)).toEqual(before.map(({ updated_at: _u, ...rest }) => rest));
    });

    it('a user added to the org can log in at once', async () => {
      const added = await h.control(platform, 'POST', 'org/users', { userId: 'rep17', name: '新来的', departmentIds: [22], hiredDate: '2026-11-27' });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ delivered: true });
      const user = await h.db.selectFrom('users').select(['name', 'manager_id', 'roles', 'hired_date', 'active']).where('tenant_id', '=', tenantId).where('id', '=', 'rep17').executeTakeFirstOrThrow();
      expect(user).toEqual({ name: '新来的', manager_id: 'mgr-east', roles: 'rep', hired_date: '2026-11-27', active: 1 });
      const pools = await h.db.selectFrom('pool_members as m').innerJoin('pools as p', 'p.id', 'm.pool_id').select('p.name').where('m.tenant_id', '=', tenantId).where('m.user_id', '=', 'rep17').orderBy('p.name').execute();
      expect(pools.map((p) => p.name).sort()).toEqual(['华东公海', '总公司公海'].sort());
      const minted = await h.control(platform, 'POST', 'login-code', { corpId, userId: 'rep17' });
      const login = await h.request('POST', '/api/v1/auth/login', { body: { platform, corpId, code: minted.body.code } });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ name: '新来的' });
    });

    it('a decided approval reaches the server as one approval.finished event, even when delivered twice', async () => {
      const adapter = await h.deps.platforms.adapterFor(tenantId);
      const instanceId = await adapter.approvals.start({
        originatorUserId: 'hr01',
        title: '新员工客户分配',
        fields: [
          { name: '新人', value: '新人小白' },
          { name: '客户数', value: '20' },
        ],
        approverUserIds: ['mgr-east'],
      });
      const listed = await h.control(platform, 'GET', 'approvals');
      expect(listed.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ instanceId, originatorUserId: 'hr01', approverUserIds: ['mgr-east'] })]),
      );
      const before = approvalHandler.mock.calls.length;
      const decided = await h.control(platform, 'POST', `approvals/${encodeURIComponent(instanceId)}/decide`, { approved: true, deliveries: 2 });
      expect(decided.status).toBe(200);
      const events = (await listEvents(h.db, tenantId, 'approval.finished')).filter((e) => (e.event as { instanceId: string }).instanceId === instanceId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ deliveries: 2, event: { type: 'approval.finished', instanceId, approved: true } });
      const handled = approvalHandler.mock.calls.slice(before).map(([, calledFor, event]) => ({ tenantId: calledFor, event }));
      expect(handled).toEqual([{ tenantId, event: events[0]!.event }]);
    });

    it('signs the JS-SDK config for a page inside the chat app', async () => {
      const token = await h.tokenFor(tenantId, 'rep01');
      // The page is served at the server's own public origin (PUBLIC_BASE_URL), which is always signable.
      const page = `${h.deps.config.publicBaseUrl}/h5/index.html?from=chat#/pool`;
      const res = await h.request('GET', `/api/v1/platform/jsapi-signature?url=${encodeURIComponent(page)}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ platform, corpId, agentId: demoTenants.find((t) => t.id === tenantId)!.agentId });
      expect(res.body.signature).toMatch(/^[0-9a-f]{40}$/);
      const bad = await h.request('GET', '/api/v1/platform/jsapi-signature?url=javascript:alert(1)', { token });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      const anonymous = await h.request('GET', `/api/v1/platform/jsapi-signature?url=${encodeURIComponent(page)}`);
      expect(anonymous.status).toBe(401);
    });
  });

  describe('callback security', () => {
    const dingtalk = demoTenants.find((t) => t.id === 'demo-dingtalk')!;
    const wecom = demoTenants.find((t) => t.id === 'demo-wecom')!;
    const cipherOf = (t: typeof dingtalk) => new CallbackCipher({ token: t.callbackToken, aesKey: t.callbackAesKey, receiverId: t.callbackReceiverId });

    async function post(path: string, query: Record<string, string>, body: string, contentType: string) {
      const res = await fetch(`${h.baseUrl}${path}?${new URLSearchParams(query).toString()}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: res.status, text: await res.text() };
    }

    it('answers DingTalk check_url with the encrypted success and refuses tampered or stale callbacks', async () => {
      const cipher = cipherOf(dingtalk);
      const timestamp = String(h.clock.now());
      const encrypt = cipher.encrypt(JSON.stringify({ EventType: 'check_url' }));
      const signature = cipher.signature(timestamp, 'nonce123', encrypt);
      const good = await post('/callbacks/dingtalk/demo-dingtalk', { msg_signature: signature, timestamp, nonce: 'nonce123' }, JSON.stringify({ encrypt }), 'application/json');
      expect(good.status).toBe(200);
      const reply = JSON.parse(good.text) as { msg_signature: string; timeStamp: string; nonce: string; encrypt: string };
      cipher.verify(reply.msg_signature, reply.timeStamp, reply.nonce, reply.encrypt);
      expect(cipher.decrypt(reply.encrypt).message).toBe('success');

      const tampered = signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
      const bad = await post('/callbacks/dingtalk/demo-dingtalk', { msg_signature: tampered, timestamp, nonce: 'nonce123' }, JSON.stringify({ encrypt }), 'application/json');
      expect(bad.status).toBe(401);
      expect(JSON.parse(bad.text).error.code).toBe('bad_signature');

      const old = String(h.clock.now() - 10 * 60_000);
      const stale = await post('/callbacks/dingtalk/demo-dingtalk', { msg_signature: cipher.signature(old, 'n', encrypt), timestamp: old, nonce: 'n' }, JSON.stringify({ encrypt }), 'application/json');
      expect(stale.status).toBe(401);

      // Meant for another app: right signature, wrong receiver id inside.
      const stranger = new CallbackCipher({ token: dingtalk.callbackToken, aesKey: dingtalk.callbackAesKey, receiverId: 'someoneelse' });
      const foreign = stranger.encrypt(JSON.stringify({ EventType: 'check_url' }));
      const wrongReceiver = await post('/callbacks/dingtalk/demo-dingtalk', { msg_signature: cipher.signature(timestamp, 'n2', foreign), timestamp, nonce: 'n2' }, JSON.stringify({ encrypt: foreign }), 'application/json');
      expect(wrongReceiver.status).toBe(401);

      const wrongTenant = await post('/callbacks/dingtalk/demo-wecom', { msg_signature: signature, timestamp, nonce: 'nonce123' }, JSON.stringify({ encrypt }), 'application/json');
      expect(wrongTenant.status).toBe(404);
    });

    it('answers the WeCom URL verification with the plaintext, keeping a literal + in echostr', async () => {
      const cipher = cipherOf(wecom);
      const timestamp = String(Math.floor(h.clock.now() / 1000));
      // Find an echostr whose base64 has a '+', the character a careless query parser turns into a space.
      let echostr = '';
      let plain = '';
      for (let i = 0; !echostr.includes('+'); i++) {
        plain = `echo${i}`;
        echostr = cipher.encrypt(plain);
      }
      const signature = cipher.signature(timestamp, '1234', echostr);
      // Sent raw, as WeCom sometimes does: '+' unescaped in the query.
      const raw = `msg_signature=${signature}&timestamp=${timestamp}&nonce=1234&echostr=${echostr.replace(/\//g, '%2F').replace(/=/g, '%3D')}`;
      const res = await fetch(`${h.baseUrl}/callbacks/wecom/demo-wecom?${raw}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(plain);
      const bad = await fetch(`${h.baseUrl}/callbacks/wecom/demo-wecom?${raw.replace(signature, createHash('sha1').update('x').digest('hex'))}`);
      expect(bad.status).toBe(401);
    });

    it('remaps a WeCom user id (NewUserID) everywhere, ownership history included', async () => {
      const cipher = cipherOf(wecom);
      const owned = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', 'demo-wecom').where('owner_id', '=', 'rep09').execute();
      expect(owned.length).toBe(40);
      const createTime = String(Math.floor(h.clock.now() / 1000));
      const xml = `<xml><ToUserName><![CDATA[wwdemo]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[update_user]]></ChangeType><UserID><![CDATA[rep09]]></UserID><NewUserID><![CDATA[zhoujie]]></NewUserID></xml>`;
      const encrypt = cipher.encrypt(xml);
      const body = `<xml><ToUserName><![CDATA[wwdemo]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      const res = await post('/callbacks/wecom/demo-wecom', { msg_signature: cipher.signature(createTime, '777', encrypt), timestamp: createTime, nonce: '777' }, body, 'text/xml');
      expect(res.status).toBe(200);
      const now = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', 'demo-wecom').where('owner_id', '=', 'zhoujie').execute();
      expect(now.map((c) => c.id).sort()).toEqual(owned.map((c) => c.id).sort());
      const owners = await ownersFromLedger(h.db, 'demo-wecom');
      expect(owned.filter((c) => owners.get(c.id) !== 'zhoujie')).toEqual([]);
      expect(await h.db.selectFrom('users').select('id').where('tenant_id', '=', 'demo-wecom').where('id', '=', 'rep09').executeTakeFirst()).toBeUndefined();
    });
  });
});
