import type { PlatformClientOptions } from '../client-options';
import { PlatformError, type PlatformErrorCode } from '../platform-error';
import type { Clock, LoginChannel, OrgFixture, PlatformAdapter, PlatformAppCredentials, PlatformKind } from '../port';
import { unusedOrigin } from './http-server';
import { ManualClock } from './manual-clock';

/** A vendor's sandbox, started for one test on a real port. */
export interface ContractSandbox {
  /** Where the vendor API is served, e.g. `http://127.0.0.1:54321/sandbox/dingtalk`; controls are under `/_control`. */
  baseUrl: string;
  /** How many requests reached a vendor path (faulted ones included). */
  callCount(path: string): number;
  close(): Promise<void>;
}

/** What a vendor plugin supplies to run the shared login contract against its adapter and sandbox. */
export interface AuthContractHarness {
  platform: PlatformKind;
  /** Two corps: the tenant under test (with at least two users) and a stranger whose codes it must refuse. */
  fixtures: readonly [OrgFixture, OrgFixture];
  /** `oauthLogin`: where an H5 page's OAuth code is exchanged, when not at `login` (WeCom `auth/getuserinfo`). */
  paths: { token: string; login: string; oauthLogin?: string };
  errcodes: { tokenExpired: number; rateLimited: number; busy: number; unmapped: number };
  startSandbox(options: { fixtures: OrgFixture[]; clock: Clock }): Promise<ContractSandbox>;
  createAdapter(options: PlatformClientOptions): PlatformAdapter;
}

