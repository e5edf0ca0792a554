import { createHash } from 'node:crypto';
import type { PlatformMessage } from '@gonghai/plugin-core';
import { plainRobot, signedRobot } from './fixtures';
import { startDingTalk, type DingTalkHarness } from './harness';

const markdown: PlatformMessage = { kind: 'markdown', title: '公海回收提醒', text: '### 3 个客户将于明天回收\n- 海川超市' };
const card: PlatformMessage = {
  kind: 'card',
  title: '新客户分配',
  text: '你获得了 12 个客户',
  url: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fcrm.example.cn%2Fme',
  buttonText: '查看客户',
};

describe('DingTalk messages', () => {
  let dingtalk: DingTalkHarness;

  beforeEach(async () => {
    dingtalk = await startDingTalk();
  });

  afterEach(async () => {
    await dingtalk.close();
  });

  it('posts markdown and action cards to a signed robot, as the inbox shows', async () => {
    const adapter = dingtalk.adapter();

    await adapter.messages.toGroupBot(signedRobot, markdown);
    await adapter.messages.toGroupBot(signedRobot, card);

    const receivedAt = new Date(dingtalk.clock.now()).toISOString();
    await expect(dingtalk.control('GET', 'messages')).resolves.toEqual({
      status: 200,
      body: {
        items: [
          { id: expect.any(String), channel: 'group', target: signedRobot.token, to: [], msgtype: 'markdown', title: markdown.title, text: markdown.text, receivedAt },
          { id: expect.any(String), channel: 'group', target: signedRobot.token, to: [], msgtype: 'actionCard', title: card.title, text: card.text, receivedAt },
        ],
      },
    });
  });

  it('delivers 45 messages to one robot without ever meeting 130101, waiting on the clock for free slots', async () => {
    const adapter = dingtalk.adapter();
    const started = dingtalk.clock.now();

    await Promise.all(
      Array.from({ length: 45 }, (_, index) => adapter.messages.toGroupBot(plainRobot, { ...markdown, title: `第 ${index + 1} 条` })),
    );

    const inbox = dingtalk.sandbox.messages();
    expect(inbox.map((message) => message.title)).toEqual(Array.from({ length: 45 }, (_, index) => `第 ${index + 1} 条`));
    // Exactly one call per message: none was refused and resent.
    expect(dingtalk.sandbox.callCount('/robot/send')).toBe(45);
    expect(dingtalk.sleeps).toEqual([61_000, 61_000]);
    expect(dingtalk.clock.now() - started).toBe(122_000);
  });

  it('meets the sandbox’s 20-a-minute limit (130101 → RATE_LIMITED) when the robot is sent to around the adapter', async () => {
    const first = dingtalk.adapter();
    const second = dingtalk.adapter();
    await Promise.all(Array.from({ length: 20 }, () => first.messages.toGroupBot(plainRobot, markdown)));

    await expect(second.messages.toGroupBot(plainRobot, markdown)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      vendorCode: 130101,
      retryAfterMs: 60_000,
    });
    expect(dingtalk.sandbox.messages()).toHaveLength(20);
  });

  it('is refused with 310000 when the signature is wrong or the clock is more than an hour off', async () => {
    const adapter = dingtalk.adapter();

    await expect(adapter.messages.toGroupBot({ ...signedRobot, secret: 'SECwrong' }, markdown)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      vendorCode: 310000,
      message: expect.stringContaining('sign not match'),
    });
    // The same robot without its secret sends no timestamp at all.
    await expect(adapter.messages.toGroupBot({ token: signedRobot.token }, markdown)).rejects.toMatchObject({
      vendorCode: 310000,
      message: expect.stringContaining('invalid timestamp'),
    });
    await expect(adapter.messages.toGroupBot({ token: 'unknown-robot' }, markdown)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      vendorCode: 300005,
    });
    expect(dingtalk.sandbox.messages()).toEqual([]);
  });

  it('refuses a signed timestamp more than an hour from the platform clock', async () => {
    const skewed = dingtalk.adapter({}, { clock: { now: () => dingtalk.clock.now() - 3600_001 } });

    await expect(skewed.messages.toGroupBot(signedRobot, markdown)).rejects.toMatchObject({
      vendorCode: 310000,
      message: expect.stringContaining('invalid timestamp'),
    });
  });

  it('sends direct messages as work notifications from the app’s agent', async () => {
    const adapter = dingtalk.adapter();

    await adapter.messages.toUsers(['rep0733', 'rep0734'], card);
    await adapter.messages.toUsers(['mgr0211'], markdown);
    await adapter.messages.toUsers([], markdown);

    expect(dingtalk.sandbox.messages()).toEqual([
      expect.objectContaining({ channel: 'direct', target: '3049117702', to: ['rep0733', 'rep0734'], msgtype: 'action_card', title: card.title, text: card.text }),
      expect.objectContaining({ channel: 'direct', target: '3049117702', to: ['mgr0211'], msgtype: 'markdown', title: markdown.title, text: markdown.text }),
    ]);
    expect(dingtalk.sandbox.callCount('/topapi/message/corpconversation/asyncsend_v2')).toBe(2);
  });

  it('lists only messages received since a given time, and refuses an unreadable one', async () => {
    const adapter = dingtalk.adapter();
    await adapter.messages.toUsers(['rep0733'], markdown);
    dingtalk.clock.advance(60_000);
    const since = new Date(dingtalk.clock.now()).toISOString();
    await adapter.messages.toUsers(['rep0734'], markdown);

    const recent = await dingtalk.control('GET', `messages?since=${encodeURIComponent(since)}`);
    expect(recent.body.items).toEqual([expect.objectContaining({ to: ['rep0734'] })]);
    await expect(dingtalk.control('GET', 'messages?since=yesterday')).resolves.toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
  });

  it('refuses a user id with a comma rather than address someone else', async () => {
    await expect(dingtalk.adapter().messages.toUsers(['rep0733,boss0001'], markdown)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(dingtalk.sandbox.callCount('/topapi/message/corpconversation/asyncsend_v2')).toBe(0);
  });
});

