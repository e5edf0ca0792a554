import {
  AccessTokenCache,
  ManualClock,
  PlatformError,
  listenOnEphemeralPort,
  type RunningServer,
} from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComSandbox, weComSandboxPrefix, type WeComSandbox } from '../sandbox';
import { WeComClient } from '../wecom.client';
import { weComFixtures } from './fixtures';

const [home, stranger] = weComFixtures;
const [alice] = home.users;
const [outsider] = stranger.users;
if (alice === undefined || outsider === undefined) throw new Error('the fixtures need users');

describe('WeCom sandbox', () => {
  let clock: ManualClock;
  let sandbox: WeComSandbox;
  let server: RunningServer;
  let base: string;

  async function start(hostMiddleware?: Koa.Middleware): Promise<void> {
    clock = new ManualClock();
    sandbox = createWeComSandbox({ fixtures: [home, stranger], clock });
    const app = new Koa();
    if (hostMiddleware) app.use(hostMiddleware);
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    server = await listenOnEphemeralPort(app.callback());
    base = `${server.origin}${weComSandboxPrefix}`;
  }

  async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function postJson(path: string, body: string) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function token(): Promise<string> {
    const { body } = await getJson(`/cgi-bin/gettoken?corpid=${home.corpId}&corpsecret=${home.app.appSecret}`);
    return body.access_token as string;
  }

  function session(accessToken: string, code: string) {
    return getJson(
      `/cgi-bin/miniprogram/jscode2session?access_token=${accessToken}&js_code=${code}&grant_type=authorization_code`,
    );
  }

  afterEach(async () => {
    await server.close();
  });

  describe('served by itself', () => {
    beforeEach(() => start());

    it('issues a new 7200 s token per call and keeps the earlier ones valid until they expire', async () => {
      const first = await getJson(`/cgi-bin/gettoken?corpid=${home.corpId}&corpsecret=${home.app.appSecret}`);
      expect(first).toEqual({
        status: 200,
        body: { errcode: 0, errmsg: 'ok', access_token: expect.stringMatching(/^[0-9a-f]{96}$/), expires_in: 7200 },
      });
      const second = await token();
      expect(second).not.toBe(first.body.access_token);

      const reply = await session(first.body.access_token as string, sandbox.mintLoginCode(home.corpId, alice.userId));
      expect(reply.body).toMatchObject({ errcode: 0, userid: alice.userId });
    });

    it('refuses an unknown corp id with 40013 and a wrong secret with 40001, over HTTP 200', async () => {
      const wrongCorp = await getJson(`/cgi-bin/gettoken?corpid=wwnowhere&corpsecret=${home.app.appSecret}`);
      const wrongSecret = await getJson(`/cgi-bin/gettoken?corpid=${home.corpId}&corpsecret=nope`);

      expect(wrongCorp).toMatchObject({ status: 200, body: { errcode: 40013 } });
      expect(wrongCorp.body.errmsg).toMatch(/^invalid corpid, hint: \[/);
      expect(wrongSecret).toMatchObject({ status: 200, body: { errcode: 40001 } });
      expect(wrongSecret.body.errmsg).toMatch(/^invalid credential, hint: \[.*\?e=40001$/);
      expect(wrongSecret.body).not.toHaveProperty('access_token');
    });

    it('answers jscode2session in WeCom’s shape, session key included', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);

      await expect(session(await token(), code)).resolves.toEqual({
        status: 200,
        body: {
          corpid: home.corpId,
          userid: alice.userId,
          session_key: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
          errcode: 0,
          errmsg: 'ok',
        },
      });
    });

    it('answers 41001 without a token, 40014 with a bad one and 42001 with an expired one', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);
      await expect(
        getJson(`/cgi-bin/miniprogram/jscode2session?js_code=${code}&grant_type=authorization_code`),
      ).resolves.toMatchObject({ body: { errcode: 41001 } });
      await expect(session('0'.repeat(96), code)).resolves.toMatchObject({ body: { errcode: 40014 } });
      const stale = await token();
      clock.advance(7200_000);
      const expired = await session(stale, code);
      expect(expired).toMatchObject({ status: 200, body: { errcode: 42001 } });
      expect(expired.body.errmsg).toMatch(/^access_token expired/);
    });

    it('answers 40029 “invalid code” for a used, expired or unknown code', async () => {
      const accessToken = await token();
      const used = sandbox.mintLoginCode(home.corpId, alice.userId);
      await session(accessToken, used);
      const old = sandbox.mintLoginCode(home.corpId, alice.userId);
      clock.advance(5 * 60_000);
      const fresh = await token();

      for (const code of [used, old, 'f'.repeat(32)]) {
        const reply = await session(fresh, code);
        expect(reply.body).toMatchObject({ errcode: 40029 });
        expect(reply.body.errmsg).toMatch(/^invalid code, hint: /);
      }
    });

    it('names the code’s own corp even when another corp’s token asks', async () => {
      const code = sandbox.mintLoginCode(stranger.corpId, outsider.userId);

      await expect(session(await token(), code)).resolves.toMatchObject({
        body: { errcode: 0, corpid: stranger.corpId, userid: outsider.userId },
      });
    });

    it('answers an HTTP-status fault with the gateway’s HTML page', async () => {
      const planned = await postJson('/_control/faults', JSON.stringify({ path: '/cgi-bin/gettoken', status: 502 }));
      expect(planned).toEqual({ status: 200, body: { path: '/cgi-bin/gettoken', times: 1, status: 502 } });

      const outage = await fetch(`${base}/cgi-bin/gettoken?corpid=${home.corpId}&corpsecret=${home.app.appSecret}`);
      expect(outage.status).toBe(502);
      await expect(outage.text()).resolves.toContain('502');
      await expect(token()).resolves.toMatch(/^[0-9a-f]{96}$/);
      expect(sandbox.callCount('/cgi-bin/gettoken')).toBe(2);
    });

    it('answers the controls with 400 and a reason for bodies it cannot use', async () => {
      await expect(postJson('/_control/login-code', '[1, 2')).resolves.toEqual({
        status: 400,
        body: { error: { code: 'invalid_body', message: 'body is not valid JSON' } },
      });
      await expect(postJson('/_control/faults', JSON.stringify({ path: '/cgi-bin/gettoken', status: 200 }))).resolves
        .toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    });
  });

  describe('behind its client', () => {
    beforeEach(() => start());

    it('gives back the corp and user of a code, never the session key', async () => {
      const client = new WeComClient({ credentials: { corpId: home.corpId, ...home.app, baseUrl: base }, clock });

      await expect(client.code2Session(sandbox.mintLoginCode(home.corpId, alice.userId))).resolves.toStrictEqual({
        corpid: home.corpId,
        userid: alice.userId,
      });
    });

    it('refuses a code of another corp as INVALID_CODE instead of following it', async () => {
      const client = new WeComClient({ credentials: { corpId: home.corpId, ...home.app, baseUrl: base }, clock });

      const code = sandbox.mintLoginCode(stranger.corpId, outsider.userId);
      const failure: unknown = await client.code2Session(code).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(PlatformError);
      expect(failure).toMatchObject({
        code: 'INVALID_CODE',
        message: expect.stringContaining('other than the configured'),
      });
      expect(sandbox.callCount('/cgi-bin/miniprogram/jscode2session')).toBe(1);
    });

    it('shares one token between clients of the same app when given one cache', async () => {
      const tokenCache = new AccessTokenCache({ clock });
      const credentials = { corpId: home.corpId, ...home.app, baseUrl: base };
      const clients = [1, 2].map(() => new WeComClient({ credentials, clock, tokenCache }));

      const tokens = await Promise.all(clients.map((client) => client.getAccessToken()));

      expect(tokens[0]).toBe(tokens[1]);
      expect(sandbox.callCount('/cgi-bin/gettoken')).toBe(1);
    });
  });

  it('uses a body the host app’s own parser already read', async () => {
    await start(async (ctx, next) => {
      let text = '';
      for await (const chunk of ctx.req) text += String(chunk);
      (ctx.request as unknown as { body: unknown }).body = text === '' ? {} : JSON.parse(text);
      await next();
    });

    const minted = await postJson(
      '/_control/login-code',
      JSON.stringify({ corpId: home.corpId, userId: alice.userId }),
    );

    expect(minted).toEqual({ status: 200, body: { code: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    await expect(session(await token(), (minted.body as { code: string }).code)).resolves.toMatchObject({
      body: { errcode: 0, userid: alice.userId },
    });
  });
});
