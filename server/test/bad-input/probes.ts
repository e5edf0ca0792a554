import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type { Field, RouteSpec } from './routes';

/** One malformed request and what its answer must be. */
export interface Probe {
  /** What was malformed, for the failure list. */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** `any`: only never a 5xx (random input may happen to be valid); `4xx`: a client error is due; 405: a wrong method. */
  expect: 'any' | '4xx' | 405;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** What the generators need from the running server: tokens, real ids to put in paths, a seed. */
export interface ProbeContext {
  tokens: Record<string, string | undefined>;
  /** Values for the route placeholders (`:customerId` …). */
  ids: Record<string, string>;
  /** Tokens that must be refused: wrong secret, alg none, expired, bad zone, no expiry, garbage. */
  badTokens: [label: string, value: string][];
  /** A photo token for `ids.visitId`. */
  photoToken: string;
  /** Validly signed callbacks with unreadable contents, per platform. */
  signedCallbacks: { dingtalk: Probe[]; wecom: Probe[] };
  seed: number;
  /** How many fast-check samples per generated family (smaller on MariaDB to keep the run short). */
  samples: number;
  /** Every method the table lists for a path (GET and PUT /api/v1/admin/calendar are one path). */
  methodsByPath: Map<string, string[]>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const HUGE = 'x'.repeat(100_000);
/** Query strings travel in the request line; Node refuses a head over 16 KB before the app sees it. */
const LONG_QUERY = 'q'.repeat(6_000);
const nestedArrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** `{"a":"<ff fe>"}` and friends: bytes that are not UTF-8. */
const invalidUtf8 = [
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]),
];

/** JSON texts for a field of `kind`, all of them wrong for it (raw text, so 1e999 and -0 go through as written). */
function wrongValues(field: Field): string[] {
  const common = ['{}', '[]', 'true', '"🙂"'];
  const wrong: Record<Field['kind'], string[]> = {
    number: ['"12"', '""', '"NaN"', '1e999', '-1e999', '1e308', '-1e308', '{"$gt":0}', ...common],
    int: ['"12"', '1.5', '9007199254740993', '1e308', '-1', '-9007199254740993', '"0x10"', ...common],
    string: ['12', `"${HUGE}"`, '["a"]', '{"$ne":null}', 'false'],
    boolean: ['"true"', '1', '0', '"yes"', '[]', '{}'],
    enum: ['""', '"no-such-value"', '1', '["a"]', `"${'z'.repeat(10_000)}"`, '{}'],
    array: ['"x"', '1', '{}', 'true', `[${Array.from({ length: 5_000 }, () => '{"a":1}').join(',')}]`, '[null]', '[[[]]]'],
    object: ['"x"', '1', '[]', 'true', '{"a":{"b":{"c":{"d":[]}}}}'],
    date: ['"2026-13-45"', '""', '1', '"2026-02-30"', `"${'9'.repeat(1_000)}"`, '"yesterday"', '[]'],
  };
  return field.nullable ? wrong[field.kind] : [...wrong[field.kind], 'null'];
}

/** Query values for a field of `kind` that it must refuse ('' is absent, which only a required field refuses). */
function wrongQueryValues(field: Field): string[] {
  const byKind: Record<Field['kind'], string[]> = {
    number: ['abc', 'NaN', 'Infinity', '1e999', '0x10', '1,5', '%E4%B8%AD', '99999999999999999999999'],
    int: ['abc', '1.5', '-1', '1e999', '0x10', '99999999999999999999999', 'NaN'],
    string: [LONG_QUERY],
    boolean: ['maybe'],
    enum: ['no-such-value', LONG_QUERY],
    array: [],
    object: [],
    date: ['2026-13-45', '2026-02-30', 'yesterday', LONG_QUERY],
  };
  return field.required ? [...byKind[field.kind], ''] : byKind[field.kind];
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => ids[name] ?? '1');
}

