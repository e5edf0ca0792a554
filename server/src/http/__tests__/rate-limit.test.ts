import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dialects } from '../../../test/databases';
import { addReps, poolCustomerIds, poolIdByName } from '../../../test/factories';
import { startHarness, testConfig, type Harness } from '../../../test/harness';
import { buildApp } from '../../app';
import { createRuntime } from '../../runtime';
import { clientAddress, RATE_LIMITS } from '../rate-limit';
import { rateLimitsPruneJob } from '../rate-limits-prune.job';

const T = 'demo-dingtalk';
const TEN_MINUTES = 10 * 60;

describe.each(dialects)('rate limits on %s', (dialect) => {
  let h: Harness;
  /** A second server process on the same database: its own limiters, in-memory blocks and idempotency handling. */
  let other: { baseUrl: string; close(): Promise<void> };
  let east: number;

  beforeAll(async () => {
    h = await startHarness(dialect);
    east = await poolIdByName(h.db, T, '华东公海');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gonghai-test-'));
    const app = buildApp(createRuntime({ config: testConfig(dataDir), clock: h.clock, db: h.db, sandboxBaseUrl: () => h.baseUrl }));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    other = {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  /** A request from `address` (as our reverse proxy reports it) to this server or to the other one. */
  async function call(method: string, urlPath: string, opts: { address?: string; token?: string; body?: unknown; headers?: Record<string, string>; server?: 'this' | 'other' } = {}) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.address) headers['x-forwarded-for'] = opts.address;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const base = opts.server === 'other' ? other.baseUrl : h.baseUrl;
    const res = await fetch(`${base}${urlPath}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, retryAfter: res.headers.get('retry-after') };
  }

  const login = (address: string, body: { platform?: string; corpId: string; code: string }, server?: 'this' | 'other') =>
    call('POST', '/api/v1/auth/login', { address, body: { platform: 'dingtalk', ...body }, server });
  const guess = (address: string, i: number, server?: 'this' | 'other') => login(address, { corpId: 'dingdemo', code: `guess-${i}` }, server);

  async function mint(userId: string, corpId = 'dingdemo', vendor = 'dingtalk'): Promise<string> {
    const res = await h.control(vendor as 'dingtalk', 'POST', 'login-code', { corpId, userId });
    expect(res.status).toBe(200);
    return res.body.code as string;
  }

  const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

  it('refuses guessed login codes from one address after 30 failures, with when to retry, and stops asking the platform', async () => {
    const platformCalls = jest.spyOn(h.deps.platforms, 'adapterFor');
    const answers = [];
    for (let i = 0; i < 300; i++) answers.push(await guess('198.51.100.1', i));
    const asked = platformCalls.mock.calls.length;
    platformCalls.mockRestore();

    expect(answers.slice(0, 30).map((a) => a.status)).toEqual(new Array(30).fill(401));
    expect(tally(answers.slice(30).map((a) => a.status))).toEqual({ 429: 270 });
    // The clock stands still in the test: the whole window is left.
    expect(answers[30]!.body).toEqual({ error: { code: 'rate_limited', message: '操作太频繁，请 600 秒后再试。', retryAfterSeconds: 600 } });
    expect(answers[30]!.retryAfter).toBe('600');
    expect(asked).toBe(30);

    // Even a good code waits out the window at that address; elsewhere it logs in.
    const code = await mint('rep01');
    expect((await login('198.51.100.1', { corpId: 'dingdemo', code })).status).toBe(429);
    expect((await login('198.51.100.2', { corpId: 'dingdemo', code })).status).toBe(200);

    h.clock.advance(4 * 60_000);
    const later = await guess('198.51.100.1', 300);
    expect(later.status).toBe(429);
    expect(later.body.error.retryAfterSeconds).toBe(360);
    h.clock.advance(6 * 60_000);
    expect((await guess('198.51.100.1', 301)).status).toBe(401);
  });

  it('counts guesses at unknown corps against the address as well', async () => {
    for (let i = 0; i < 30; i++) expect((await login('198.51.100.10', { corpId: `nobody-${i}`, code: 'x' })).status).toBe(401);
    expect((await login('198.51.100.10', { corpId: 'dingdemo', code: await mint('rep01') })).status).toBe(429);
  });

  it('never limits successful logins: an office of 200 behind one NAT address at 9:00, a few expired codes among them', async () => {
    for (let i = 0; i < 20; i++) expect((await guess('198.51.100.20', i)).status).toBe(401);
    const codes = await Promise.all(Array.from({ length: 200 }, (_, i) => mint(`rep${String((i % 9) + 1).padStart(2, '0')}`)));
    const statuses: number[] = [];
    // Ten at a time: people arriving, not one script.
    for (let i = 0; i < codes.length; i += 10) {
      statuses.push(...(await Promise.all(codes.slice(i, i + 10).map((code) => login('198.51.100.20', { corpId: 'dingdemo', code })))).map((a) => a.status));
    }
    expect(tally(statuses)).toEqual({ 200: 200 });
    // Only the 20 failures count: 10 more are allowed, then the address waits.
    for (let i = 20; i < 30; i++) expect((await guess('198.51.100.20', i)).status).toBe(401);
    expect((await guess('198.51.100.20', 30)).status).toBe(429);
  });

  it('does not count a 403 for a departed user: the platform vouched for the code, it was not a guess', async () => {
    // Still in the platform's directory, no longer active here.
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep12').execute();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await login('198.51.100.60', { corpId: 'dingdemo', code: await mint('rep12') })).status);
    expect(tally(statuses)).toEqual({ 403: 35 });
  });

  it('limits failed logins per corp across addresses (200 per 10 minutes), leaving other corps alone', async () => {
    for (let a = 0; a < 10; a++) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`203.0.113.${a}`, { platform: 'wecom', corpId: 'wwdemo', code: `g-${a}-${i}` })));
      expect(tally(answers.map((r) => r.status))).toEqual({ 401: 20 });
    }
    const blocked = await login('203.0.113.50', { platform: 'wecom', corpId: 'wwdemo', code: await mint('rep01', 'wwdemo', 'wecom') });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect((await login('203.0.113.50', { corpId: 'dingdemo', code: 'nope' })).status).toBe(401);
    h.clock.advance(TEN_MINUTES * 1000);
    expect((await login('203.0.113.50', { platform: 'wecom', corpId: 'wwdemo', code: await mint('rep01', 'wwdemo', 'wecom') })).status).toBe(200);
  });

  it('believes only the address our proxy appended, not what the client put before it', async () => {
    for (let i = 0; i < 30; i++) expect((await guess(`10.${i}.0.1, 198.51.100.30`, i)).status).toBe(401);
    expect((await guess('10.99.0.1, 198.51.100.30', 30)).status).toBe(429);
  });

  it('counts failed logins on two server processes against one budget', async () => {
    for (let i = 0; i < 30; i++) expect((await guess('198.51.100.40', i, i % 2 ? 'other' : 'this')).status).toBe(401);
    expect((await guess('198.51.100.40', 30, 'this')).status).toBe(429);
    expect((await guess('198.51.100.40', 31, 'other')).status).toBe(429);
  });

  it('lets a rep tap 领取 ten times at once, and stops a script at 120 claims a minute', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'tapper', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [customer] = await poolCustomerIds(h.db, T, east, 1);
    const claim = () => call('POST', `/api/v1/customers/${customer}/claim`, { token, body: {} });

    const taps = await Promise.all(Array.from({ length: 10 }, claim));
    expect(taps.filter((a) => a.status === 200)).toHaveLength(1);
    expect(taps.filter((a) => a.status === 429)).toHaveLength(0);

    const script: Awaited<ReturnType<typeof claim>>[] = [];
    for (let i = 0; i < 29; i++) script.push(...(await Promise.all(Array.from({ length: 10 }, claim))));
    const refused = script.filter((a) => a.status === 429);
    expect(script.length - refused.length).toBe(RATE_LIMITS.claimsPerUser.points - 10);
    expect(refused).toHaveLength(300 - RATE_LIMITS.claimsPerUser.points);
    expect(refused[0]!.body).toEqual({ error: { code: 'rate_limited', message: '操作太频繁，请 60 秒后再试。', retryAfterSeconds: 60 } });

    // Another rep is not held up.
    const other = await h.tokenFor(T, 'rep03');
    const [free] = await poolCustomerIds(h.db, T, east, 1);
    expect((await call('POST', `/api/v1/customers/${free}/claim`, { token: other, body: {} })).status).toBe(200);
  });

  it('counts claims on two server processes against one budget, and a refused claim is not replayed to its retry', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'twoproc', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const [customer] = await poolCustomerIds(h.db, T, east, 1);
    const claim = (server: 'this' | 'other', headers?: Record<string, string>) => call('POST', `/api/v1/customers/${customer}/claim`, { token, body: {}, server, headers });
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.claimsPerUser.points; i++) statuses.push((await claim(i % 2 ? 'other' : 'this')).status);
    expect(tally(statuses)).toEqual({ 200: 1, 409: RATE_LIMITS.claimsPerUser.points - 1 });

    // Each process has seen 60 claims; the 121st is refused wherever it lands.
    const refused = await claim('other', { 'Idempotency-Key': 'retry-me' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.retryAfterSeconds).toBe(60);

    // A minute later the phone retries with the same key: the claim runs (409: the rep owns it) instead of the stored 429.
    h.clock.advance(61_000);
    const retried = await claim('this', { 'Idempotency-Key': 'retry-me' });
    expect(retried.status).toBe(409);
    expect(retried.body.error.code).toBe('already_owned');
  });

  it('limits check-in nonces to 30 a minute per rep; once refused, the rep is refused from memory without a write', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'noncer', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await call('POST', '/api/v1/visits/nonce', { token, body: {} }));
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 30, 429: 10 });
    expect(answers[30]!.retryAfter).toBe('60');
    const stored = await h.db.selectFrom('visit_nonces').select(h.db.fn.countAll<number>().as('n')).where('user_id', '=', rep!).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(30);
    const counter = await h.db.selectFrom('rate_limits').select('points').where('limit_key', '=', `nonce:${T}:${rep}`).executeTakeFirstOrThrow();
    expect(counter.points).toBe(31);
  });

  it('limits photo uploads to 30 a minute per rep, refused before the upload is read', async () => {
    const [rep] = await addReps(h.db, T, 1, { prefix: 'uploader', now: h.clock.now() });
    const token = await h.tokenFor(T, rep!);
    const upload = () =>
      call('POST', '/api/v1/visits/999999/photos', { token, headers: { 'content-type': 'multipart/form-data; boundary=zz' } });
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await upload()).status);
    expect(tally(statuses)).toEqual({ 404: 30, 429: 5 });
  });
});

describe.each(dialects)('the rate-limit counters on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect, { seed: false });
  });
  afterAll(() => h.close());

  it('drops the counters whose window has ended, every ten minutes', async () => {
    const now = h.clock.now();
    await h.db
      .insertInto('rate_limits')
      .values([
        { limit_key: 'claim:t:ended', points: 120, expires_at: now - 1 },
        { limit_key: 'login-ip:203.0.113.9', points: 3, expires_at: now + 60_000 },
      ])
      .execute();
    await rateLimitsPruneJob.run({ deps: h.deps, now });
    const left = await h.db.selectFrom('rate_limits').select(['limit_key', 'points']).orderBy('limit_key').execute();
    expect(left).toEqual([{ limit_key: 'login-ip:203.0.113.9', points: 3 }]);
    expect(rateLimitsPruneJob.schedule).toBe('*/10 * * * *');
  });
});

describe('the client address a limit counts', () => {
  it('is an IPv4 address as given, also when IPv4-mapped, and an IPv6 address by its /64', () => {
    expect(clientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001::')).toBe('2001:db8:1:0::/64');
    expect(clientAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddress('')).toBe('unknown');
    expect(clientAddress('not-an-address')).toBe('not-an-address');
  });
});
