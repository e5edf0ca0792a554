import { ManualClock, listenOnEphemeralPort, type RunningServer } from '@gonghai/plugin-core';
import * as wecomCrypto from '@wecom/crypto';
import Koa from 'koa';
import { createWeComSandbox, weComSandboxPrefix, type WeComSandbox } from '../sandbox';
import { parseWeComXml, xmlText } from '../wecom.xml';
import { weComCallbackSecrets, weComFixtures, weComOrg } from './fixtures';

const [, stranger] = weComFixtures;
const templateId = '3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa';

/** The sandbox's vendor answers and callbacks as raw wire shapes, read without the adapter. */
describe('WeCom sandbox API and controls', () => {
  let clock: ManualClock;
  let sandbox: WeComSandbox;
  let server: RunningServer;
  let receiver: RunningServer;
  let base: string;
  /** Raw callback requests the receiver got; it answers 200 with an empty body. */
  let callbacks: { query: URLSearchParams; body: string }[];

  beforeEach(async () => {
    clock = new ManualClock();
    callbacks = [];
    const callbackApp = new Koa();
    callbackApp.use(async (ctx) => {
      let body = '';
      for await (const chunk of ctx.req) body += String(chunk);
      callbacks.push({ query: new URLSearchParams(ctx.querystring), body });
      ctx.status = 200;
      ctx.body = '';
    });
    receiver = await listenOnEphemeralPort(callbackApp.callback());
    sandbox = createWeComSandbox({ fixtures: [weComOrg(() => `${receiver.origin}/cb`), stranger], clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    server = await listenOnEphemeralPort(app.callback());
    base = `${server.origin}${weComSandboxPrefix}`;
  });

  afterEach(async () => {
    await server.close();
    await receiver.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function token(): Promise<string> {
    const org = weComOrg();
    const reply = await call('GET', `/cgi-bin/gettoken?corpid=${org.corpId}&corpsecret=${org.app.appSecret}`);
    return reply.body.access_token as string;
  }

  /** Opens a delivered callback the way WeCom's own library would. */
  function open(callback: { query: URLSearchParams; body: string }): string {
    const encrypt = xmlText(parseWeComXml(callback.body), 'Encrypt') ?? '';
    const { token: secret, aesKey } = weComCallbackSecrets;
    const query = (name: string) => callback.query.get(name) ?? '';
    expect(wecomCrypto.getSignature(secret, query('timestamp'), query('nonce'), encrypt)).toBe(query('msg_signature'));
    const opened = wecomCrypto.decrypt(aesKey, encrypt);
    expect(opened.id).toBe(weComOrg().corpId);
    return opened.message;
  }

  it('lists departments with parentid 0 at the root and larger order first, children listed first', async () => {
    const reply = await call('GET', `/cgi-bin/department/list?access_token=${await token()}`);

    expect(reply.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      department: [
        { id: 3, name: '华南区', parentid: 1, order: 99_997_000 },
        { id: 5, name: '上海一部', parentid: 2, order: 99_998_000 },
        { id: 2, name: '华东区', parentid: 1, order: 99_999_000 },
        { id: 1, name: '总部', parentid: 0, order: 100_000_000 },
      ],
    });
  });

  it('describes a member with index-aligned leader flags, direct leader and the hire date attribute', async () => {
    const reply = await call('GET', `/cgi-bin/user/get?access_token=${await token()}&userid=lina`);

    expect(reply.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'LiNa',
      name: '李娜',
      department: [1, 2],
      order: [0, 0],
      position: '区域经理',
      mobile: '13800000002',
      is_leader_in_dept: [0, 1],
      direct_leader: ['ZhangWei'],
      main_department: 1,
      status: 1,
      extattr: { attrs: [{ type: 0, name: '入职日期', text: { value: '2021-03-15' } }] },
    });
    await expect(call('GET', `/cgi-bin/user/get?access_token=${await token()}&userid=nobody`)).resolves.toMatchObject({
      body: { errcode: 60111, errmsg: expect.stringMatching(/^userid not found/) },
    });
  });

  it('checks the token on every API: 41001, 40014 and 42001', async () => {
    await expect(call('GET', '/cgi-bin/department/list')).resolves.toMatchObject({ body: { errcode: 41001 } });
    await expect(call('GET', `/cgi-bin/user/list?access_token=${'0'.repeat(96)}&department_id=1`)).resolves.toMatchObject({
      body: { errcode: 40014 },
    });
    const stale = await token();
    clock.advance(7200_000);
    await expect(call('POST', `/cgi-bin/oa/applyevent?access_token=${stale}`, {})).resolves.toMatchObject({ body: { errcode: 42001 } });
  });

  it('refuses another agent id with 40056 and names invalid recipients next to valid ones', async () => {
    const accessToken = await token();
    const message = { touser: 'WangFang|ghost', msgtype: 'markdown', markdown: { content: 'hi' } };

    await expect(call('POST', `/cgi-bin/message/send?access_token=${accessToken}`, { ...message, agentid: 1000003 })).resolves.toMatchObject({
      body: { errcode: 40056 },
    });
    await expect(call('POST', `/cgi-bin/message/send?access_token=${accessToken}`, { ...message, agentid: 1000002 })).resolves.toEqual({
      status: 200,
      body: {
        errcode: 0,
        errmsg: 'ok',
        invaliduser: 'ghost',
        invalidparty: '',
        invalidtag: '',
        unlicenseduser: '',
        msgid: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
  });

  it('refuses an application that breaks WeCom’s rules with 301025', async () => {
    const accessToken = await token();
    const valid = {
      creator_userid: 'ZhangWei',
      template_id: templateId,
      use_template_approver: 1,
      apply_data: { contents: [] },
      summary_list: [{ summary_info: [{ text: 't', lang: 'zh_CN' }] }],
    };
    const errcode = async (body: unknown) =>
      ((await call('POST', `/cgi-bin/oa/applyevent?access_token=${accessToken}`, body)).body as { errcode: number }).errcode;

    await expect(errcode({ ...valid, template_id: 'unknown' })).resolves.toBe(301025);
    await expect(errcode({ ...valid, use_template_approver: 0 })).resolves.toBe(301025);
    await expect(errcode({ ...valid, use_template_approver: 0, approver: [{ attr: 1, userid: ['ghost'] }] })).resolves.toBe(301025);
    await expect(errcode({ ...valid, notify_type: 0 })).resolves.toBe(301025);
    await expect(errcode({ ...valid, apply_data: { contents: [{ control: 'Text', id: 'Text-1', value: { text: 'x' } }] } })).resolves.toBe(301025);
    await expect(errcode(valid)).resolves.toBe(0);
  });

  it('issues an agent ticket only for type=agent_config', async () => {
    const accessToken = await token();

    await expect(call('GET', `/cgi-bin/ticket/get?access_token=${accessToken}`)).resolves.toMatchObject({ body: { errcode: 40058 } });
    const issued = await call('GET', `/cgi-bin/ticket/get?access_token=${accessToken}&type=agent_config`);
    expect(issued).toEqual({
      status: 200,
      body: { errcode: 0, errmsg: 'ok', ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 7200 },
    });
    expect(sandbox.lastTicket(weComOrg().corpId, 'agent')).toBe(issued.body.ticket);
    expect(sandbox.lastTicket(weComOrg().corpId, 'corp')).toBeUndefined();
  });

  it('delivers create_user as a signed, encrypted change_contact with the whole profile', async () => {
    await expect(
      call('POST', '/_control/org/users', { userId: 'ChenJing', name: '陈静', departmentIds: [1, 5], leader: true, hiredDate: '2025-01-06' }),
    ).resolves.toEqual({ status: 200, body: { delivered: true, serverStatus: 200 } });

    expect(callbacks).toHaveLength(1);
    const [callback] = callbacks;
    expect(callback?.query.get('timestamp')).toBe(String(clock.now() / 1000));
    expect(parseWeComXml(callback?.body ?? '')).toEqual({ ToUserName: weComOrg().corpId, AgentID: '1000002', Encrypt: expect.any(String) });
    expect(parseWeComXml(open(callback as { query: URLSearchParams; body: string }))).toEqual({
      ToUserName: weComOrg().corpId,
      FromUserName: 'sys',
      CreateTime: String(clock.now() / 1000),
      MsgType: 'event',
      Event: 'change_contact',
      ChangeType: 'create_user',
      UserID: 'ChenJing',
      Name: '陈静',
      Department: '1,5',
      MainDepartment: '1',
      IsLeaderInDept: '1,1',
      DirectLeader: 'ZhangWei',
      Position: '',
      Mobile: '13800000000',
      Status: '1',
    });
  });

  it('delivers a second add of the same user as update_user, and a removal as delete_user with only the id', async () => {
    await sandbox.addUser({ userId: 'LiuYang', name: '刘洋', departmentIds: [3], leaderOf: [] });
    await sandbox.removeUser('LiuYang');

    const [updated, deleted] = callbacks.map((callback) => parseWeComXml(open(callback)));
    expect(updated).toMatchObject({ ChangeType: 'update_user', UserID: 'LiuYang', Department: '3', Position: '销售' });
    expect(deleted).toEqual({
      ToUserName: weComOrg().corpId,
      FromUserName: 'sys',
      CreateTime: String(clock.now() / 1000),
      MsgType: 'event',
      Event: 'change_contact',
      ChangeType: 'delete_user',
      UserID: 'LiuYang',
    });
  });

  it('never reissues an approval id after a restart (a new sandbox over the same org, the same day)', async () => {
    const apply = async (target: string) => {
      const org = weComOrg();
      const gettoken = (await (await fetch(`${target}/cgi-bin/gettoken?corpid=${org.corpId}&corpsecret=${org.app.appSecret}`)).json()) as { access_token: string };
      const reply = await fetch(`${target}/cgi-bin/oa/applyevent?access_token=${gettoken.access_token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ creator_userid: 'WangFang', template_id: templateId, use_template_approver: 1, apply_data: { contents: [] } }),
      });
      return ((await reply.json()) as { sp_no: string }).sp_no;
    };
    const before = [await apply(base), await apply(base)];
    const restarted = createWeComSandbox({ fixtures: [weComOrg(() => `${receiver.origin}/cb`), stranger], clock });
    const app = new Koa();
    app.use(restarted.router.routes());
    const again = await listenOnEphemeralPort(app.callback());
    try {
      const after = [await apply(`${again.origin}${weComSandboxPrefix}`), await apply(`${again.origin}${weComSandboxPrefix}`)];
      expect(after.filter((id) => before.includes(id))).toEqual([]);
      expect(after.every((id) => /^20250106\d{8}$/.test(id))).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('redelivers a decision as the very same request and withdraws with SpStatus 4', async () => {
    const accessToken = await token();
    const apply = () =>
      call('POST', `/cgi-bin/oa/applyevent?access_token=${accessToken}`, {
        creator_userid: 'WangFang',
        template_id: templateId,
        use_template_approver: 1,
        apply_data: { contents: [] },
      }).then((reply) => reply.body.sp_no as string);
    const first = await apply();
    const second = await apply();
    // The day and a serial, consecutive within one sandbox.
    expect([first, second]).toEqual([expect.stringMatching(/^20250106\d{8}$/), expect.stringMatching(/^20250106\d{8}$/)]);
    expect(Number(second.slice(8))).toBe((Number(first.slice(8)) + 1) % 100_000_000);

    await expect(call('POST', `/_control/approvals/${first}/decide`, { approved: true, deliveries: 3 })).resolves.toMatchObject({
      body: { delivered: true, deliveries: [{}, {}, {}] },
    });
    expect(new Set(callbacks.map((callback) => `${callback.query.toString()} ${callback.body}`)).size).toBe(1);
    const decided = parseWeComXml(open(callbacks[0] as { query: URLSearchParams; body: string }));
    expect(decided?.ApprovalInfo).toMatchObject({ SpNoStr: first, SpNo: first, SpStatus: '2', StatuChangeEvent: '2', TemplateId: templateId });

    await expect(call('POST', `/_control/approvals/${second}/withdraw`, {})).resolves.toMatchObject({
      status: 200,
      body: { instanceId: second, status: 'withdrawn', delivered: true },
    });
    const withdrawn = parseWeComXml(open(callbacks[3] as { query: URLSearchParams; body: string }));
    expect(withdrawn?.ApprovalInfo).toMatchObject({ SpNoStr: second, SpStatus: '4', StatuChangeEvent: '6' });
    await expect(call('POST', `/_control/approvals/${second}/decide`, { approved: 'yes' })).resolves.toMatchObject({ status: 400 });
    await expect(call('POST', `/_control/approvals/${second}/decide`, { approved: true, deliveries: 9 })).resolves.toMatchObject({
      status: 400,
    });
  });

  it('answers the messages control with 400 for an unreadable date and faults on any vendor path', async () => {
    await expect(call('GET', '/_control/messages?since=yesterday')).resolves.toMatchObject({ status: 400 });
    await expect(call('POST', '/_control/faults', { path: '/cgi-bin/webhook/send', errcode: 45009 })).resolves.toMatchObject({ status: 200 });
    await expect(call('POST', '/_control/faults', { path: '/cgi-bin/user/list_id', errcode: -1 })).resolves.toMatchObject({ status: 400 });
  });
});