const jsonHeaders = (token: string | undefined): Record<string, string> => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
const authHeaders = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** A property-based sample, deterministic for a seed. */
const sample = <T>(arb: fc.Arbitrary<T>, seed: number, numRuns: number): T[] => fc.sample(arb, { seed, numRuns });

function encodeQuery(entries: [string, string][]): string {
  return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The probes for one route: wrong methods, bad path ids, bad auth, then its body or query, then its own family. */
export function probesFor(route: RouteSpec, ctx: ProbeContext, routeIndex: number): Probe[] {
  const token = route.as === 'none' ? undefined : ctx.tokens[route.as];
  const path = fill(route.path, ctx.ids);
  const seed = ctx.seed + routeIndex * 7919;
  const probes: Probe[] = [];
  const add = (label: string, p: Omit<Probe, 'label'>) => probes.push({ label, ...p });

  // Wrong methods: a JSON 405 that names the method to use.
  const taken = new Set(ctx.methodsByPath.get(route.path) ?? []);
  if (taken.has('GET')) taken.add('HEAD');
  for (const method of METHODS) {
    if (taken.has(method)) continue;
    // With a login, or the API would answer 401 before it looks at the method.
    add(`wrong method ${method}`, { method, path, headers: authHeaders(token ?? ctx.tokens['rep01']), expect: 405 });
    // The same wrong method through a POST with X-HTTP-Method-Override (what the mini-programs send): the same 405.
    if (method === 'PUT' || method === 'PATCH' || method === 'DELETE') {
      add(`wrong method ${method} by override`, { method: 'POST', path, headers: { ...authHeaders(token ?? ctx.tokens['rep01']), 'x-http-method-override': method }, expect: 405 });
    }
  }
  // Overrides that are refused whatever the route: to GET, to an unknown method, on a GET.
  for (const [label, method, value] of [['override to GET', 'POST', 'GET'], ['override to FROB', 'POST', 'FROB'], ['override on GET', 'GET', 'PUT']] as const) {
    add(label, { method, path, headers: { ...authHeaders(token ?? ctx.tokens['rep01']), 'x-http-method-override': value }, expect: '4xx' });
  }

  // Path ids: huge, negative, not numbers, bad escapes.
  const placeholders = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  for (const name of placeholders) {
    const bad = ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999999', '9007199254740993', '%00', '%FF', '%E4%B8%AD', encodeURIComponent("1' or '1'='1"), 'a'.repeat(2_000)];
    for (const value of bad) {
      const withBad = fill(route.path, { ...ctx.ids, [name]: value });
      add(`path ${name}=${value.slice(0, 20)}`, { method: route.method, path: withBad, headers: jsonHeaders(token), body: route.method === 'GET' ? undefined : '{}', expect: name === 'userId' ? 'any' : '4xx' });
    }
  }

  // Logins that must be refused.
  if (token) {
    add('no token', { method: route.method, path, headers: {}, expect: '4xx' });
    for (const [label, bad] of ctx.badTokens) add(`token: ${label}`, { method: route.method, path, headers: { authorization: bad }, expect: '4xx' });
  }

  if (route.special === 'photos') probes.push(...photoProbes(path, token, ctx));
  else if (route.special === 'sheet') probes.push(...sheetProbes(path, token, ctx));
  else if (route.special === 'dingtalk-callback') probes.push(...callbackProbes('dingtalk', route, ctx, seed));
  else if (route.special === 'wecom-callback') probes.push(...callbackProbes('wecom', route, ctx, seed));
  else if (route.method === 'GET') probes.push(...queryProbes(route, path, token, ctx, seed));
  else probes.push(...bodyProbes(route, path, token, ctx, seed));
  return probes;
}

function queryProbes(route: RouteSpec, path: string, token: string | undefined, ctx: ProbeContext, seed: number): Probe[] {
  const probes: Probe[] = [];
  const fields = Object.entries(route.query ?? {});
  const base: [string, string][] = fields.filter(([, f]) => f.required).map(([k, f]) => [k, validQueryValue(k, f)]);
  const get = (label: string, entries: [string, string][], expect: Probe['expect'], rawQuery?: string) =>
    probes.push({ label, method: 'GET', path: `${path}?${rawQuery ?? encodeQuery(entries)}`, headers: authHeaders(token), expect });

  for (const [key, field] of fields) {
    const others = base.filter(([k]) => k !== key);
    for (const value of wrongQueryValues(field)) get(`query ${key}=${value.slice(0, 20)}`, [...others, [key, value]], '4xx');
    // Given twice, it arrives as an array.
    get(`query ${key} twice`, [...others, [key, validQueryValue(key, field)], [key, validQueryValue(key, field)]], field.kind === 'string' || field.kind === 'number' || field.kind === 'int' || field.kind === 'enum' || field.kind === 'date' ? '4xx' : 'any');
    if (field.required) get(`query without ${key}`, others, '4xx');
  }
  // Bracket syntax and unknown keys: the query parser must not build objects out of them.
  get('query bracket keys', [], route.strictQuery ? '4xx' : 'any', 'a[b][c]=1&__proto__[x]=1&constructor[prototype][y]=2');
  get('query bad escapes', [], 'any', '%&%%=%ZZ&=&&a=%E4');
  get('query unknown key', [...base, ['zzz', '1']], route.strictQuery ? '4xx' : 'any');
  // Random keys and values, of the route's own keys and any others.
  const keys = fields.length ? fc.constantFrom(...fields.map(([k]) => k), 'x', '') : fc.string({ maxLength: 8 });
  for (const entries of sample(fc.array(fc.tuple(keys, fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 6 }), seed, ctx.samples)) {
    get('query random', entries.map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, '')] as [string, string]), 'any');
  }
  return probes;
}

