import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { demoTenants } from '@gonghai/config';
import { CallbackCipher } from '@gonghai/plugin-core';
import { dialects } from '../../../test/databases';
import { insertPoolCustomer, poolIdByName } from '../../../test/factories';
import { startHarness, type Harness } from '../../../test/harness';
import { idempotencyExpiryJob } from '../idempotency-expiry.job';

const T = 'demo-dingtalk';
const chinese = /[\u4e00-\u9fff]/;

/** `depth` nested arrays around a number: what a hostile client sends to blow a recursive walker's stack. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe.each(dialects)('request edges on %s', (dialect) => {
  let h: Harness;
  let rep: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    rep = await h.tokenFor(T, 'rep01');
  });
  afterAll(() => h.close());

  async function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
    const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  it('remembers an Idempotency-Key for 24 hours, then forgets it and its stored answer', async () => {
    const post = (key: string) => h.request('POST', '/api/v1/visits/nonce', { token: rep, body: {}, headers: { 'idempotency-key': key } });
    const keys = () => h.db.selectFrom('idempotency_keys').select('idem_key').where('tenant_id', '=', T).where('user_id', '=', 'rep01').where('idem_key', 'like', 'ttl-%').execute();
    const first = await post('ttl-a');
    expect(first.status).toBe(200);
    h.clock.advance(23 * 3_600_000);
    const replay = await post('ttl-a');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    await post('ttl-b');
    // Just past a day: a retry with the old key is a new request, even before the job has swept it.
    h.clock.advance(1 * 3_600_000 + 1000);
    const fresh = await post('ttl-a');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(fresh.body.nonce).not.toBe(first.body.nonce);
    // The hourly job deletes what is older than a day (ttl-b is 1 h old at this point, ttl-a was just renewed).
    h.clock.advance(23 * 3_600_000 + 1000);
    await idempotencyExpiryJob.run({ deps: h.deps, now: h.clock.now() });
    expect((await keys()).map((k) => k.idem_key)).toEqual(['ttl-a']);
    h.clock.advance(2 * 3_600_000);
    await idempotencyExpiryJob.run({ deps: h.deps, now: h.clock.now() });
    expect(await keys()).toEqual([]);
  });

  it('frees a key left "in progress" by a process that died, after five minutes', async () => {
    const now = h.clock.now();
    await h.db.insertInto('idempotency_keys').values({ tenant_id: T, user_id: 'rep01', idem_key: 'orphan-1', request_hash: createHash('sha256').update('POST /api/v1/visits/nonce\n{}').digest('hex'), created_at: now }).execute();
    const post = () => h.request('POST', '/api/v1/visits/nonce', { token: rep, body: {}, headers: { 'idempotency-key': 'orphan-1' } });
    const busy = await post();
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('request_in_progress');
    h.clock.advance(5 * 60_000);
    const freed = await post();
    expect(freed.status).toBe(200);
    expect(freed.body.nonce).toEqual(expect.any(String));
  });

  it('refuses deeply nested JSON with a 400 on every POST route, with or without an Idempotency-Key', async () => {
    const routes = ['/api/v1/customers/1/claim', '/api/v1/visits', '/api/v1/customers', '/api/v1/customers/1/release', '/api/v1/visits/nonce', '/api/v1/auth/login'];
    for (const path of routes) {
      for (const body of [nested(100_000), nestedObject(20_000)]) {
        for (const key of [undefined, `deep-${path}-${body.length}`]) {
          const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${rep}` };
          if (key) headers['idempotency-key'] = key.replace(/[^\x21-\x7e]/g, '').slice(0, 128);
          const res = await raw('POST', path, headers, body);
          expect({ path, status: res.status }).toEqual({ path, status: 400 });
          expect(res.json.error.code).toBe('invalid_request');
          expect(res.json.error.message).toMatch(chinese);
        }
      }
    }
    // Ordinary nesting still works: a check-in's fixes are two levels down.
    const ok = await raw('POST', '/api/v1/visits/nonce', { 'content-type': 'application/json', authorization: `Bearer ${rep}`, 'idempotency-key': 'shallow-1' }, '{"a":[{"b":[1]}]}');
    expect(ok.status).toBe(200);
  });

  it('answers a malformed compressed body with a 400, even before login', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      for (const path of ['/api/v1/auth/login', '/api/v1/customers/1/claim']) {
        const res = await raw('POST', path, { 'content-type': 'application/json', 'content-encoding': encoding, authorization: `Bearer ${rep}` }, Buffer.from('this is not compressed at all'));
        expect({ encoding, path, status: res.status }).toEqual({ encoding, path, status: 400 });
        expect(res.json.error.message).toMatch(chinese);
      }
    }
    // An unknown encoding is a 415, and a real gzip body still works.
    const unknown = await raw('POST', '/api/v1/auth/login', { 'content-type': 'application/json', 'content-encoding': 'zstd-nonsense' }, Buffer.from('{}'));
    expect(unknown.status).toBe(415);
    expect(unknown.json.error.message).toMatch(chinese);
    const good = await raw('POST', '/api/v1/visits/nonce', { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${rep}` }, gzipSync('{}'));
    expect(good.status).toBe(200);
  });

  describe('callbacks that are signed but unintelligible', () => {
    const dingtalk = demoTenants.find((t) => t.id === 'demo-dingtalk')!;
    const wecom = demoTenants.find((t) => t.id === 'demo-wecom')!;
    const cipherOf = (t: typeof dingtalk) => new CallbackCipher({ token: t.callbackToken, aesKey: t.callbackAesKey, receiverId: t.callbackReceiverId });

    it('answers a DingTalk callback whose plaintext is not a JSON object with a 400', async () => {
      const cipher = cipherOf(dingtalk);
      for (const plaintext of ['[1,2,3]', 'null', '"check_url"', 'not json', '42']) {
        const timestamp = String(h.clock.now());
        const encrypt = cipher.encrypt(plaintext);
        const query = new URLSearchParams({ msg_signature: cipher.signature(timestamp, 'n1', encrypt), timestamp, nonce: 'n1' });
        const res = await raw('POST', `/callbacks/dingtalk/demo-dingtalk?${query}`, { 'content-type': 'application/json' }, JSON.stringify({ encrypt }));
        expect({ plaintext, status: res.status }).toEqual({ plaintext, status: 400 });
        expect(res.json.error.code).toBe('bad_callback_payload');
        expect(res.json.error.message).toMatch(chinese);
      }
    });

    it('answers WeCom inner XML with a DOCTYPE (or no <xml> at all) with a 400 and expands nothing', async () => {
      const cipher = cipherOf(wecom);
      const inner = [
        '<!DOCTYPE xml [<!ENTITY x "boom">]><xml><ToUserName>&x;</ToUserName><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>delete_user</ChangeType><UserID>rep01</UserID></xml>',
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><a>&lol2;</a></xml>',
        'plain text',
      ];
      for (const message of inner) {
        const timestamp = String(Math.floor(h.clock.now() / 1000));
        const encrypt = cipher.encrypt(message);
        const query = new URLSearchParams({ msg_signature: cipher.signature(timestamp, 'n2', encrypt), timestamp, nonce: 'n2' });
        const res = await raw('POST', `/callbacks/wecom/demo-wecom?${query}`, { 'content-type': 'text/xml' }, `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
        expect({ message, status: res.status }).toEqual({ message, status: 400 });
        expect(res.json.error.code).toBe('bad_callback_payload');
      }
      // rep01 of the WeCom tenant is still there: the DOCTYPE event was not acted on.
      const user = await h.db.selectFrom('users').select('active').where('tenant_id', '=', 'demo-wecom').where('id', '=', 'rep01').executeTakeFirstOrThrow();
      expect(user.active).toBe(1);
    });
  });

  it("refuses a manager's preview of a pool outside the subtrees they lead", async () => {
    const [eastManager, southManager, admin] = await Promise.all([h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'mgr-south'), h.tokenFor(T, 'admin01')]);
    const [east, south, company] = await Promise.all([poolIdByName(h.db, T, '华东公海'), poolIdByName(h.db, T, '华南公海'), poolIdByName(h.db, T, '总公司公海')]);
    const preview = (pool: number, token: string) => h.request('POST', `/api/v1/admin/pools/${pool}/preview`, { token, body: {} });
    expect((await preview(east, eastManager)).status).toBe(200);
    expect((await preview(south, southManager)).status).toBe(200);
    for (const [pool, token] of [[south, eastManager], [east, southManager], [company, eastManager]] as const) {
      const res = await preview(pool, token);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toMatch(/rep0[5-9]|rep1/);
    }
    for (const pool of [east, south, company]) expect((await preview(pool, admin)).status).toBe(200);
  });

  it('finds pool customers whose names contain % or _ literally', async () => {
    const pool = await poolIdByName(h.db, T, '华东公海');
    for (const name of ['百分百%折扣商行', '下划线_测试门店', '百分百折扣商行']) {
      await insertPoolCustomer(h.db, T, pool, { name, lat: 31.2304, lng: 121.4737, now: h.clock.now() });
    }
    const search = async (q: string) => {
      const res = await h.request('GET', `/api/v1/pool/customers?q=${encodeURIComponent(q)}&limit=50`, { token: rep });
      expect(res.status).toBe(200);
      return (res.body.items as { name: string }[]).map((c) => c.name).sort();
    };
    expect(await search('%')).toEqual(['百分百%折扣商行']);
    expect(await search('%折扣')).toEqual(['百分百%折扣商行']);
    expect(await search('_测试')).toEqual(['下划线_测试门店']);
    expect(await search('百分百')).toEqual(['百分百%折扣商行', '百分百折扣商行']);
  });

  it('does not tell a stranger which corps are registered', async () => {
    const login = (corpId: string) => h.request('POST', '/api/v1/auth/login', { body: { platform: 'dingtalk', corpId, code: 'guessed-code-123' } });
    const unknown = await login('ding-no-such-corp');
    const known = await login('dingdemo');
    expect(unknown.status).toBe(401);
    expect(known.status).toBe(401);
    expect(unknown.body).toEqual(known.body);
    expect(JSON.stringify(unknown.body)).not.toContain('ding-no-such-corp');
  });

  it('signs JS-SDK pages only on the H5 origins configured for the tenant', async () => {
    const sign = (url: string) => h.request('GET', `/api/v1/platform/jsapi-signature?url=${encodeURIComponent(url)}`, { token: rep });
    const own = await sign(`${h.deps.config.publicBaseUrl}/index.html?corpId=dingdemo#/pages/pool/index`);
    expect(own.status).toBe(200);
    expect(own.body.signature).toMatch(/^[0-9a-f]{40}$/);
    const foreign = await sign('https://evil.example.com/phish.html');
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('origin_not_allowed');
    expect(foreign.body.error.message).toMatch(chinese);
    // An origin an admin added to the tenant's settings is signed too.
    const row = await h.db.selectFrom('tenants').select('settings').where('id', '=', T).executeTakeFirstOrThrow();
    const settings = { ...JSON.parse(row.settings), h5Origins: ['https://gonghai.example.com'] };
    await h.db.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', T).execute();
    expect((await sign('https://gonghai.example.com/h5/index.html?from=chat#/pool')).status).toBe(200);
    expect((await sign('https://gonghai.example.com.evil.example/x')).status).toBe(400);
  });
});
