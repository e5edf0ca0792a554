import {
  ManualClock,
  PlatformError,
  listenOnEphemeralPort,
  type PlatformAdapter,
  type PlatformErrorCode,
  type PlatformEvent,
  type RunningServer,
} from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix, type WeComSandbox, type WeComSandboxOptions } from '../sandbox';
import { createWeComAdapter } from '../wecom.adapter';
import { weComJsapiSignature } from '../wecom.jsapi';
import { weComCallbackSecrets, weComFixtures, weComOrg } from './fixtures';

const [, stranger] = weComFixtures;
const templateId = '3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa';
const robotKey = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

describe('WeCom adapter against its sandbox', () => {
  let clock: ManualClock;
  let sandbox: WeComSandbox;
  let server: RunningServer;
  let receiver: RunningServer;
  let base: string;
  let adapter: PlatformAdapter;
  let sleeps: number[];
  let warnings: { details: object; message: string }[];
  /** Every callback the test receiver got, with what the adapter made of it. */
  let received: { status: number; events: PlatformEvent[] }[];

  async function start(options: Partial<WeComSandboxOptions> = {}, callbackPath = '/wecom/callback'): Promise<void> {
    clock = new ManualClock();
    sleeps = [];
    warnings = [];
    received = [];
    const org = weComOrg(() => `${receiver.origin}${callbackPath}`);
    sandbox = createWeComSandbox({ fixtures: [org, stranger], clock, ...options });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    server = await listenOnEphemeralPort(app.callback());
    base = `${server.origin}${weComSandboxPrefix}`;
    adapter = createWeComAdapter({
      credentials: { corpId: org.corpId, ...org.app, baseUrl: base, callback: weComCallbackSecrets, approvalTemplateId: templateId },
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      logger: { warn: (details, message) => warnings.push({ details, message }) },
    });

    // A tiny server receiving WeCom callbacks the way the real one will: raw query, raw body, the adapter's reply.
    const callbacks = new Koa();
    callbacks.use(async (ctx) => {
      if (ctx.path !== '/wecom/callback') return;
      let body = '';
      for await (const chunk of ctx.req) body += String(chunk);
      try {
        const result = adapter.callbacks.handle({ method: ctx.method as 'GET' | 'POST', rawQuery: ctx.querystring, body });
        received.push({ status: result.reply.status, events: result.events });
        ctx.status = result.reply.status;
        ctx.type = result.reply.contentType;
        ctx.body = result.reply.body;
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        received.push({ status: 403, events: [] });
        ctx.status = 403;
      }
    });
    receiver = await listenOnEphemeralPort(callbacks.callback());
  }

  async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${base}/_control/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  async function rejection(promise: Promise<unknown>, code: PlatformErrorCode): Promise<PlatformError> {
    const error: unknown = await promise.then(
      () => new Error('expected a PlatformError, but the call succeeded'),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).code).toBe(code);
    return error as PlatformError;
  }

  async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  }

  afterEach(async () => {
    await server.close();
    await receiver.close();
  });

  describe('directory', () => {
    beforeEach(() => start());

    it('walks the department tree parents first, though WeCom lists children first', async () => {
      await expect(collect(adapter.directory.departments())).resolves.toEqual([
        { id: '1', name: '总部', parentId: null },
        { id: '2', name: '华东区', parentId: '1' },
        { id: '5', name: '上海一部', parentId: '2' },
        { id: '3', name: '华南区', parentId: '1' },
      ]);
    });

    it('lists the members of one department only, with leaders, managers and hire dates', async () => {
      await expect(collect(adapter.directory.users('5'))).resolves.toEqual([
        {
          userId: 'WangFang',
          name: '王芳',
          departmentIds: ['5'],
          leaderOf: [],
          managerUserId: 'LiNa',
          mobile: '13800000003',
          title: '销售',
          hiredDate: '2024-03-01',
        },
        {
          userId: 'LiuYang',
          name: '刘洋',
          departmentIds: ['5'],
          leaderOf: [],
          managerUserId: null,
          mobile: '13800000004',
          title: '销售',
          hiredDate: '2025-01-02',
        },
      ]);
      const headOffice = await collect(adapter.directory.users('1'));
      expect(headOffice.map((user) => [user.userId, user.leaderOf, user.managerUserId])).toEqual([
        ['ZhangWei', ['1'], null],
        ['LiNa', ['2'], 'ZhangWei'],
      ]);
    });

    it('returns exactly the fixture when every department is walked', async () => {
      const seen = new Map<string, string[]>();
      for await (const department of adapter.directory.departments()) {
        for await (const user of adapter.directory.users(department.id)) seen.set(user.userId, user.departmentIds);
      }

      expect(Object.fromEntries(seen)).toEqual(
        Object.fromEntries(weComOrg().users.map((user) => [user.userId, user.departmentIds.map(String)])),
      );
    });

    it('finds one user regardless of case and answers null for a stranger', async () => {
      await expect(adapter.directory.user('lina')).resolves.toMatchObject({ userId: 'LiNa', leaderOf: ['2'] });
      await expect(adapter.directory.user('nobody')).resolves.toBeNull();
      expect(sandbox.callCount(weComSandboxPaths.userGet)).toBe(2);
    });

    it('refuses an unknown department as NOT_FOUND', async () => {
      const error = await rejection(collect(adapter.directory.users('99')), 'NOT_FOUND');
      expect(error.vendorCode).toBe(60003);
    });

    it('refreshes an expired token once and retries the call', async () => {
      await collect(adapter.directory.departments());
      await expect(control('POST', 'tokens/expire')).resolves.toEqual({ status: 200, body: { expired: 1 } });

      await expect(adapter.directory.user('WangFang')).resolves.toMatchObject({ userId: 'WangFang' });
      expect(sandbox.callCount(weComSandboxPaths.token)).toBe(2);
      expect(sandbox.callCount(weComSandboxPaths.userGet)).toBe(2);
    });

    it('fetches one token for 20 concurrent directory calls', async () => {
      const lists = await Promise.all(Array.from({ length: 20 }, () => collect(adapter.directory.users('5'))));

      expect(lists.map((users) => users.length)).toEqual(Array.from({ length: 20 }, () => 2));
      expect(sandbox.callCount(weComSandboxPaths.token)).toBe(1);
      expect(sandbox.callCount(weComSandboxPaths.userList)).toBe(20);
    });
  });

  it('gives no mobile for an app created after 2022-06-20', async () => {
    await start({ hideMobiles: true });

    await expect(adapter.directory.user('WangFang')).resolves.toMatchObject({ mobile: null, title: '销售' });
  });

  describe('messages', () => {
    beforeEach(() => start());

    it('delivers 45 robot messages sent at once without WeCom ever refusing one, 20 a minute, in order', async () => {
      await Promise.all(
        Array.from({ length: 45 }, (_, index) =>
          adapter.messages.toGroupBot({ token: robotKey }, { kind: 'markdown', title: `拜访提醒 ${index + 1}`, text: `第 ${index + 1} 条` }),
        ),
      );

      const items = sandbox.messages();
      expect(items).toHaveLength(45);
      expect(sandbox.callCount(weComSandboxPaths.webhookSend)).toBe(45);
      expect(sleeps).toEqual([61_000, 61_000]);
      expect(items.map((item) => item.title)).toEqual(Array.from({ length: 45 }, (_, index) => `拜访提醒 ${index + 1}`));
      expect(items[44]).toMatchObject({ channel: 'group', target: robotKey, to: [], msgtype: 'markdown', title: '拜访提醒 45', text: '第 45 条' });
      const minute = (at: string) => Date.parse(at) - Date.parse(items[0]?.receivedAt ?? '');
      expect(items.map((item) => minute(item.receivedAt))).toEqual([
        ...Array.from({ length: 20 }, () => 0),
        ...Array.from({ length: 20 }, () => 61_000),
        ...Array.from({ length: 5 }, () => 122_000),
      ]);
    });

    it('answers 45009 itself to a 21st message within a minute', async () => {
      const send = () =>
        fetch(`${base}/cgi-bin/webhook/send?key=${robotKey}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ msgtype: 'markdown', markdown: { content: 'hi' } }),
        }).then(async (response) => ((await response.json()) as { errcode: number }).errcode);
      for (let index = 0; index < 20; index += 1) await expect(send()).resolves.toBe(0);

      await expect(send()).resolves.toBe(45009);
      clock.advance(60_000);
      await expect(send()).resolves.toBe(0);
    });

    it('sends a card to a robot as a text_notice template card', async () => {
      await adapter.messages.toGroupBot(
        { token: robotKey },
        { kind: 'card', title: '新客户分配', text: '刘洋 获得 12 个客户', url: 'https://crm.example.com/a/1', buttonText: '查看' },
      );

      expect(sandbox.messages()).toEqual([
        expect.objectContaining({ channel: 'group', msgtype: 'template_card', title: '新客户分配', text: '刘洋 获得 12 个客户' }),
      ]);
    });

    it('surfaces a robot limit hit by another sender as RATE_LIMITED, and retries "system busy"', async () => {
      sandbox.injectFault({ path: weComSandboxPaths.webhookSend, times: 1, errcode: 45009 });
      sandbox.injectFault({ path: weComSandboxPaths.messageSend, times: 1, errcode: -1 });

      const error = await rejection(adapter.messages.toGroupBot({ token: robotKey }, { kind: 'markdown', title: 't', text: 'x' }), 'RATE_LIMITED');
      expect(error.vendorCode).toBe(45009);
      await adapter.messages.toUsers(['WangFang'], { kind: 'markdown', title: 't', text: 'x' });
      expect(sandbox.callCount(weComSandboxPaths.messageSend)).toBe(2);
      expect(sandbox.messages()).toMatchObject([{ channel: 'direct', to: ['WangFang'] }]);
    });

    it('refuses an unknown robot key as NOT_FOUND without retrying', async () => {
      const error = await rejection(adapter.messages.toGroupBot({ token: 'no-such-key' }, { kind: 'markdown', title: 't', text: 'x' }), 'NOT_FOUND');

      expect(error.vendorCode).toBe(93000);
      expect(sandbox.callCount(weComSandboxPaths.webhookSend)).toBe(1);
    });

    it('delivers a direct message to exactly the named users', async () => {
      const since = new Date(clock.now()).toISOString();
      await adapter.messages.toUsers(['WangFang', 'LiuYang'], { kind: 'markdown', title: '今日拜访', text: '3 家客户待拜访' });

      await expect(control('GET', `messages?since=${encodeURIComponent(since)}`)).resolves.toEqual({
        status: 200,
        body: {
          items: [
            {
              id: expect.any(String),
              channel: 'direct',
              target: '1000002',
              to: ['WangFang', 'LiuYang'],
              msgtype: 'markdown',
              title: '今日拜访',
              text: '3 家客户待拜访',
              receivedAt: since,
            },
          ],
        },
      });
    });

    it('sends a card as a textcard and logs the recipients WeCom did not know', async () => {
      await adapter.messages.toUsers(['LiuYang', 'ghost'], {
        kind: 'card',
        title: '审批通过',
        text: '12 个客户已分配给你',
        url: 'https://crm.example.com/a/1',
        buttonText: '查看详情',
      });

      expect(sandbox.messages()).toMatchObject([{ to: ['LiuYang'], msgtype: 'textcard', title: '审批通过', text: '12 个客户已分配给你' }]);
      expect(warnings).toEqual([{ details: { invalidUserIds: ['ghost'] }, message: 'WeCom message/send skipped invalid recipients' }]);
    });

    it('throws NOT_FOUND only when WeCom knows none of the recipients', async () => {
      const error = await rejection(adapter.messages.toUsers(['ghost', 'phantom'], { kind: 'markdown', title: 't', text: 'x' }), 'NOT_FOUND');

      expect(error.vendorCode).toBe(81013);
      expect(sandbox.messages()).toEqual([]);
    });
  });

  describe('approvals and callbacks', () => {
    beforeEach(() => start());

    it('starts an approval with the form, lists it, and delivers the decision twice with one event id', async () => {
      const instanceId = await adapter.approvals.start({
        originatorUserId: 'ZhangWei',
        title: '新人客户分配：刘洋',
        fields: [
          { name: '新人', value: '刘洋' },
          { name: '客户数', value: '12' },
        ],
        approverUserIds: ['LiNa', 'ZhangWei'],
      });
      // WeCom's sp_no: the day, then a serial.
      expect(instanceId).toMatch(/^20250106\d{8}$/);

      await expect(control('GET', 'approvals')).resolves.toEqual({
        status: 200,
        body: {
          items: [
            {
              instanceId,
              templateId,
              originatorUserId: 'ZhangWei',
              title: '新人客户分配：刘洋',
              fields: [
                { name: '新人', value: '刘洋' },
                { name: '客户数', value: '12' },
              ],
              approverUserIds: ['LiNa', 'ZhangWei'],
              status: 'pending',
            },
          ],
        },
      });

      const decided = await control('POST', `approvals/${instanceId}/decide`, { approved: true, deliveries: 2 });
      expect(decided).toEqual({
        status: 200,
        body: {
          instanceId,
          status: 'approved',
          delivered: true,
          deliveries: [
            { delivered: true, serverStatus: 200 },
            { delivered: true, serverStatus: 200 },
          ],
        },
      });
      const finished = { type: 'approval.finished', eventId: expect.stringMatching(/^wecom:/), occurredAt: clock.now(), instanceId, approved: true };
      expect(received).toEqual([
        { status: 200, events: [finished] },
        { status: 200, events: [finished] },
      ]);
      expect(received[0]?.events[0]?.eventId).toBe(received[1]?.events[0]?.eventId);
      expect(sandbox.approvals()[0]?.status).toBe('approved');
    });

    it('lets the template choose approvers when none are given, and reports a rejection', async () => {
      const instanceId = await adapter.approvals.start({ originatorUserId: 'LiNa', title: '分配', fields: [{ name: '说明', value: '补充' }] });
      expect(sandbox.approvals()[0]).toMatchObject({ instanceId, approverUserIds: [] });

      await sandbox.decide(instanceId, false);

      expect(received).toMatchObject([{ status: 200, events: [{ type: 'approval.finished', instanceId, approved: false }] }]);
      await expect(control('POST', `approvals/${instanceId}/decide`, { approved: true })).resolves.toMatchObject({
        status: 400,
        body: { error: { message: `approval "${instanceId}" is already rejected` } },
      });
      await expect(control('POST', 'approvals/209912310001/decide', { approved: true })).resolves.toMatchObject({ status: 404 });
    });

    it('reads the template once and refuses a field the template has no control for', async () => {
      await adapter.approvals.start({ originatorUserId: 'LiNa', title: 'a', fields: [{ name: '区域', value: '华东' }] });
      const error = await rejection(
        adapter.approvals.start({ originatorUserId: 'LiNa', title: 'b', fields: [{ name: '预算', value: '100' }] }),
        'INVALID_ARGUMENT',
      );

      expect(error.message).toContain('"预算"');
      expect(sandbox.callCount(weComSandboxPaths.templateDetail)).toBe(1);
      expect(sandbox.callCount(weComSandboxPaths.applyEvent)).toBe(1);
    });

    it('refuses to start an approval when the tenant has no template configured', async () => {
      const org = weComOrg();
      const untemplated = createWeComAdapter({ credentials: { corpId: org.corpId, ...org.app, baseUrl: base }, clock });

      await rejection(untemplated.approvals.start({ originatorUserId: 'LiNa', title: 'a', fields: [] }), 'INVALID_ARGUMENT');
      expect(sandbox.callCount(weComSandboxPaths.token)).toBe(0);
    });

    it('maps WeCom’s approval parameter error to INVALID_ARGUMENT', async () => {
      const error = await rejection(
        adapter.approvals.start({ originatorUserId: 'ghost', title: 'a', fields: [{ name: '区域', value: '华东' }] }),
        'INVALID_ARGUMENT',
      );

      expect(error.vendorCode).toBe(301025);
    });

    it('delivers user_joined when a user is added and user_left when removed', async () => {
      const added = await control('POST', 'org/users', { userId: 'ChenJing', name: '陈静', departmentIds: [5], hiredDate: '2025-01-06' });
      expect(added).toEqual({ status: 200, body: { delivered: true, serverStatus: 200 } });
      await expect(adapter.directory.user('ChenJing')).resolves.toMatchObject({
        userId: 'ChenJing',
        departmentIds: ['5'],
        hiredDate: '2025-01-06',
      });

      const removed = await control('DELETE', 'org/users/ChenJing');
      expect(removed).toEqual({ status: 200, body: { delivered: true, serverStatus: 200 } });
      await expect(adapter.directory.user('ChenJing')).resolves.toBeNull();

      expect(received).toEqual([
        { status: 200, events: [{ type: 'contact.user_joined', eventId: expect.any(String), occurredAt: clock.now(), userId: 'ChenJing' }] },
        { status: 200, events: [{ type: 'contact.user_left', eventId: expect.any(String), occurredAt: clock.now(), userId: 'ChenJing' }] },
      ]);
      await expect(control('DELETE', 'org/users/ChenJing')).resolves.toMatchObject({ status: 404, body: { error: { code: 'unknown_user' } } });
    });

    it('answers the org control with 400 for an unknown department', async () => {
      await expect(control('POST', 'org/users', { userId: 'X1', name: '某人', departmentIds: [42] })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', message: expect.stringContaining('42') } },
      });
      expect(received).toEqual([]);
    });
  });

  it('reports a callback the server did not take as not delivered', async () => {
    await start({}, '/nowhere');

    await expect(sandbox.addUser({ userId: 'ZhaoLei', name: '赵磊', departmentIds: [3], leaderOf: [] })).resolves.toEqual({
      delivered: false,
      serverStatus: 404,
      reason: 'HTTP 404',
    });
    await expect(collect(adapter.directory.users('3'))).resolves.toMatchObject([{ userId: 'ZhaoLei' }]);
  });

  it('changes the org but delivers nothing for a corp without a callback', async () => {
    await start();

    await expect(sandbox.addUser({ userId: 'ZhaoLei', name: '赵磊', departmentIds: [1], leaderOf: [] }, stranger.corpId)).resolves.toEqual({
      delivered: false,
    });
    expect(received).toEqual([]);
  });

  describe('JS-SDK', () => {
    beforeEach(() => start());

    it('signs the URL without its fragment with the corp and the agent ticket, fetching each once', async () => {
      const url = 'https://h5.example.com/visit?id=7&from=qywx';
      const signed = await adapter.jsapi.signature(`${url}#/detail`);
      const again = await adapter.jsapi.signature(url);

      const corpTicket = sandbox.lastTicket(weComOrg().corpId, 'corp') ?? '';
      const agentTicket = sandbox.lastTicket(weComOrg().corpId, 'agent') ?? '';
      expect(corpTicket).not.toBe(agentTicket);
      expect(signed).toEqual({
        platform: 'wecom',
        corpId: weComOrg().corpId,
        agentId: '1000002',
        timestamp: String(clock.now() / 1000),
        nonceStr: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
        signature: weComJsapiSignature({ ticket: corpTicket, nonceStr: signed.nonceStr, timestamp: signed.timestamp, url }),
        agentSignature: weComJsapiSignature({ ticket: agentTicket, nonceStr: signed.nonceStr, timestamp: signed.timestamp, url }),
      });
      expect(again.signature).toBe(weComJsapiSignature({ ticket: corpTicket, nonceStr: again.nonceStr, timestamp: again.timestamp, url }));
      expect(sandbox.callCount(weComSandboxPaths.corpTicket)).toBe(1);
      expect(sandbox.callCount(weComSandboxPaths.agentTicket)).toBe(1);
    });
  });
});