function validQueryValue(key: string, field: Field): string {
  if (key === 'lat') return '31.23';
  if (key === 'lng') return '121.47';
  if (key === 'url') return 'http://127.0.0.1/index.html';
  if (key === 'assigneeUserId') return 'rep01';
  if (field.kind === 'date') return '2026-11-20';
  return field.kind === 'number' || field.kind === 'int' ? '1' : 'a';
}

function bodyProbes(route: RouteSpec, path: string, token: string | undefined, ctx: ProbeContext, seed: number): Probe[] {
  const probes: Probe[] = [];
  const fields = Object.entries(route.body ?? {});
  const requiresBody = fields.some(([, f]) => f.required);
  const hasBody = fields.length > 0;
  const post = (label: string, body: string | Buffer | undefined, expect: Probe['expect'], headers: Record<string, string> = jsonHeaders(token)) =>
    probes.push({ label, method: route.method, path, headers, body, expect });

  post('no body', undefined, requiresBody ? '4xx' : 'any', authHeaders(token));
  post('empty JSON text', '', requiresBody ? '4xx' : 'any');
  post('{}', '{}', requiresBody ? '4xx' : 'any');
  for (const whole of ['[]', '[{}]', '"text"', '42', 'true']) post(`body ${whole}`, whole, hasBody ? '4xx' : 'any');
  post('body null', 'null', requiresBody ? '4xx' : 'any');
  for (const broken of ['{', '{"a":', '{a:1}', "{'a':1}", '{"a":1,}', '\u0000', 'NaN', '{"a":1}{"b":2}', '\ufeff{"a":tru}']) post(`syntax ${JSON.stringify(broken).slice(0, 16)}`, broken, '4xx');
  // Deep nesting, with and without an Idempotency-Key (a recursive walker overflows its stack on it).
  for (const [label, text] of [
    ['nested arrays 5000', nestedArrays(5_000)],
    ['nested objects 5000', nestedObjects(5_000)],
    ['nested arrays 100000', nestedArrays(100_000)],
  ] as const) {
    post(label, text, '4xx');
    post(`${label} + Idempotency-Key`, text, '4xx', { ...jsonHeaders(token), 'idempotency-key': `bad-input-${label.replace(/\W/g, '')}-${seed}` });
  }
  for (const [index, bytes] of invalidUtf8.entries()) post(`invalid UTF-8 #${index}`, bytes, requiresBody ? '4xx' : 'any');
  // Content types the API does not read: as if no body came.
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1']) {
    post(`content-type ${type}`, type.startsWith('application/x-www') ? 'a=1&b[c]=2' : '{"a":1}', type.includes('latin1') ? 'any' : requiresBody ? '4xx' : 'any', { ...authHeaders(token), 'content-type': type });
  }
  // Bodies that do not decompress as declared, with and without a login.
  for (const encoding of ['gzip', 'br', 'deflate', 'gzip, br', 'identity, gzip', 'compress']) {
    post(`content-encoding ${encoding}`, Buffer.from('this is not compressed at all'), '4xx', { ...jsonHeaders(token), 'content-encoding': encoding });
    post(`content-encoding ${encoding}, no login`, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]), '4xx', { 'content-type': 'application/json', 'content-encoding': encoding });
  }
  post('body over 1 MB', `{"a":"${'y'.repeat(1_100_000)}"}`, '4xx');

  // One field wrong at a time, the others left out: that field's issue is due whatever the others are.
  for (const [key, field] of fields) {
    for (const value of wrongValues(field)) post(`field ${key}=${value.slice(0, 20)}`, `{"${key}":${value}}`, '4xx');
  }
  // Random JSON: whole bodies, and objects of the route's own keys with random values.
  for (const value of sample(fc.jsonValue({ maxDepth: 4 }), seed, ctx.samples)) post('random JSON', JSON.stringify(value), 'any');
  if (hasBody) {
    const record = fc.dictionary(fc.constantFrom(...fields.map(([k]) => k)), fc.jsonValue({ maxDepth: 3 }), { maxKeys: fields.length });
    for (const value of sample(record, seed + 1, ctx.samples * 2)) post('random fields', JSON.stringify(value), 'any');
  }
  // Prototype pollution keys.
  post('__proto__ key', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', requiresBody ? '4xx' : 'any');
  return probes;
}

