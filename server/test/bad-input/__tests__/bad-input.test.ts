import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { demoTenants } from '@gonghai/config';
import { CallbackCipher } from '@gonghai/plugin-core';
import jwt from 'jsonwebtoken';
import { dialects } from '../../databases';
import { startHarness, type Harness } from '../../harness';
import { closeAgent, judge, probesFor, send, type Probe, type ProbeContext } from '../probes';
import { routes } from '../routes';

const T = 'demo-dingtalk';
const device = { platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '1.0.0' };

/** The routes the routers declare, read from their source (`router.get('/api/v1/…'` …). */
function declaredRoutes(): string[] {
  const src = path.join(__dirname, '../../../src');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__tests__') walk(full);
      else if (/\.(routes|app)\.ts$|^app\.ts$/.test(entry.name)) files.push(full);
    }
  };
  walk(src);
  const found = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:router|open)\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      if (m[2] !== '/') found.add(`${m[1]!.toUpperCase()} ${m[2]}`);
    }
  }
  return [...found].sort();
}

/** Runs probes a few at a time; returns the offenders and the count of 5xx answers. */
async function run(h: Harness, probes: Probe[], concurrency: number): Promise<{ offenders: string[]; fivexx: number }> {
  const offenders: string[] = [];
  let fivexx = 0;
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const probe = probes[next++]!;
      const answer = await send(h.baseUrl, probe);
      if (answer.status >= 500 || answer.status === 0) fivexx++;
      const problem = judge(probe, answer);
      if (problem) offenders.push(`${probe.method} ${probe.path.slice(0, 90)} [${probe.label}]: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { offenders, fivexx };
}

describe('the bad-input route table', () => {
  it('lists every route the routers declare', () => {
    const table = routes.map((r) => `${r.method} ${r.path.replace(/:[A-Za-z]+/g, ':_')}`).sort();
    const declared = declaredRoutes().map((r) => r.replace(/:[A-Za-z]+/g, ':_'));
    expect(declared.length).toBeGreaterThan(40);
    expect(declared.filter((r) => !table.includes(r))).toEqual([]);
    expect(table.filter((r) => !declared.includes(r))).toEqual([]);
  });
});

describe.each(dialects)('bad input on %s', (dialect) => {
  let h: Harness;
  let ctx: ProbeContext;

  beforeAll(async () => {
    h = await startHarness(dialect);
    const tokens: Record<string, string> = {};
    for (const user of ['rep01', 'mgr-east', 'hr01', 'admin01']) tokens[user] = await h.tokenFor(T, user);
    const rep = tokens['rep01']!;

    // Real rows for the path ids, so that validation, not a missing row, answers.
    const customer = await h.db.selectFrom('customers').select(['id', 'lat', 'lng']).where('tenant_id', '=', T).where('owner_id', '=', 'rep01').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const pool = await h.db.selectFrom('pools').select('id').where('tenant_id', '=', T).orderBy('id').limit(1).executeTakeFirstOrThrow();
    const deal = await h.request('POST', `/api/v1/customers/${customer.id}/deals`, { token: rep, body: { title: '样例商机', amount: 1000 } });
    expect(deal.status).toBe(201);
    const contact = await h.request('POST', `/api/v1/customers/${customer.id}/contacts`, { token: rep, body: { name: '样例联系人' } });
    expect(contact.status).toBe(201);
    const nonce = (await h.request('POST', '/api/v1/visits/nonce', { token: rep })).body.nonce as string;
    const now = h.clock.now();
    const fixes = [0, 1, 2].map((i) => ({ lat: customer.lat + i * 0.00001, lng: customer.lng, accuracy: 15, coord: 'gcj02', ts: now - (6 - i * 2) * 1000 }));
    const visit = await h.request('POST', '/api/v1/visits', { token: rep, body: { customerId: customer.id, nonce, fixes, device } });
    expect(visit.status).toBe(201);

    // Tokens to refuse: each is a 401 on every route.
    const secret = h.deps.config.jwt.secret;
    const nowS = Math.floor(h.clock.now() / 1000);
    const claims = { sub: 'rep01', tid: T, roles: ['rep'], tz: 'Asia/Shanghai' };
    const badTokens: [string, string][] = [
      ['Bearer alone', 'Bearer'],
      ['Bearer garbage', 'Bearer x.y.z'],
      ['Basic', 'Basic cmVwMDE6cGFzcw=='],
      ['huge', `Bearer ${'a'.repeat(8_000)}`],
      ['wrong secret', `Bearer ${jwt.sign({ ...claims, iat: nowS }, 'another-secret-another-secret-0123456', { expiresIn: 3600 })}`],
      ['alg none', `Bearer ${jwt.sign({ ...claims, iat: nowS, exp: nowS + 3600 }, '', { algorithm: 'none' })}`],
      ['expired', `Bearer ${jwt.sign({ ...claims, iat: nowS - 7200, exp: nowS - 3600 }, secret)}`],
      ['zone that does not exist', `Bearer ${jwt.sign({ ...claims, tz: 'Mars/Olympus_Mons', iat: nowS }, secret, { expiresIn: 3600 })}`],
      ['no expiry', `Bearer ${jwt.sign({ ...claims, iat: nowS }, secret)}`],
      ['roles not a list', `Bearer ${jwt.sign({ ...claims, roles: 'admin', iat: nowS }, secret, { expiresIn: 3600 })}`],
      ['other tenant user', `Bearer ${jwt.sign({ ...claims, tid: 'no-such-tenant', iat: nowS }, secret, { expiresIn: 3600 })}`],
    ];

    // Callbacks that are validly signed but not something the platform sends.
    const cipherOf = (id: string) => {
      const t = demoTenants.find((x) => x.id === id)!;
      return new CallbackCipher({ token: t.callbackToken, aesKey: t.callbackAesKey, receiverId: t.callbackReceiverId });
    };
    const ding = cipherOf('demo-dingtalk');
    // A JSON object of an unknown or odd event is acknowledged (the platform retries anything else): any non-5xx will do.
    const dingPlaintexts: [string, Probe['expect']][] = [['[1,2,3]', '4xx'], ['null', '4xx'], ['"check_url"', '4xx'], ['not json', '4xx'], ['42', '4xx'], ['{"EventType":{"a":1}}', 'any'], ['{"EventType":"user_leave_org","UserId":[1]}', 'any']];
    const dingProbes: Probe[] = dingPlaintexts.map(([plaintext, expect], i) => {
      const timestamp = String(h.clock.now());
      const encrypt = ding.encrypt(plaintext);
      const query = new URLSearchParams({ msg_signature: ding.signature(timestamp, `n${i}`, encrypt), timestamp, nonce: `n${i}` });
      return { label: `signed DingTalk ${plaintext}`, method: 'POST', path: `/callbacks/dingtalk/demo-dingtalk?${query}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ encrypt }), expect };
    });
    const wecom = cipherOf('demo-wecom');
    const wecomProbes: Probe[] = ['<!DOCTYPE xml [<!ENTITY x "boom">]><xml><a>&x;</a></xml>', 'plain text', '<xml><MsgType>', ''].map((message, i) => {
      const timestamp = String(Math.floor(h.clock.now() / 1000));
      const encrypt = wecom.encrypt(message);
      const query = new URLSearchParams({ msg_signature: wecom.signature(timestamp, `w${i}`, encrypt), timestamp, nonce: `w${i}` });
      return { label: `signed WeCom ${message.slice(0, 16)}`, method: 'POST', path: `/callbacks/wecom/demo-wecom?${query}`, headers: { 'content-type': 'text/xml' }, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, expect: '4xx' };
    });

    ctx = {
      tokens,
      ids: {
        customerId: String(customer.id),
        dealId: String(deal.body.deal.id),
        contactId: String(contact.body.contact.id),
        visitId: String(visit.body.visit.id),
        photoId: '1',
        poolId: String(pool.id),
        userId: 'rep01',
        outboxId: '1',
        assignmentId: '1',
        tenantId: T,
      },
      badTokens,
      photoToken: visit.body.photoToken as string,
      signedCallbacks: { dingtalk: dingProbes, wecom: wecomProbes },
      seed: 16_0816,
      // MariaDB runs the same families with fewer random samples, to keep the two runs near a minute.
      samples: dialect === 'sqlite' ? 100 : 30,
      methodsByPath: new Map(),
    };
    for (const route of routes) ctx.methodsByPath.set(route.path, [...(ctx.methodsByPath.get(route.path) ?? []), route.method]);
  });
  afterAll(async () => {
    closeAgent();
    await h.close();
  });

  it('answers every malformed request with a Chinese 4xx in the error shape, never a 5xx', async () => {
    const probes = routes.flatMap((route, index) => {
      const forRoute = { ...ctx, ids: { ...ctx.ids, tenantId: route.special === 'wecom-callback' ? 'demo-wecom' : T } };
      return probesFor(route, forRoute, index);
    });
    const started = Date.now();
    const { offenders, fivexx } = await run(h, probes, 6);
    // The server is still up and answers a normal request.
    const health = await h.request('GET', '/healthz');
    expect(health.status).toBe(200);
    console.log(`bad-input (${dialect}): ${probes.length.toLocaleString('en-US')} requests over ${routes.length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s, ${fivexx} answers ≥ 500, ${offenders.length} offenders`);
    expect({ fivexx, offenders: offenders.slice(0, 60), more: Math.max(0, offenders.length - 60) }).toEqual({ fivexx: 0, offenders: [], more: 0 });
  });
});
