import { signToken } from '../../../../server/src/modules/auth/jwt';
import { startHarness, type Harness } from '../../../../server/test/harness';
import { createApi } from '../api';
import type { LoginResult } from '../api-types';
import { ApiError, NetworkError } from '../errors';
import { ApiClient } from '../request';
import { taroTransport } from '../taro-transport';

/** What Taro.request does on DingTalk: Taro's alipay runtime calls dd.httpRequest and rejects with its `fail` payload. */
type TaroRequest = (o: { url: string; method?: string; header?: Record<string, string>; data?: string }) => Promise<{ statusCode: number; data: string }>;

/** Set per test: how the platform answers. */
let platform: TaroRequest;

jest.mock('@tarojs/taro', () => ({
  __esModule: true,
  default: { request: (o: Parameters<TaroRequest>[0]) => platform(o) },
}));

/**
 * dd.httpRequest as DingTalk documents it, over real HTTP: GET and POST only (error 2 otherwise), a 2xx through
 * `success` as `{ status, data, headers }` (which Taro renames to `statusCode`/`header`), and a non-2xx through `fail`
 * as error 19 「HTTP错误」 carrying `status`, `data` and `headers`; no answer at all is error 12 「网络出错」.
 */
const ddHttpRequest =
  (reachable = () => true): TaroRequest =>
  async ({ url, method = 'GET', header = {}, data }) => {
    if (method !== 'GET' && method !== 'POST') throw { error: 2, errorMessage: `参数错误：method 只支持 GET、POST，收到 ${method}` };
    if (!reachable()) throw { error: 12, errorMessage: '网络出错' };
    const res = await fetch(url, { method, headers: header, body: method === 'POST' ? data : undefined });
    const text = await res.text();
    const headers = Object.fromEntries(res.headers.entries());
    if (res.status < 200 || res.status >= 300) throw { error: 19, errorMessage: 'HTTP错误', status: res.status, data: text, headers };
    return { statusCode: res.status, data: text, header: headers };
  };

describe("the Taro transport over DingTalk's dd.httpRequest (non-2xx answers arrive through fail)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h.close());

  async function sessionFor(userId: string, token?: string): Promise<LoginResult> {
    const t = token ?? (await h.tokenFor('demo-dingtalk', userId));
    return { token: t, user: { id: userId, name: userId, roles: ['rep'], departmentIds: [] }, tenant: { id: 'demo-dingtalk', name: '', platform: 'dingtalk' } } as unknown as LoginResult;
  }

  async function apiFor(userId: string, opts: { token?: string; logins?: string[] } = {}) {
    let session: LoginResult | null = await sessionFor(userId, opts.token);
    const client = new ApiClient({
      origin: h.baseUrl,
      transport: taroTransport,
      store: { load: () => session, save: (s) => void (session = s) },
      loginCode: async () => {
        const res = await h.control('dingtalk', 'POST', 'login-code', { corpId: 'dingdemo', userId });
        opts.logins?.push(res.body.code);
        return { platform: 'dingtalk', corpId: 'dingdemo', code: res.body.code as string, channel: 'miniprogram' };
      },
      upload: async () => {
        throw new Error('not used');
      },
      sleep: async () => undefined,
    });
    return createApi(client);
  }

  it("shows the server's Chinese refusal of a claim (409), not the network message", async () => {
    platform = ddHttpRequest();
    const [rep01, rep02] = await Promise.all([apiFor('rep01'), apiFor('rep02')]);
    const { items } = await rep01.pool.nearby({ lat: 31.2304, lng: 121.4737, radius: 1000 });
    const target = items[3]!;
    await rep01.customers.claim(target.id);
    const refused = await rep02.customers.claim(target.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: 'already_owned', message: '手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。' });
  });

  it('keeps a 400 validation answer with its issues, and a 404 with its message', async () => {
    platform = ddHttpRequest();
    const api = await apiFor('rep03');
    const bad = await api.pool.nearby({ lat: 200, lng: 121 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((bad as ApiError).details.issues).toEqual([expect.objectContaining({ path: 'lat' })]);
    const missing = await api.customers.profile(99_999_999).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect((missing as ApiError).message).toMatch(/客户/);
  });

  it('logs in again when a 401 arrives through fail, then the call succeeds', async () => {
    platform = ddHttpRequest();
    const expired = signToken({ sub: 'rep04', tid: 'demo-dingtalk', roles: ['rep'], tz: 'Asia/Shanghai' }, h.deps.config.jwt.secret, 60, h.clock.now() - 600_000);
    const logins: string[] = [];
    const api = await apiFor('rep04', { token: expired, logins });
    const { items } = await api.customers.mine();
    expect(items.length).toBeGreaterThan(0);
    expect(logins).toHaveLength(1);
  });

  it('still reports a failure without an answer as the network message', async () => {
    let up = false;
    platform = ddHttpRequest(() => up);
    const api = await apiFor('rep05');
    const err = await api.customers.mine().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toBe('网络连接失败，请检查网络后重试');
    up = true;
    expect((await api.customers.mine()).items.length).toBeGreaterThan(0);
  });

  it('sends a deal status change as POST with the override, which dd.httpRequest accepts', async () => {
    platform = ddHttpRequest();
    const api = await apiFor('rep06');
    const { customer } = await api.customers.create({ name: '钉钉改方法测试', address: '上海市黄浦区人民大道 200 号', lat: 31.2304, lng: 121.4737 });
    const { deal } = (await api.customers.deal(customer.id, { title: '年框', amount: 100 })) as { deal: { id: number } };
    const won = await api.customers.setDealStatus(customer.id, deal.id, 'won');
    expect(won.deal).toMatchObject({ id: deal.id, status: 'won' });
    // A closed deal cannot be reopened: the 422 arrives through fail and keeps the server's message.
    const reopened = await api.customers.setDealStatus(customer.id, deal.id, 'lost').catch((e: unknown) => e);
    expect(reopened).toMatchObject({ status: 422, code: 'deal_closed' });
    expect((reopened as ApiError).message).toMatch(/^该商机已于 .+ 关闭，不能再修改状态；请新建一个商机。$/);
  });
});