function photoProbes(path: string, token: string | undefined, ctx: ProbeContext): Probe[] {
  const boundary = 'zz';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const withToken = (type: string, photoToken = ctx.photoToken) => ({ ...authHeaders(token), 'content-type': type, 'x-photo-token': photoToken });
  const multipart = `multipart/form-data; boundary=${boundary}`;
  const probes: Probe[] = [];
  const add = (label: string, headers: Record<string, string>, body: string | Buffer | undefined) => probes.push({ label, method: 'POST', path, headers, body, expect: '4xx' });
  add('upload cut mid-part', withToken(multipart), `${head}abc`);
  add('upload cut in the headers', withToken(multipart), `--${boundary}\r\nContent-Disposition: form-da`);
  add('upload not an image', withToken(multipart), `${head}this is not a jpeg\r\n--${boundary}--\r\n`);
  add('upload empty file', withToken(multipart), `${head}\r\n--${boundary}--\r\n`);
  add('upload wrong field name', withToken(multipart), `--${boundary}\r\nContent-Disposition: form-data; name="other"; filename="a.jpg"\r\n\r\nabc\r\n--${boundary}--\r\n`);
  add('upload two files', withToken(multipart), `${head}abc\r\n${head}def\r\n--${boundary}--\r\n`);
  add('upload only a text field', withToken(multipart), `--${boundary}\r\nContent-Disposition: form-data; name="photo"\r\n\r\nabc\r\n--${boundary}--\r\n`);
  add('upload no boundary', withToken('multipart/form-data'), `${head}abc\r\n--${boundary}--\r\n`);
  add('upload wrong boundary', withToken('multipart/form-data; boundary=other'), `${head}abc\r\n--${boundary}--\r\n`);
  add('upload huge part header', withToken(multipart), `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="${'a'.repeat(100_000)}.jpg"\r\n\r\nabc\r\n--${boundary}--\r\n`);
  add('upload no body', withToken(multipart), undefined);
  add('upload JSON', withToken('application/json'), '{"photo":"abc"}');
  add('upload gzip garbage', { ...withToken(multipart), 'content-encoding': 'gzip' }, Buffer.from('not gzip'));
  add('upload no photo token', { ...authHeaders(token), 'content-type': multipart }, `${head}abc\r\n--${boundary}--\r\n`);
  add('upload wrong photo token', withToken(multipart, 'not-the-token'), `${head}abc\r\n--${boundary}--\r\n`);
  add('upload huge photo token', withToken(multipart, 't'.repeat(8_000)), `${head}abc\r\n--${boundary}--\r\n`);
  return probes;
}