describe('DingTalk jsapi', () => {
  let dingtalk: DingTalkHarness;

  beforeEach(async () => {
    dingtalk = await startDingTalk();
  });

  afterEach(async () => {
    await dingtalk.close();
  });

  it('signs the decoded URL without its fragment, with the ticket and a millisecond timestamp, as dd.config wants', async () => {
    const url = 'https://crm.example.cn/h5/visit?id=42&name=%E5%BC%A0%E4%B8%89#/detail';

    const signed = await dingtalk.adapter().jsapi.signature(url);

    const ticket = dingtalk.sandbox.jsapiTicket(dingtalk.fixture.corpId);
    expect(ticket).toEqual(expect.any(String));
    const plain = `jsapi_ticket=${ticket}&noncestr=${signed.nonceStr}&timeStamp=${dingtalk.clock.now()}&url=https://crm.example.cn/h5/visit?id=42&name=张三`;
    expect(signed).toEqual({
      platform: 'dingtalk',
      corpId: dingtalk.fixture.corpId,
      agentId: '3049117702',
      timestamp: String(dingtalk.clock.now()),
      nonceStr: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
      signature: createHash('sha1').update(plain, 'utf8').digest('hex'),
    });
  });

  it('fetches the ticket once for 20 concurrent signatures and again only near its expiry', async () => {
    const adapter = dingtalk.adapter();

    await Promise.all(Array.from({ length: 20 }, () => adapter.jsapi.signature('https://crm.example.cn/h5/')));
    dingtalk.clock.advance((7200 - 301) * 1000);
    await adapter.jsapi.signature('https://crm.example.cn/h5/');
    expect(dingtalk.sandbox.callCount('/get_jsapi_ticket')).toBe(1);
    dingtalk.clock.advance(2000);
    await adapter.jsapi.signature('https://crm.example.cn/h5/');

    expect(dingtalk.sandbox.callCount('/get_jsapi_ticket')).toBe(2);
    expect(dingtalk.sandbox.callCount('/gettoken')).toBe(2);
  });
});
