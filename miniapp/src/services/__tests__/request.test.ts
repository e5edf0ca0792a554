import { signToken } from '../../../../server/src/modules/auth/jwt';
import { startHarness, type Harness } from '../../../../server/test/harness';
import { ddPlatform } from '../../platform/dd';
import type { LoginCode } from '../../platform/platform';
import { createApi } from '../api';
import type { LoginResult } from '../api-types';
import { ApiError, NetworkError, messageFor } from '../errors';
import { ApiClient, type HttpRequest, type HttpTransport, type SessionStore } from '../request';

/** The Node stand-in for Taro.request: real HTTP through fetch, with the same "no answer → NetworkError" rule. */
const fetchTransport: HttpTransport = async ({ method, url, headers, body }) => {
  try {
    const res = await fetch(url, { method, headers, body });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    throw new NetworkError(err);
  }
};

const memoryStore = (initial: LoginResult | null = null): SessionStore & { saved: (LoginResult | null)[] } => {
  let value = initial;
  const saved: (LoginResult | null)[] = [];
  return {
    saved,
    load: () => value,
    save: (s) => {
      value = s;
      saved.push(s);
    },
  };
};

const PEOPLES_SQUARE = { lat: 31.2304, lng: 121.4737 };

describe('the request layer against the real server', () => {
  let h: Harness;
  /** Login codes minted by the DingTalk sandbox, as dd.getAuthCode would hand them out. */
  let sandboxCodes: string[];

  /** The dd platform file with its vendor API answered by the real DingTalk sandbox. */
  function ddLoginFor(userId: string): () => Promise<LoginCode> {
    const g = globalThis as Record<string, unknown>;
    return async () => {
      const res = await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/login-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corpId: 'dingdemo', userId }),
      });
      const { code } = (await res.json()) as { code: string };
      sandboxCodes.push(code);
      g.dd = { getAuthCode: ({ success }: { success: (r: unknown) => void }) => success({ authCode: code }), getLaunchOptionsSync: () => ({ query: { corpId: 'dingdemo' } }) };
      return ddPlatform.loginCode();
    };
  }

  function clientFor(userId: string, opts: { transport?: HttpTransport; store?: SessionStore; keys?: string[] } = {}) {
    let n = 0;
    const client = new ApiClient({
      origin: h.baseUrl,
      transport: opts.transport ?? fetchTransport,
      store: opts.store ?? memoryStore(),
      loginCode: ddLoginFor(userId),
      upload: async () => {
        throw new Error('not used');
      },
      sleep: async () => undefined,
      newKey: () => opts.keys?.[n++] ?? `key-${userId}-${n++}-${Math.random()}`,
    });
    return { client, api: createApi(client) };
  }

  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => {
    delete (globalThis as Record<string, unknown>).dd;
    await h.close();
  });
  beforeEach(() => {
    sandboxCodes = [];
  });

  it('logs in through the platform seam on first use and sends the JWT', async () => {
    const store = memoryStore();
    const { api } = clientFor('rep01', { store });
    const { items } = await api.pool.nearby({ ...PEOPLES_SQUARE, radius: 1000 });
    expect(items.length).toBeGreaterThanOrEqual(50);
    expect(items[0]!.distanceM).toBeLessThanOrEqual(items[1]!.distanceM);
    expect(sandboxCodes).toHaveLength(1);
    expect(store.saved).toHaveLength(1);
    expect(store.saved[0]!.user).toEqual({ id: 'rep01', name: '张伟', roles: ['rep'], departmentIds: ['21'] });
    expect(store.saved[0]!.tenant).toEqual({ id: 'demo-dingtalk', name: expect.any(String), platform: 'dingtalk' });
  });

  it('logs in again silently when the token has expired, then retries the call once', async () => {
    const fresh = memoryStore();
    await clientFor('rep03', { store: fresh }).client.ensureSession();
    const session = fresh.load()!;
    // A token issued two hours ago with a one-hour life: the server answers 401.
    const expired = signToken({ sub: 'rep03', tid: 'demo-dingtalk', roles: ['rep'], tz: 'Asia/Shanghai' }, h.deps.config.jwt.secret, 3600, h.clock.now() - 7_200_000);
    const store = memoryStore({ ...session, token: expired });
    const seen: { path: string; status: number; auth: string }[] = [];
    const transport: HttpTransport = async (req) => {
      const res = await fetchTransport(req);
      seen.push({ path: new URL(req.url).pathname, status: res.status, auth: req.headers.authorization ?? '' });
      return res;
    };
    sandboxCodes = [];
    const { api } = clientFor('rep03', { store, transport });
    const { items } = await api.customers.mine();
    expect(Array.isArray(items)).toBe(true);
    expect(seen.map(({ path, status }) => [path, status])).toEqual([
      ['/api/v1/me/customers', 401],
      ['/api/v1/auth/login', 200],
      ['/api/v1/me/customers', 200],
    ]);
    expect(seen[0]!.auth).toBe(`Bearer ${expired}`);
    expect(seen[2]!.auth).toBe(`Bearer ${store.load()!.token}`);
    expect(store.load()!.token).not.toBe(expired);
    expect(sandboxCodes).toHaveLength(1);
  });

  it('shares one silent re-login among parallel calls that all got 401', async () => {
    const expired = signToken({ sub: 'rep04', tid: 'demo-dingtalk', roles: ['rep'], tz: 'Asia/Shanghai' }, h.deps.config.jwt.secret, 60, h.clock.now() - 600_000);
    const base = memoryStore();
    await clientFor('rep04', { store: base }).client.ensureSession();
    sandboxCodes = [];
    const { api } = clientFor('rep04', { store: memoryStore({ ...base.load()!, token: expired }) });
    const answers = await Promise.all([api.customers.mine(), api.customers.mine(), api.pool.pools()]);
    expect(answers).toHaveLength(3);
    expect(sandboxCodes).toHaveLength(1);
  });

  it("shows the server's own Chinese message and code for a refused claim", async () => {
    const rep01 = clientFor('rep01').api;
    const rep02 = clientFor('rep02').api;
    const { items } = await rep01.pool.nearby({ ...PEOPLES_SQUARE, radius: 1000 });
    const target = items[5]!;
    const { customer } = await rep01.customers.claim(target.id);
    expect(customer).toMatchObject({ id: target.id, status: 'owned', ownerId: 'rep01' });
    const refused = await rep02.customers.claim(target.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: 'already_owned', message: '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。' });
    const mine = await rep01.customers.claim(target.id).catch((e: unknown) => e);
    expect(mine).toMatchObject({ status: 409, code: 'already_owned', message: '该客户已经是你的了，无需重复领取。' });
  });

  it('keeps the server\'s extra fields (the validation issues) on the error', async () => {
    const { api } = clientFor('rep05');
    const missing = await api.customers.profile(99_999_999).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect((missing as ApiError).message).toMatch(/客户/);
    const bad = await api.pool.nearby({ lat: 200, lng: 121 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((bad as ApiError).details.issues).toEqual([expect.objectContaining({ path: 'lat' })]);
  });

  it('falls back to the code table, then to the status, when an answer carries no message', () => {
    expect(messageFor(409, 'already_owned', undefined)).toBe('已被他人领取，看看附近的其他客户吧');
    expect(messageFor(422, 'too_far', '')).toBe('距离客户太远，请走近后再领取');
    expect(messageFor(401, 'whatever', undefined)).toBe('登录已过期，请重新登录');
    expect(messageFor(502, undefined, undefined)).toBe('服务器开小差了，请稍后重试');
    expect(messageFor(418, undefined, undefined)).toBe('请求失败（418），请稍后重试');
    expect(new NetworkError().message).toBe('网络连接失败，请检查网络后重试');
  });

  it('retries a claim whose answer was lost with the same idempotency key, and it is claimed once', async () => {
    const attempts: HttpRequest[] = [];
    let dropNext = true;
    const transport: HttpTransport = async (req) => {
      if (new URL(req.url).pathname.endsWith('/claim')) {
        attempts.push(req);
        if (dropNext) {
          dropNext = false;
          // The server gets and commits the claim; the phone never hears back.
          await fetchTransport(req);
          throw new NetworkError(new Error('socket hang up'));
        }
      }
      return fetchTransport(req);
    };
    const { api } = clientFor('rep06', { transport });
    const { items } = await api.pool.nearby({ ...PEOPLES_SQUARE, radius: 1000 });
    const target = items[9]!;
    const { customer } = await api.customers.claim(target.id);
    expect(customer).toMatchObject({ id: target.id, ownerId: 'rep06', status: 'owned' });
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers['idempotency-key']).toMatch(/^key-rep06-/);
    expect(attempts[1]!.headers['idempotency-key']).toBe(attempts[0]!.headers['idempotency-key']);
    const claims = await h.db
      .selectFrom('ownership_events')
      .select(['to_user_id'])
      .where('tenant_id', '=', 'demo-dingtalk')
      .where('customer_id', '=', target.id)
      .where('type', '=', 'claimed')
      .execute();
    expect(claims).toEqual([{ to_user_id: 'rep06' }]);
  });

  describe('on a platform whose request API takes GET and POST alone (dd.httpRequest; wx.request has no PATCH)', () => {
    /** Refuses every other method before the network, as the platforms do, and records what reached it. */
    function getPostOnly() {
      const sent: HttpRequest[] = [];
      const transport: HttpTransport = async (req) => {
        sent.push(req);
        if (req.method !== 'GET' && req.method !== 'POST') throw new NetworkError(new Error(`method ${req.method} not supported`));
        return fetchTransport(req);
      };
      return { sent, transport };
    }

    it('wins a deal: the PATCH goes as a POST with X-HTTP-Method-Override and an idempotency key', async () => {
      const { sent, transport } = getPostOnly();
      const { api } = clientFor('rep08', { transport });
      const { customer } = await api.customers.create({ name: '改方法客户端测试', address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737 });
      const { deal } = (await api.customers.deal(customer.id, { title: '年框', amount: 5000 })) as { deal: { id: number } };
      const won = await api.customers.setDealStatus(customer.id, deal.id, 'won');
      expect(won.deal).toMatchObject({ id: deal.id, status: 'won', closedAt: new Date(h.clock.now()).toISOString() });
      expect([...new Set(sent.map((r) => r.method))].sort()).toEqual(['POST']);
      const patch = sent.find((r) => r.url.endsWith(`/deals/${deal.id}`))!;
      expect(patch.method).toBe('POST');
      expect(patch.headers['x-http-method-override']).toBe('PATCH');
      expect(patch.headers['idempotency-key']).toMatch(/^key-rep08-/);
      expect(JSON.parse(patch.body!)).toEqual({ status: 'won' });
      // Plain GETs and POSTs carry no override.
      expect(sent.filter((r) => r !== patch).map((r) => r.headers['x-http-method-override'])).toEqual(sent.filter((r) => r !== patch).map(() => undefined));
      const row = await h.db.selectFrom('deals').select('status').where('id', '=', deal.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('won');
    });

    it('saves a pool and the calendar: the PUTs go as POSTs with the override', async () => {
      const { sent, transport } = getPostOnly();
      const { api } = clientFor('admin01', { transport });
      const pool = (await api.admin.pools()).items.find((p) => p.name === '华南公海')!;
      const saved = await api.admin.updatePool(pool.id, { ...pool, dailyClaimLimit: pool.dailyClaimLimit + 1 });
      expect(saved.pool).toEqual({ ...pool, dailyClaimLimit: pool.dailyClaimLimit + 1 });
      await api.admin.updatePool(pool.id, pool);
      const cal = await api.admin.setCalendar({ year: 2027, days: [{ day: '2027-01-01', kind: 'holiday', note: '元旦' }] });
      expect(cal).toEqual({ year: 2027, days: [{ day: '2027-01-01', kind: 'holiday', note: '元旦' }] });
      expect((await api.admin.calendar(2027)).days).toEqual(cal.days);
      expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.headers['x-http-method-override'] ?? '-'}`)).toEqual([
        'POST /api/v1/auth/login -',
        'GET /api/v1/admin/pools -',
        `POST /api/v1/admin/pools/${pool.id} PUT`,
        `POST /api/v1/admin/pools/${pool.id} PUT`,
        'POST /api/v1/admin/calendar PUT',
        'GET /api/v1/admin/calendar -',
      ]);
    });

    it('retries an overridden PATCH whose answer was lost with the same key, and the server answers it once', async () => {
      const base = getPostOnly();
      let dropNext = false;
      const attempts: HttpRequest[] = [];
      const transport: HttpTransport = async (req) => {
        if (!dropNext) return base.transport(req);
        attempts.push(req);
        if (attempts.length === 1) {
          // The server wins the deal; the phone never hears back and retries a minute later.
          await base.transport(req);
          h.clock.advance(60_000);
          throw new NetworkError(new Error('socket hang up'));
        }
        return base.transport(req);
      };
      const { api } = clientFor('rep08', { transport });
      const { customer } = await api.customers.create({ name: '改方法重试测试', address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737 });
      const { deal } = (await api.customers.deal(customer.id, { title: '首单', amount: 800 })) as { deal: { id: number } };
      const closedAt = h.clock.now();
      dropNext = true;
      // Run a second time, winning would move the closing time to the retry's; replayed, it keeps the first.
      const won = await api.customers.setDealStatus(customer.id, deal.id, 'won');
      expect(attempts).toHaveLength(2);
      expect(attempts.map((r) => [r.method, r.headers['x-http-method-override']])).toEqual([['POST', 'PATCH'], ['POST', 'PATCH']]);
      expect(attempts[1]!.headers['idempotency-key']).toBe(attempts[0]!.headers['idempotency-key']);
      expect(won.deal).toMatchObject({ status: 'won', closedAt: new Date(closedAt).toISOString() });
      const row = await h.db.selectFrom('deals').select(['status', 'closed_at']).where('id', '=', deal.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'won', closed_at: closedAt });
    });
  });

  it('gives up after the retries with the Chinese network message', async () => {
    let calls = 0;
    const { client } = clientFor('rep07', {
      transport: async (req) => {
        if (new URL(req.url).pathname === '/api/v1/auth/login') return fetchTransport(req);
        calls += 1;
        throw new NetworkError(new Error('offline'));
      },
    });
    await expect(client.request('GET', '/api/v1/me/customers')).rejects.toThrow('网络连接失败，请检查网络后重试');
    expect(calls).toBe(3);
  });
});