/** The customer import's multipart form: its file, its fields, and files that are not a customer sheet. */
function sheetProbes(path: string, token: string | undefined, ctx: ProbeContext): Probe[] {
  const boundary = 'zz';
  const multipart = { ...authHeaders(token), 'content-type': `multipart/form-data; boundary=${boundary}` };
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const file = (name: string, content: string | Buffer) =>
    Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n`), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const csv = '客户名称,地址,纬度,经度\n甲,上海市,31.2,121.4\n';
  const probes: Probe[] = [];
  const add = (label: string, body: string | Buffer | undefined, headers: Record<string, string> = multipart) => probes.push({ label, method: 'POST', path, headers, body, expect: '4xx' });
  add('sheet without poolId', file('a.csv', csv));
  for (const poolId of ['abc', '0', '-1', '1.5', '999999', '']) add(`sheet poolId=${poolId}`, Buffer.concat([Buffer.from(field('poolId', poolId)), file('a.csv', csv)]));
  add('sheet dryRun=maybe', Buffer.concat([Buffer.from(field('poolId', ctx.ids.poolId!) + field('dryRun', 'maybe')), file('a.csv', csv)]));
  const withPool = (name: string, content: string | Buffer) => Buffer.concat([Buffer.from(field('poolId', ctx.ids.poolId!)), file(name, content)]);
  add('sheet corrupt xlsx', withPool('a.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)])));
  add('sheet old xls', withPool('a.xls', 'not a sheet'));
  add('sheet without 客户名称', withPool('a.csv', '地址\n上海市\n'));
  add('sheet empty file', withPool('a.csv', ''));
  add('sheet wrong field name', `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.csv"\r\n\r\nabc\r\n--${boundary}--\r\n`);
  add('sheet cut mid-part', `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n客户名称`);
  add('sheet no body', undefined);
  add('sheet JSON', '{"poolId":1}', { ...authHeaders(token), 'content-type': 'application/json' });
  return probes;
}