/** The login behaviour every adapter has, proven over real HTTP against its vendor's sandbox. */
export function describeAuthContract(harness: AuthContractHarness): void {
  const [home, stranger] = harness.fixtures;
  const { token: tokenPath, login: loginPath } = harness.paths;
  const [alice, bob] = home.users;
  if (alice === undefined || bob === undefined) throw new Error('the home fixture needs at least two users');
  const strangerUser = stranger.users[0];
  if (strangerUser === undefined) throw new Error('the stranger fixture needs a user');

  describe(`${harness.platform} login (auth contract)`, () => {
    let clock: ManualClock;
    let sandbox: ContractSandbox;
    let sleeps: number[];
    let adapter: PlatformAdapter;

    function credentials(overrides: Partial<PlatformAppCredentials> = {}): PlatformAppCredentials {
      return { corpId: home.corpId, ...home.app, baseUrl: sandbox.baseUrl, ...overrides };
    }

    function adapterWith(overrides: Partial<PlatformAppCredentials>): PlatformAdapter {
      return harness.createAdapter({
        credentials: credentials(overrides),
        clock,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
    }

    async function control(path: string, body: unknown = {}): Promise<{ status: number; body: unknown }> {
      const response = await fetch(`${sandbox.baseUrl}/_control/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }

    async function mintCode(corpId: string, userId: string, channel?: LoginChannel): Promise<string> {
      const reply = await control('login-code', { corpId, userId, channel });
      expect(reply.status).toBe(200);
      const { code } = reply.body as { code: string };
      return code;
    }

    async function fault(fault: { path: string; times: number; status?: number; errcode?: number }): Promise<void> {
      const reply = await control('faults', fault);
      expect(reply.status).toBe(200);
    }

    async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
      try {
        await promise;
      } catch (error) {
        if (error instanceof PlatformError) return error;
        throw error;
      }
      throw new Error('expected a PlatformError, but the call succeeded');
    }

    async function expectRejection(promise: Promise<unknown>, code: PlatformErrorCode): Promise<PlatformError> {
      const error = await rejection(promise);
      expect(error.code).toBe(code);
      return error;
    }

    beforeEach(async () => {
      clock = new ManualClock();
      sleeps = [];
      sandbox = await harness.startSandbox({ fixtures: [home, stranger], clock });
      adapter = adapterWith({});
    });

    afterEach(async () => {
      await sandbox.close();
    });

    it('names its platform', () => {
      expect(adapter.platform).toBe(harness.platform);
    });

    it('exchanges a freshly minted code for the user’s corp and id', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      expect(code).toMatch(/^[0-9a-f]{32}$/);

      await expect(adapter.auth.exchangeLoginCode(code)).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
    });

    it('exchanges a code an H5 page got through the oauth channel, once', async () => {
      const code = await mintCode(home.corpId, bob.userId, 'oauth');

      await expect(adapter.auth.exchangeLoginCode(code, 'oauth')).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: bob.userId,
      });
      await expectRejection(adapter.auth.exchangeLoginCode(code, 'oauth'), 'INVALID_CODE');
      expect(sandbox.callCount(harness.paths.oauthLogin ?? loginPath)).toBe(2);
    });

    it('refuses a code the second time it is used', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await adapter.auth.exchangeLoginCode(code);

      await expectRejection(adapter.auth.exchangeLoginCode(code), 'INVALID_CODE');
      expect(sandbox.callCount(loginPath)).toBe(2);
    });

    it('accepts a code until it is five minutes old and refuses it from then on', async () => {
      const young = await mintCode(home.corpId, alice.userId);
      const old = await mintCode(home.corpId, bob.userId);

      clock.advance(5 * 60_000 - 1000);
      await expect(adapter.auth.exchangeLoginCode(young)).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
      clock.advance(1000);
      await expectRejection(adapter.auth.exchangeLoginCode(old), 'INVALID_CODE');
    });

    it('refuses a code that another corp’s user got', async () => {
      const code = await mintCode(stranger.corpId, strangerUser.userId);

      await expectRejection(adapter.auth.exchangeLoginCode(code), 'INVALID_CODE');
    });

    it('refuses an empty code without asking the platform', async () => {
      await expectRejection(adapter.auth.exchangeLoginCode(''), 'INVALID_CODE');
      expect(sandbox.callCount(loginPath)).toBe(0);
    });

    it('fetches one token for many exchanges', async () => {
      for (const user of [alice, bob, alice, bob, alice]) {
        const identity = await adapter.auth.exchangeLoginCode(await mintCode(home.corpId, user.userId));
        expect(identity.platformUserId).toBe(user.userId);
      }

      expect(sandbox.callCount(tokenPath)).toBe(1);
      expect(sandbox.callCount(loginPath)).toBe(5);
    });

    it('shares one token fetch among 20 concurrent exchanges', async () => {
      const users = Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? alice : bob));
      const codes = await Promise.all(users.map((user) => mintCode(home.corpId, user.userId)));

      const identities = await Promise.all(codes.map((code) => adapter.auth.exchangeLoginCode(code)));

      expect(identities).toEqual(users.map((user) => ({ corpId: home.corpId, platformUserId: user.userId })));
      expect(sandbox.callCount(tokenPath)).toBe(1);
      expect(sandbox.callCount(loginPath)).toBe(20);
    });

    it('keeps the token until 300 s before it expires, then refreshes it', async () => {
      await adapter.auth.exchangeLoginCode(await mintCode(home.corpId, alice.userId));
      clock.advance((7200 - 301) * 1000);
      await adapter.auth.exchangeLoginCode(await mintCode(home.corpId, alice.userId));
      expect(sandbox.callCount(tokenPath)).toBe(1);

      clock.advance(2000);
      await expect(adapter.auth.exchangeLoginCode(await mintCode(home.corpId, bob.userId))).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: bob.userId,
      });
      expect(sandbox.callCount(tokenPath)).toBe(2);
    });

    it('refreshes the token once when the platform says it expired', async () => {
      await adapter.auth.exchangeLoginCode(await mintCode(home.corpId, alice.userId));
      const expired = await control('tokens/expire');
      expect(expired).toEqual({ status: 200, body: { expired: 1 } });

      await expect(adapter.auth.exchangeLoginCode(await mintCode(home.corpId, bob.userId))).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: bob.userId,
      });
      expect(sandbox.callCount(tokenPath)).toBe(2);
      expect(sandbox.callCount(loginPath)).toBe(3);
    });

    it('refreshes once for a burst of calls that all meet the expired token', async () => {
      await adapter.auth.exchangeLoginCode(await mintCode(home.corpId, alice.userId));
      await control('tokens/expire');
      const users = [alice, bob, alice, bob, alice];
      const codes = await Promise.all(users.map((user) => mintCode(home.corpId, user.userId)));

      const identities = await Promise.all(codes.map((code) => adapter.auth.exchangeLoginCode(code)));

      expect(identities.map((identity) => identity.platformUserId)).toEqual(users.map((user) => user.userId));
      expect(sandbox.callCount(tokenPath)).toBe(2);
    });

    it('surfaces TOKEN_EXPIRED after one refresh when the platform keeps refusing the token', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await fault({ path: loginPath, times: 2, errcode: harness.errcodes.tokenExpired });

      const error = await expectRejection(adapter.auth.exchangeLoginCode(code), 'TOKEN_EXPIRED');
      expect(error.vendorCode).toBe(harness.errcodes.tokenExpired);
      expect(sandbox.callCount(loginPath)).toBe(2);
      expect(sandbox.callCount(tokenPath)).toBe(2);

      // The refused calls never reached the code, so it is still good.
      await expect(adapter.auth.exchangeLoginCode(code)).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
    });

    it('maps a rate-limit errcode to RATE_LIMITED without retrying', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await fault({ path: loginPath, times: 1, errcode: harness.errcodes.rateLimited });

      const error = await expectRejection(adapter.auth.exchangeLoginCode(code), 'RATE_LIMITED');
      expect(error.vendorCode).toBe(harness.errcodes.rateLimited);
      expect(sandbox.callCount(loginPath)).toBe(1);
      expect(sleeps).toEqual([]);
    });

    it('retries an HTTP 503 after a short wait and succeeds', async () => {
      const code = await mintCode(home.corpId, bob.userId);
      await fault({ path: loginPath, times: 1, status: 503 });

      await expect(adapter.auth.exchangeLoginCode(code)).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: bob.userId,
      });
      expect(sandbox.callCount(loginPath)).toBe(2);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThan(0);
    });

    it('retries "system busy" and succeeds', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await fault({ path: loginPath, times: 1, errcode: harness.errcodes.busy });

      await expect(adapter.auth.exchangeLoginCode(code)).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
      expect(sandbox.callCount(loginPath)).toBe(2);
      expect(sleeps).toHaveLength(1);
    });

    it('retries a failing token fetch too', async () => {
      await fault({ path: tokenPath, times: 1, status: 502 });

      await expect(adapter.auth.exchangeLoginCode(await mintCode(home.corpId, alice.userId))).resolves.toEqual({
        corpId: home.corpId,
        platformUserId: alice.userId,
      });
      expect(sandbox.callCount(tokenPath)).toBe(2);
    });

    it('gives up with UNAVAILABLE after two retries of HTTP 5xx', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await fault({ path: loginPath, times: 3, status: 502 });

      await expectRejection(adapter.auth.exchangeLoginCode(code), 'UNAVAILABLE');
      expect(sandbox.callCount(loginPath)).toBe(3);
      expect(sleeps).toHaveLength(2);
      expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
    });

    it('keeps an errcode it has no meaning for as UNKNOWN with the vendor code', async () => {
      const code = await mintCode(home.corpId, alice.userId);
      await fault({ path: loginPath, times: 1, errcode: harness.errcodes.unmapped });

      const error = await expectRejection(adapter.auth.exchangeLoginCode(code), 'UNKNOWN');
      expect(error.vendorCode).toBe(harness.errcodes.unmapped);
    });

    it('refuses a wrong app secret with INVALID_CREDENTIALS', async () => {
      const misconfigured = adapterWith({ appSecret: 'not-the-secret' });
      const code = await mintCode(home.corpId, alice.userId);

      await expectRejection(misconfigured.auth.exchangeLoginCode(code), 'INVALID_CREDENTIALS');
      expect(sandbox.callCount(tokenPath)).toBe(1);
      expect(sandbox.callCount(loginPath)).toBe(0);
    });

    it('reports UNAVAILABLE when the platform cannot be reached', async () => {
      const unreachable = adapterWith({ baseUrl: await unusedOrigin() });

      await expectRejection(unreachable.auth.exchangeLoginCode('0123456789abcdef0123456789abcdef'), 'UNAVAILABLE');
    });

    it('answers the login-code control with 400 for an unknown corp or user', async () => {
      await expect(control('login-code', { corpId: 'no-such-corp', userId: alice.userId })).resolves.toEqual({
        status: 400,
        body: { error: { code: 'unknown_corp', message: expect.stringContaining('no-such-corp') } },
      });
      await expect(control('login-code', { corpId: home.corpId, userId: strangerUser.userId })).resolves.toEqual({
        status: 400,
        body: { error: { code: 'unknown_user', message: expect.stringContaining(strangerUser.userId) } },
      });
      await expect(control('login-code', { corpId: home.corpId })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request' } },
      });
      await expect(control('login-code', { corpId: home.corpId, userId: alice.userId, channel: 'sms' })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', message: expect.stringContaining('"miniprogram" | "oauth"') } },
      });
    });

    it('answers the faults control with 400 for a path it does not serve', async () => {
      await expect(control('faults', { path: '/no/such/path', times: 1, status: 503 })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'unknown_path' } },
      });
    });
  });
}
