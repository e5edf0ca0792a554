import { request as httpRequest } from 'node:http';
import { z } from 'zod';
import { dialects } from '../../../test/databases';
import { startHarness, type Harness } from '../../../test/harness';
import { chineseIssueMessage } from '../zod-locale';
import { queryNumber } from '../validate';

const T = 'demo-dingtalk';

/** A request with any method (fetch refuses TRACE), answered as status, headers and parsed JSON. */
function rawRequest(baseUrl: string, method: string, path: string, token?: string): Promise<{ status: number; allow: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, body: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('zod messages in Chinese', () => {
  const schema = z
    .object({
      lat: z.number().min(-90).max(90),
      name: z.string().trim().min(1).max(3),
      kind: z.enum(['call', 'note']),
      force: z.boolean(),
      ids: z.array(z.number().int()).min(1).max(2),
      accuracy: z.number().positive(),
      at: z.iso.datetime({ offset: true }),
      code: z.string().regex(/^\d+$/),
    })
    .strict();

  it('says what to change for every default message', () => {
    const messages = (input: unknown) => schema.safeParse(input).error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(messages({ lat: 100, name: 'abcd', kind: 'x', force: 'yes', ids: [1, 2, 3], accuracy: 0, at: 'now', code: 'a', extra: 1 })).toEqual([
      ['lat', '数值过大，应不大于 90'],
      ['name', '太长了，最多 3 个字'],
      ['kind', "只能是 'call'、'note' 之一"],
      ['force', '应为true 或 false，收到的是文字'],
      ['ids', '太多了，最多 2 项'],
      ['accuracy', '数值过小，应大于 0'],
      ['at', '格式不对，应为带时区的 ISO 时间，例如 2026-11-17T02:00:00+08:00'],
      ['code', '格式不对，请检查后重填'],
      ['', '不支持的字段：extra，请删掉'],
    ]);
    expect(messages({ lat: -91, name: ' ', ids: [1.5], accuracy: Infinity })).toEqual([
      ['lat', '数值过小，应不小于 -90'],
      ['name', '不能为空，请填写'],
      ['kind', "缺少此项，请填写 'call'、'note' 之一"],
      ['force', '缺少此项，请填写'],
      ['ids.0', '必须是整数'],
      ['accuracy', '必须是有限的数字'],
      ['at', '缺少此项，请填写'],
      ['code', '缺少此项，请填写'],
    ]);
    expect(messages([])).toEqual([['', '应为对象（{…}），收到的是数组']]);
  });

  it('has no English left in any default message', () => {
    const issues: z.core.$ZodRawIssue[] = [
      { code: 'invalid_type', expected: 'string', input: 1, path: [] },
      { code: 'too_big', origin: 'number', maximum: 5, inclusive: true, input: 6, path: [] },
      { code: 'too_small', origin: 'array', minimum: 2, inclusive: true, input: [], path: [] },
      { code: 'invalid_format', format: 'email', input: 'x', path: [] },
      { code: 'not_multiple_of', divisor: 5, input: 3, path: [] },
      { code: 'invalid_key', origin: 'record', issues: [], input: {}, path: [] },
      { code: 'invalid_element', origin: 'map', key: 'k', issues: [], input: {}, path: [] },
      { code: 'invalid_union', errors: [], input: 1, path: [] },
      { code: 'custom', input: 1, path: [] },
    ] as z.core.$ZodRawIssue[];
    for (const issue of issues) {
      const message = chineseIssueMessage(issue);
      // Only values may be Latin (5, 'call'); no English words.
      expect({ code: issue.code, message, english: /[A-Za-z]{3,}/.test(message.replace(/'[^']*'/g, '')) }).toEqual({ code: issue.code, message, english: false });
    }
  });

  it('reads a query number: empty is absent, only decimals count, a repeat is refused', () => {
    const q = z.object({ lat: queryNumber(z.number().min(-90).max(90)), limit: queryNumber(z.number().int().min(1).default(50)) });
    expect(q.parse({ lat: ' 31.5 ', limit: '' })).toEqual({ lat: 31.5, limit: 50 });
    expect(q.parse({ lat: '-1e1' })).toEqual({ lat: -10, limit: 50 });
    const issues = (input: unknown) => q.safeParse(input).error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ lat: '' })).toEqual(['lat: 缺少此项，请填写']);
    expect(issues({ lat: '0x10' })).toEqual(['lat: 应为数字，收到的是文字']);
    expect(issues({ lat: ['1', '2'] })).toEqual(['lat: 只能填写一次，请去掉重复的参数']);
    expect(issues({ lat: '1', limit: '2.5' })).toEqual(['limit: 必须是整数']);
  });
});

describe.each(dialects)('messages a client sees on %s', (dialect) => {
  let h: Harness;
  let rep: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    rep = await h.tokenFor(T, 'rep01');
  });
  afterAll(() => h.close());

  it('refuses a nearby search with empty coordinates instead of searching at (0, 0)', async () => {
    const res = await h.request('GET', '/api/v1/pool/nearby?lat=&lng=', { token: rep });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'invalid_request',
        message: '请求参数不正确：纬度(lat)：缺少此项，请填写；经度(lng)：缺少此项，请填写',
        issues: [
          { path: 'lat', message: '缺少此项，请填写' },
          { path: 'lng', message: '缺少此项，请填写' },
        ],
      },
    });
    // Empty optional numbers take their defaults; a real search still works.
    const ok = await h.request('GET', '/api/v1/pool/nearby?lat=31.23&lng=121.47&radius=&limit=', { token: rep });
    expect(ok.status).toBe(200);
    expect(Array.isArray(ok.body.items)).toBe(true);
  });

  it('names the field and the limit in Chinese', async () => {
    const cases: [string, string][] = [
      ['/api/v1/pool/nearby?lat=100&lng=0', '请求参数不正确：纬度(lat)：数值过大，应不大于 90'],
      ['/api/v1/pool/nearby?lat=1&lat=2&lng=0', '请求参数不正确：纬度(lat)：只能填写一次，请去掉重复的参数'],
      ['/api/v1/pool/nearby?lat=0x10&lng=0', '请求参数不正确：纬度(lat)：应为数字，收到的是文字'],
      ['/api/v1/pool/customers?limit=201', '请求参数不正确：条数(limit)：数值过大，应不大于 200'],
      ['/api/v1/me/visits?verdict=ok', "请求参数不正确：核验结果(verdict)：只能是 'verified'、'suspect'、'rejected' 之一"],
    ];
    for (const [path, message] of cases) {
      const res = await h.request('GET', path, { token: rep });
      expect({ path, status: res.status, message: res.body.error.message }).toEqual({ path, status: 400, message });
    }
    // A schema's own message that already names its key is not prefixed twice; one that does not gets the field's name.
    const hr = await h.tokenFor(T, 'hr01');
    const own = await h.request('GET', '/api/v1/org/users?limit=0&q=', { token: hr });
    expect(own.body.error.message).toBe('请求参数不正确：limit 至少为 1');
    const cursor = await h.request('GET', '/api/v1/pool/customers?cursor=x', { token: rep });
    expect(cursor.body.error.message).toBe('请求参数不正确：翻页位置(cursor)：必须是上一页返回的 nextCursor');
    const body = await h.request('POST', '/api/v1/customers', { token: rep, body: { name: '', address: 'x', lat: 'a', lng: 200 } });
    expect(body.status).toBe(400);
    expect(body.body.error.message).toBe('请求参数不正确：名称(name)：请填写客户名称；纬度(lat)：应为数字，收到的是文字；经度(lng)：数值过大，应不大于 180');
  });

  it('answers a wrong method with a JSON 405 that names the methods to use', async () => {
    const put = await rawRequest(h.baseUrl, 'PUT', '/api/v1/pool/nearby', rep);
    expect(put).toEqual({ status: 405, allow: 'HEAD, GET', body: { error: { code: 'method_not_allowed', message: '此接口不支持 PUT 请求，请使用 GET。' } } });
    const del = await rawRequest(h.baseUrl, 'DELETE', '/api/v1/customers/1/claim', rep);
    expect(del).toEqual({ status: 405, allow: 'POST', body: { error: { code: 'method_not_allowed', message: '此接口不支持 DELETE 请求，请使用 POST。' } } });
    const health = await rawRequest(h.baseUrl, 'POST', '/healthz');
    expect(health.status).toBe(405);
    expect(health.body.error.message).toBe('此接口不支持 POST 请求，请使用 GET。');
    const callback = await rawRequest(h.baseUrl, 'DELETE', '/callbacks/wecom/demo-wecom');
    expect(callback.body).toEqual({ error: { code: 'method_not_allowed', message: '此接口不支持 DELETE 请求，请使用 GET 或 POST。' } });
    // A method no route takes was a bare 501: the client's mistake, so a 405 as well.
    const trace = await rawRequest(h.baseUrl, 'PROPFIND', '/api/v1/pool/nearby', rep);
    expect(trace).toEqual({ status: 405, allow: 'HEAD, GET', body: { error: { code: 'method_not_allowed', message: '此接口不支持 PROPFIND 请求，请使用 GET。' } } });
    // A path no route has stays a 404 whatever the method.
    const none = await rawRequest(h.baseUrl, 'PROPFIND', '/api/v1/no-such-thing', rep);
    expect(none).toEqual({ status: 404, allow: undefined, body: { error: { code: 'not_found', message: '没有这个接口：PROPFIND /api/v1/no-such-thing' } } });
  });
});