function callbackProbes(platform: 'dingtalk' | 'wecom', route: RouteSpec, ctx: ProbeContext, seed: number): Probe[] {
  const path = fill(route.path, ctx.ids);
  const probes: Probe[] = [];
  const add = (label: string, p: Omit<Probe, 'label' | 'method' | 'expect'> & { method?: string; expect?: Probe['expect'] }) =>
    probes.push({ label, method: p.method ?? route.method, expect: p.expect ?? '4xx', path: p.path, headers: p.headers, body: p.body });
  const type = platform === 'dingtalk' ? 'application/json' : 'text/xml';
  const q = (sig: string) => `msg_signature=${sig}&timestamp=1700000000&nonce=n&echostr=abc`;
  add('no signature', { path, headers: { 'content-type': type }, body: route.method === 'POST' ? '{}' : undefined });
  add('bad signature', { path: `${path}?${q('0'.repeat(40))}`, headers: { 'content-type': type }, body: route.method === 'POST' ? '{"encrypt":"abc"}' : undefined });
  for (const tenantId of ['no-such-tenant', 'demo-wecom', 'demo-dingtalk', '%00', 'x'.repeat(300), '..%2F..%2Fetc']) {
    const other = route.path.replace(':tenantId', tenantId);
    add(`tenant ${tenantId.slice(0, 16)}`, { path: `${other}?${q('1'.repeat(40))}`, headers: { 'content-type': type }, body: route.method === 'POST' ? '{"encrypt":"abc"}' : undefined });
  }
  if (route.method === 'POST') {
    const bodies =
      platform === 'dingtalk'
        ? ['', 'not json', '{"encrypt":123}', '{"encrypt":"!!!not base64!!!"}', '[]', '{"encrypt":["a"]}', nestedObjects(5_000), `{"encrypt":"${HUGE}"}`]
        : ['', '<xml>', '<xml><Encrypt>abc</Encrypt></xml>', '<xml><Encrypt><![CDATA[abc', '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>', 'plain text', `<xml><Encrypt>${HUGE}</Encrypt></xml>`, '<a>'.repeat(5_000)];
    for (const body of bodies) add(`callback body ${body.slice(0, 20)}`, { path: `${path}?${q('2'.repeat(40))}`, headers: { 'content-type': type }, body });
    for (const bytes of invalidUtf8) add('callback invalid UTF-8', { path: `${path}?${q('3'.repeat(40))}`, headers: { 'content-type': type }, body: bytes });
    add('callback over 256 KB', { path: `${path}?${q('4'.repeat(40))}`, headers: { 'content-type': type }, body: 'z'.repeat(300_000) });
    add('callback gzip garbage', { path: `${path}?${q('5'.repeat(40))}`, headers: { 'content-type': type, 'content-encoding': 'gzip' }, body: Buffer.from('garbage') });
    for (const signed of ctx.signedCallbacks[platform]) probes.push(signed);
  }
  for (const raw of sample(fc.string({ unit: 'binary', maxLength: 200 }), seed, ctx.samples)) {
    add('callback random query', { path: `${path}?${encodeURIComponent(raw.replace(/[\ud800-\udfff]/g, ''))}=${encodeURIComponent('x')}`, headers: { 'content-type': type }, body: route.method === 'POST' ? raw : undefined });
  }
  return probes;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Sends one probe over real HTTP. A connection reset is an answer too (status 0), and always a failure. */
export function send(baseUrl: string, probe: Probe): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...probe.headers };
    if (probe.body !== undefined) headers['content-length'] = Buffer.byteLength(probe.body);
    const req = httpRequest(`${baseUrl}${probe.path}`, { method: probe.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, headers: {}, text: String(err) }));
    });
    req.on('error', (err) => resolve({ status: 0, headers: {}, text: `connection error: ${err.message}` }));
    req.end(probe.body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

const chinese = /[\u4e00-\u9fff]/;
/** zod's and Node's English phrasing: a message half in English ("lat: Too big: expected number to be <=90") fails. */
const english = /\b(too (big|small)|invalid|expected|received|unrecognized|required|must be|not a|is not|cannot|failed|unexpected)\b/i;
/** Traces of internals: stack frames, file paths, error class prefixes. */
const internals = /\n\s+at |\bat [\w.<>]+ \(|\/[\w.-]+\/[\w.-]+\.(ts|js|mjs|cjs)\b|node_modules|[A-Za-z]:\\|\b(Type|Reference|Syntax|Range)?Error: /;

/** What is wrong with an answer, or undefined when it is as it must be. */
export function judge(probe: Probe, answer: Answer): string | undefined {
  const { status } = answer;
  if (status === 0 || status >= 500) return `status ${status}`;
  if (probe.expect === 405 && status !== 405) return `status ${status}, want 405`;
  if (probe.expect === '4xx' && (status < 400 || status >= 500)) return `status ${status}, want 4xx`;
  if (status < 400) return undefined;
  if (internals.test(answer.text)) return `status ${status} exposes internals: ${answer.text.slice(0, 200)}`;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `status ${status} is not JSON: ${answer.text.slice(0, 120)}`;
  }
  const error = body.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return `status ${status} without {error:{code,message}}: ${answer.text.slice(0, 120)}`;
  // Quoted values ('failed', "wecom") are the client's vocabulary, not prose.
  if (!chinese.test(error.message) || english.test(error.message.replace(/'[^']*'|"[^"]*"/g, ''))) return `status ${status} message not Chinese: ${error.message.slice(0, 120)}`;
  if (status === 405 && !answer.headers.allow) return '405 without an Allow header';
  return undefined;
}
