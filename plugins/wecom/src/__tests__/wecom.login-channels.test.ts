import { ManualClock, PlatformError, listenOnEphemeralPort, type PlatformAdapter, type RunningServer } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix, type WeComSandbox } from '../sandbox';
import { createWeComAdapter } from '../wecom.adapter';
import { WeComClient } from '../wecom.client';
import { weComFixtures } from './fixtures';

const [home, stranger] = weComFixtures;
const [alice, bob] = home.users;
const [outsider] = stranger.users;
if (alice === undefined || bob === undefined || outsider === undefined) throw new Error('the fixtures need users');

/**
 * A mini-program (`wx.qy.login`) code and an H5 OAuth code are different things, exchanged at different endpoints
 * (wecom-api §2a, §2b): each is refused at the other's endpoint with 40029 "invalid code".
 */
describe('WeCom login channels', () => {
  let clock: ManualClock;
  let sandbox: WeComSandbox;
  let server: RunningServer;
  let base: string;
  let adapter: PlatformAdapter;

  beforeEach(async () => {
    clock = new ManualClock();
    sandbox = createWeComSandbox({ fixtures: [home, stranger], clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    server = await listenOnEphemeralPort(app.callback());
    base = `${server.origin}${weComSandboxPrefix}`;
    adapter = createWeComAdapter({
      credentials: { corpId: home.corpId, ...home.app, baseUrl: base },
      clock,
      sleep: async () => undefined,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function control(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}/_control/login-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function token(corp: { corpId: string; app: { appSecret: string } } = home): Promise<string> {
    const { body } = await getJson(`/cgi-bin/gettoken?corpid=${corp.corpId}&corpsecret=${corp.app.appSecret}`);
    return body.access_token as string;
  }

  const session = (accessToken: string, code: string) =>
    getJson(`/cgi-bin/miniprogram/jscode2session?access_token=${accessToken}&js_code=${code}&grant_type=authorization_code`);
  const oauth = (accessToken: string, code: string) =>
    getJson(`/cgi-bin/auth/getuserinfo?access_token=${accessToken}&code=${code}`);

  async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
    const outcome: unknown = await promise.then(
      () => new Error('expected a PlatformError, but the call succeeded'),
      (error: unknown) => error,
    );
    if (!(outcome instanceof PlatformError)) throw outcome;
    return outcome;
  }

  describe('the sandbox', () => {
    it('answers an OAuth code at auth/getuserinfo with the member’s lowercase userid and nothing else', async () => {
      const minted = await control({ corpId: home.corpId, userId: alice.userId, channel: 'oauth' });
      expect(minted).toEqual({ status: 200, body: { code: expect.stringMatching(/^[0-9a-f]{32}$/) } });

      await expect(oauth(await token(), minted.body.code as string)).resolves.toEqual({
        status: 200,
        body: { errcode: 0, errmsg: 'ok', userid: alice.userId },
      });
    });

    it('refuses an OAuth code at jscode2session with 40029, and the code still works where it belongs', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');
      const accessToken = await token();

      const wrong = await session(accessToken, code);
      expect(wrong).toMatchObject({ status: 200, body: { errcode: 40029 } });
      expect(wrong.body.errmsg).toMatch(/^invalid code, hint: /);
      expect(wrong.body).not.toHaveProperty('userid');

      await expect(oauth(accessToken, code)).resolves.toMatchObject({ body: { errcode: 0, userid: alice.userId } });
    });

    it('refuses a mini-program code at auth/getuserinfo with 40029, and the code still works where it belongs', async () => {
      const code = sandbox.mintLoginCode(home.corpId, bob.userId);
      const viaControl = (await control({ corpId: home.corpId, userId: bob.userId, channel: 'miniprogram' })).body.code as string;
      const accessToken = await token();

      for (const minted of [code, viaControl]) {
        const wrong = await oauth(accessToken, minted);
        expect(wrong).toMatchObject({ status: 200, body: { errcode: 40029 } });
        expect(wrong.body).not.toHaveProperty('userid');
        await expect(session(accessToken, minted)).resolves.toMatchObject({ body: { errcode: 0, userid: bob.userId } });
      }
    });

    it('answers auth/getuserinfo with 40029 for a used, expired, unknown or other corp’s code', async () => {
      const accessToken = await token();
      const used = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');
      await oauth(accessToken, used);
      const foreign = sandbox.mintLoginCode(stranger.corpId, outsider.userId, 'oauth');
      const old = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');
      clock.advance(5 * 60_000);
      const fresh = await token();

      for (const code of [used, old, foreign, 'f'.repeat(32)]) {
        await expect(oauth(fresh, code)).resolves.toMatchObject({ status: 200, body: { errcode: 40029 } });
      }
      // The other corp's code was never this app's to spend: its own app still takes it.
      await expect(oauth(await token(stranger), sandbox.mintLoginCode(stranger.corpId, outsider.userId, 'oauth'))).resolves
        .toMatchObject({ body: { errcode: 0, userid: outsider.userId } });
    });

    it('answers auth/getuserinfo with 41001 without a token, 42001 with an expired one and 41008 without a code', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');
      await expect(getJson(`/cgi-bin/auth/getuserinfo?code=${code}`)).resolves.toMatchObject({ body: { errcode: 41001 } });
      const stale = await token();
      clock.advance(7200_000);
      await expect(oauth(stale, code)).resolves.toMatchObject({ body: { errcode: 42001 } });
      await expect(getJson(`/cgi-bin/auth/getuserinfo?access_token=${await token()}`)).resolves.toMatchObject({
        body: { errcode: 41008 },
      });
    });

    it('answers a visitor from outside the corp with an openid and no userid', async () => {
      const minted = await control({ corpId: home.corpId, channel: 'oauth', nonMember: true });
      expect(minted.status).toBe(200);

      await expect(oauth(await token(), minted.body.code as string)).resolves.toEqual({
        status: 200,
        body: { errcode: 0, errmsg: 'ok', openid: expect.stringMatching(/^o[A-Za-z0-9_-]{27}$/) },
      });
    });

    it('refuses a channel it does not know, and a non-member mini-program code', async () => {
      await expect(control({ corpId: home.corpId, userId: alice.userId, channel: 'qrcode' })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', message: expect.stringContaining('channel') } },
      });
      await expect(control({ corpId: home.corpId, nonMember: true })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request' } },
      });
    });

    it('counts auth/getuserinfo calls and lets faults target it', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');
      sandbox.injectFault({ path: weComSandboxPaths.oauthUserInfo, times: 1, errcode: -1 });

      await expect(adapter.auth.exchangeLoginCode(code, 'oauth')).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
      expect(sandbox.callCount(weComSandboxPaths.oauthUserInfo)).toBe(2);
    });
  });

  describe('the adapter', () => {
    it('exchanges an OAuth code at auth/getuserinfo, never at jscode2session', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');

      await expect(adapter.auth.exchangeLoginCode(code, 'oauth')).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
      expect(sandbox.callCount(weComSandboxPaths.oauthUserInfo)).toBe(1);
      expect(sandbox.callCount(weComSandboxPaths.code2Session)).toBe(0);
    });

    it('exchanges a mini-program code at jscode2session when no channel is named', async () => {
      await expect(adapter.auth.exchangeLoginCode(sandbox.mintLoginCode(home.corpId, bob.userId))).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: bob.userId,
      });
      await expect(
        adapter.auth.exchangeLoginCode(sandbox.mintLoginCode(home.corpId, alice.userId), 'miniprogram'),
      ).resolves.toEqual({ corpId: home.corpId, platformUserId: alice.userId });
      expect(sandbox.callCount(weComSandboxPaths.code2Session)).toBe(2);
      expect(sandbox.callCount(weComSandboxPaths.oauthUserInfo)).toBe(0);
    });

    it('refuses an OAuth code sent as a mini-program code (the old behaviour) with INVALID_CODE 40029', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId, 'oauth');

      const error = await rejection(adapter.auth.exchangeLoginCode(code));
      expect(error).toMatchObject({ code: 'INVALID_CODE', vendorCode: 40029 });
      expect(sandbox.callCount(weComSandboxPaths.code2Session)).toBe(1);
    });

    it('refuses a mini-program code sent as an OAuth code with INVALID_CODE 40029', async () => {
      const code = sandbox.mintLoginCode(home.corpId, alice.userId);

      const error = await rejection(adapter.auth.exchangeLoginCode(code, 'oauth'));
      expect(error).toMatchObject({ code: 'INVALID_CODE', vendorCode: 40029 });
      expect(sandbox.callCount(weComSandboxPaths.oauthUserInfo)).toBe(1);
    });

    it('refuses a visitor from outside the corp as NOT_FOUND', async () => {
      const minted = await control({ corpId: home.corpId, channel: 'oauth', nonMember: true });

      const error = await rejection(adapter.auth.exchangeLoginCode(minted.body.code as string, 'oauth'));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toMatch(/not a member/);
    });

    it('refuses an empty OAuth code without asking WeCom', async () => {
      const client = new WeComClient({ credentials: { corpId: home.corpId, ...home.app, baseUrl: base }, clock });

      await expect(rejection(client.userByOAuthCode(''))).resolves.toMatchObject({ code: 'INVALID_CODE' });
      expect(sandbox.callCount(weComSandboxPaths.oauthUserInfo)).toBe(0);
      expect(sandbox.callCount(weComSandboxPaths.token)).toBe(0);
    });
  });
});
