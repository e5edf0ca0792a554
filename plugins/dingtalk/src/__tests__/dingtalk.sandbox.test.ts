import { ManualClock, listenOnEphemeralPort, type RunningServer } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createDingTalkSandbox, dingTalkSandboxPrefix, type DingTalkSandbox } from '../sandbox';
import { dingTalkFixtures } from './fixtures';

const [home, stranger] = dingTalkFixtures;
const [alice] = home.users;
if (alice === undefined) throw new Error('the home fixture needs a user');

describe('DingTalk sandbox', () => {
  let clock: ManualClock;
  let sandbox: DingTalkSandbox;
  let server: RunningServer;
  let base: string;

  async function start(hostMiddleware?: Koa.Middleware): Promise<void> {
    clock = new ManualClock();
    sandbox = createDingTalkSandbox({ fixtures: [home, stranger], clock });
    const app = new Koa();
    if (hostMiddleware) app.use(hostMiddleware);
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    server = await listenOnEphemeralPort(app.callback());
    base = `${server.origin}${dingTalkSandboxPrefix}`;
  }

  async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function postJson(path: string, body: string, contentType = 'application/json') {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function getUserInfo(accessToken: string, body: string, contentType?: string) {
    return postJson(`/topapi/v2/user/getuserinfo?access_token=${accessToken}`, body, contentType);
  }

  async function token(): Promise<string> {
    const { body } = await getJson(`/gettoken?appkey=${home.app.appKey}&appsecret=${home.app.appSecret}`);
    return body.access_token as string;
  }

  afterEach(async () => {
    await server.close();
  });

  describe('served by itself', () => {
    beforeEach(() => start());

    it('issues a 7200 s token and hands back the same one while it is valid', async () => {
      const first = await getJson(`/gettoken?appkey=${home.app.appKey}&appsecret=${home.app.appSecret}`);
      expect(first).toEqual({
        status: 200,
        body: {
          errcode: 0,
          errmsg: 'ok',
          access_token: expect.stringMatching(/^[0-9a-f]{32}$/),
          expires_in: 7200,
          request_id: expect.stringMatching(/^[0-9a-z]+$/),
        },
      });
      clock.advance(3600_000);
      await expect(token()).resolves.toBe(first.body.access_token);
    });

    it('refuses a wrong app key or secret with errcode 40089 over HTTP 200', async () => {
      const wrongSecret = await getJson(`/gettoken?appkey=${home.app.appKey}&appsecret=nope`);
      const wrongKey = await getJson(`/gettoken?appkey=nope&appsecret=${home.app.appSecret}`);

      for (const reply of [wrongSecret, wrongKey]) {
        expect(reply).toMatchObject({ status: 200, body: { errcode: 40089, errmsg: '不合法的corpid或corpsecret' } });
        expect(reply.body).not.toHaveProperty('access_token');
      }
    });

    it('answers getuserinfo in DingTalk’s shape, without a corp id', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);

      const reply = await getUserInfo(await token(), JSON.stringify({ code }));

      expect(reply).toEqual({
        status: 200,
        body: {
          errcode: 0,
          errmsg: 'ok',
          request_id: expect.any(String),
          result: {
            userid: alice.userId,
            device_id: expect.stringMatching(/^[0-9a-f]{32}$/),
            sys: false,
            sys_level: 0,
            unionid: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
            associated_unionid: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
            name: alice.name,
          },
        },
      });
    });

    it('accepts a form-encoded body as DingTalk’s topapi does', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);

      const reply = await getUserInfo(await token(), `code=${code}`, 'application/x-www-form-urlencoded');

      expect(reply.body).toMatchObject({ errcode: 0, result: { userid: alice.userId } });
    });

    it('answers 40014 without a valid token and 42001 with an expired one', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);
      const body = JSON.stringify({ code });

      await expect(postJson('/topapi/v2/user/getuserinfo', body)).resolves.toMatchObject({
        status: 200,
        body: { errcode: 40014, errmsg: '不合法的access_token' },
      });
      const stale = await token();
      clock.advance(7200_000);
      await expect(getUserInfo(stale, body)).resolves.toMatchObject({
        status: 200,
        body: { errcode: 42001 },
      });
      const fresh = await token();
      expect(fresh).not.toBe(stale);
      const later = JSON.stringify({ code: sandbox.mintLoginCode(home.corpId, alice.userId) });
      await expect(getUserInfo(fresh, later)).resolves.toMatchObject({
        body: { errcode: 0, result: { userid: alice.userId } },
      });
    });

    it('answers 40078 “不存在的临时授权码” for a used, expired or unknown code', async () => {
      const accessToken = await token();
      const used = sandbox.mintLoginCode(home.corpId, alice.userId);
      await getUserInfo(accessToken, JSON.stringify({ code: used }));
      const old = sandbox.mintLoginCode(home.corpId, alice.userId);
      clock.advance(5 * 60_000);

      for (const code of [used, old, 'f'.repeat(32)]) {
        const reply = await getUserInfo(accessToken, JSON.stringify({ code }));
        expect(reply.body).toMatchObject({ errcode: 40078, errmsg: '不存在的临时授权码' });
      }
    });

    it('expires tokens through the control endpoint and programmatically', async () => {
      const stale = await token();

      await expect(postJson('/_control/tokens/expire', '')).resolves.toEqual({ status: 200, body: { expired: 1 } });
      expect(sandbox.expireTokens()).toBe(0);
      const reply = await getUserInfo(stale, JSON.stringify({ code: 'x' }));
      expect(reply.body).toMatchObject({ errcode: 42001 });
    });

    it('answers planned faults in order, then normally again', async () => {
      sandbox.injectFault({ path: '/gettoken', times: 1, status: 503 });
      const fault = { path: `${dingTalkSandboxPrefix}/gettoken`, times: 1, errcode: 90018 };
      const faultReply = await postJson('/_control/faults', JSON.stringify(fault));
      expect(faultReply).toEqual({ status: 200, body: { path: '/gettoken', times: 1, errcode: 90018 } });
      const query = `/gettoken?appkey=${home.app.appKey}&appsecret=${home.app.appSecret}`;

      const outage = await fetch(`${base}${query}`);
      expect(outage.status).toBe(503);
      expect(outage.headers.get('content-type')).toMatch(/text\/html/);
      await outage.text();
      await expect(getJson(query)).resolves.toMatchObject({ status: 200, body: { errcode: 90018 } });
      await expect(getJson(query)).resolves.toMatchObject({ status: 200, body: { errcode: 0 } });
      expect(sandbox.callCount('/gettoken')).toBe(3);
    });

    it('answers the controls with 400 and a reason for bodies it cannot use', async () => {
      for (const fault of [{ path: '/gettoken', times: 1 }, { path: '/gettoken', times: 0, errcode: -1 }]) {
        await expect(postJson('/_control/faults', JSON.stringify(fault))).resolves.toMatchObject({
          status: 400,
          body: { error: { code: 'invalid_request' } },
        });
      }
      await expect(postJson('/_control/login-code', '{not json')).resolves.toEqual({
        status: 400,
        body: { error: { code: 'invalid_body', message: 'body is not valid JSON' } },
      });
    });

    it('refuses to mint a code for someone the org does not have', () => {
      expect(() => sandbox.mintLoginCode(home.corpId, 'nobody')).toThrow(
        expect.objectContaining({ code: 'unknown_user' }),
      );
      expect(() => sandbox.mintLoginCode('ding-nowhere', alice.userId)).toThrow(
        expect.objectContaining({ code: 'unknown_corp' }),
      );
    });

    it('serves nothing outside its prefix', async () => {
      const query = `appkey=${home.app.appKey}&appsecret=${home.app.appSecret}`;
      const response = await fetch(`${server.origin}/gettoken?${query}`);
      expect(response.status).toBe(404);
      await response.text();
      expect(sandbox.callCount('/gettoken')).toBe(0);
    });
  });

  it('uses a body the host app’s own parser already read', async () => {
    await start(async (ctx, next) => {
      // What a body parser does: consume the stream and leave the result on ctx.request.
      let text = '';
      for await (const chunk of ctx.req) text += String(chunk);
      (ctx.request as unknown as { body: unknown }).body = text === '' ? {} : JSON.parse(text);
      await next();
    });
    const code = sandbox.mintLoginCode(home.corpId, alice.userId);

    const reply = await getUserInfo(await token(), JSON.stringify({ code }));
    const minted = await postJson(
      '/_control/login-code',
      JSON.stringify({ corpId: home.corpId, userId: alice.userId }),
    );

    expect(reply.body).toMatchObject({ errcode: 0, result: { userid: alice.userId } });
    expect(minted).toEqual({ status: 200, body: { code: expect.stringMatching(/^[0-9a-f]{32}$/) } });
  });
});
