import { CallbackCipher, ManualClock, PlatformError, type CallbackCredentials, type PlatformAdapter } from '@gonghai/plugin-core';
import { createDingTalkAdapter } from '../dingtalk.adapter';
import { dingTalkRobotSign, sealCallback } from '../dingtalk.crypto';
import { treeCallback } from './fixtures';

/** dingtalk-api §8, vector 2: check_url for an app registered with its corp id. */
const vector2 = {
  credentials: { token: 'mryue', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', receiverId: 'ding6ccabc44d2c8d38b' },
  timestamp: '1608001896814',
  nonce: 'WL4PK6yA',
  signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
  encrypt:
    '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
  plaintext: '{"EventType":"check_url"}',
  random: 'l7Y3EcX2CU5w8av3',
};

/** dingtalk-api §8, vector 1: the ISV suite-creation check from the official debugging tool. */
const vector1 = {
  credentials: { token: '123456', aesKey: '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij', receiverId: 'suite4xxxxxxxxxxxxxxx' },
  timestamp: '1445827045067',
  nonce: 'nEXhMP4r',
  signature: '5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0',
  encrypt:
    '1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==',
  plaintext: '{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}',
  random: 'hU3bEfGZZewzhG5a',
};

function adapterFor(callback: CallbackCredentials, clock: ManualClock): PlatformAdapter {
  return createDingTalkAdapter({
    credentials: {
      corpId: 'ding6ccabc44d2c8d38b',
      appKey: callback.receiverId,
      appSecret: 'unused',
      agentId: '1',
      // Callbacks never call DingTalk: nothing listens here.
      baseUrl: 'http://127.0.0.1:9',
      callback,
    },
    clock,
  });
}

function post(query: string, encrypt: string) {
  return { method: 'POST' as const, rawQuery: query, body: JSON.stringify({ encrypt }) };
}

function thrown(run: () => unknown): PlatformError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected a PlatformError');
}

/** The reply must be what DingTalk accepts: signed with our token, decrypting to `success` for our receiver id. */
function expectSuccessReply(body: string, callback: CallbackCredentials, now: number): void {
  const reply = JSON.parse(body) as Record<string, string>;
  expect(Object.keys(reply).sort()).toEqual(['encrypt', 'msg_signature', 'nonce', 'timeStamp']);
  expect(reply.timeStamp).toBe(String(now));
  expect(reply.nonce).toMatch(/^[A-Za-z0-9]{8}$/);
  const cipher = new CallbackCipher(callback);
  expect(reply.msg_signature).toBe(cipher.signature(reply.timeStamp!, reply.nonce!, reply.encrypt!));
  expect(cipher.decrypt(reply.encrypt!).message).toBe('success');
}

describe('DingTalk callbacks', () => {
  describe.each([
    ['vector 2 (check_url, corp id)', vector2],
    ['vector 1 (check_create_suite_url, suite key)', vector1],
  ])('the official %s', (_name, vector) => {
    it('decrypts to the published plaintext and re-encrypts byte for byte with the recovered prefix', () => {
      const cipher = new CallbackCipher(vector.credentials);
      expect(cipher.signature(vector.timestamp, vector.nonce, vector.encrypt)).toBe(vector.signature);

      const { message, random } = cipher.decrypt(vector.encrypt);

      expect(message).toBe(vector.plaintext);
      expect(random.toString('ascii')).toBe(vector.random);
      expect(cipher.encrypt(message, random)).toBe(vector.encrypt);
    });

    it('is a URL-verification handshake through the adapter: no events, the encrypted success reply', () => {
      const clock = new ManualClock(Number(vector.timestamp) + 60_000);
      const query = `msg_signature=${vector.signature}&timestamp=${vector.timestamp}&nonce=${vector.nonce}`;

      const result = adapterFor(vector.credentials, clock).callbacks.handle(post(query, vector.encrypt));

      expect(result.events).toEqual([]);
      expect(result.reply.status).toBe(200);
      expect(result.reply.contentType).toBe('application/json');
      expectSuccessReply(result.reply.body, vector.credentials, clock.now());
    });
  });

  it('accepts the older parameter names signature and timeStamp', () => {
    const clock = new ManualClock(Number(vector2.timestamp));
    const query = `signature=${vector2.signature}&timeStamp=${vector2.timestamp}&nonce=${vector2.nonce}`;

    expect(adapterFor(vector2.credentials, clock).callbacks.handle(post(query, vector2.encrypt)).events).toEqual([]);
  });

  it('keeps a literal + in the query, which form decoding would turn into a space', () => {
    const clock = new ManualClock();
    const cipher = new CallbackCipher(treeCallback);
    const encrypt = cipher.encrypt('{"EventType":"user_leave_org","TimeStamp":1736125200000,"UserId":["rep0733"]}');
    const timestamp = String(clock.now());
    const nonce = 'a+b+c9Zx';
    const query = `msg_signature=${cipher.signature(timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`;

    const { events } = adapterFor(treeCallback, clock).callbacks.handle(post(query, encrypt));

    expect(events).toEqual([expect.objectContaining({ type: 'contact.user_left', userId: 'rep0733', occurredAt: 1736125200000 })]);
  });

  it('refuses a tampered signature, a tampered cipher text and a missing part', () => {
    const clock = new ManualClock(Number(vector2.timestamp));
    const adapter = adapterFor(vector2.credentials, clock);
    const tampered = vector2.signature.replace(/^0/, '1');
    const tamperedEncrypt = `1${vector2.encrypt.slice(1)}`;
    const good = `msg_signature=${vector2.signature}&timestamp=${vector2.timestamp}&nonce=${vector2.nonce}`;

    for (const request of [
      post(`msg_signature=${tampered}&timestamp=${vector2.timestamp}&nonce=${vector2.nonce}`, vector2.encrypt),
      post(good, tamperedEncrypt),
      post(`timestamp=${vector2.timestamp}&nonce=${vector2.nonce}`, vector2.encrypt),
      { method: 'POST' as const, rawQuery: good, body: 'not json' },
      { method: 'GET' as const, rawQuery: good, body: '' },
    ]) {
      expect(thrown(() => adapter.callbacks.handle(request)).code).toBe('BAD_SIGNATURE');
    }
  });

  it('refuses a correctly signed message meant for another receiver id', () => {
    const clock = new ManualClock();
    const other = new CallbackCipher({ ...treeCallback, receiverId: 'dingsomeoneelse00001' });
    const sealed = sealCallback(other, '{"EventType":"user_add_org","TimeStamp":1,"UserId":["x"]}', clock.now());
    const query = `msg_signature=${sealed.signature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;

    const error = thrown(() => adapterFor(treeCallback, clock).callbacks.handle(post(query, sealed.encrypt)));

    expect(error.code).toBe('BAD_SIGNATURE');
    expect(error.message).toContain('dingsomeoneelse00001');
  });

  it('accepts timestamps within five minutes either way and refuses older or newer ones', () => {
    const clock = new ManualClock();
    const adapter = adapterFor(treeCallback, clock);
    const cipher = new CallbackCipher(treeCallback);
    const at = (offsetMs: number) => {
      const sealed = sealCallback(cipher, '{"EventType":"check_url"}', clock.now() + offsetMs);
      return post(`msg_signature=${sealed.signature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`, sealed.encrypt);
    };

    expect(adapter.callbacks.handle(at(-5 * 60_000)).events).toEqual([]);
    expect(adapter.callbacks.handle(at(5 * 60_000)).events).toEqual([]);
    expect(thrown(() => adapter.callbacks.handle(at(-5 * 60_000 - 1))).code).toBe('BAD_SIGNATURE');
    expect(thrown(() => adapter.callbacks.handle(at(5 * 60_000 + 1))).code).toBe('BAD_SIGNATURE');
  });

  it('refuses 42- and 44-character AES keys, and everything when no callback is configured', () => {
    const clock = new ManualClock(Number(vector2.timestamp));
    const query = `msg_signature=${vector2.signature}&timestamp=${vector2.timestamp}&nonce=${vector2.nonce}`;

    for (const aesKey of [vector2.credentials.aesKey.slice(0, 42), `${vector2.credentials.aesKey}A`]) {
      const adapter = adapterFor({ ...vector2.credentials, aesKey }, clock);
      expect(thrown(() => adapter.callbacks.handle(post(query, vector2.encrypt))).code).toBe('INVALID_CREDENTIALS');
    }
    const unconfigured = createDingTalkAdapter({
      credentials: { corpId: 'c', appKey: 'k', appSecret: 's', agentId: '1', baseUrl: 'http://127.0.0.1:9' },
      clock,
    });
    expect(thrown(() => unconfigured.callbacks.handle(post(query, vector2.encrypt))).code).toBe('BAD_SIGNATURE');
  });

  it('translates each contact, department and approval event, one event per id', () => {
    const clock = new ManualClock();
    const adapter = adapterFor(treeCallback, clock);
    const cipher = new CallbackCipher(treeCallback);
    const handle = (payload: object) => {
      const sealed = sealCallback(cipher, JSON.stringify(payload), clock.now());
      const query = `msg_signature=${sealed.signature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`;
      return adapter.callbacks.handle(post(query, sealed.encrypt)).events;
    };

    const joined = handle({ EventType: 'user_add_org', TimeStamp: 1736125200000, UserId: ['rep1', 'rep2'], CorpId: 'c' });
    const updated = handle({ EventType: 'user_modify_org', TimeStamp: 1736125200001, UserId: ['rep1'], CorpId: 'c' });
    const departments = handle({ EventType: 'org_dept_remove', TimeStamp: 1736125200002, DeptId: [211], CorpId: 'c' });
    const approval = { EventType: 'bpms_instance_change', processInstanceId: 'pi-1', finishTime: 1736125300000, createTime: 1 };
    const refused = handle({ ...approval, type: 'finish', result: 'refuse' });
    const withdrawn = handle({ ...approval, type: 'terminate' });
    const started = handle({ ...approval, type: 'start' });
    const unknown = handle({ EventType: 'label_user_change', TimeStamp: 1 });

    expect(joined).toEqual([
      { type: 'contact.user_joined', userId: 'rep1', eventId: expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/), occurredAt: 1736125200000 },
      { type: 'contact.user_joined', userId: 'rep2', eventId: expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/), occurredAt: 1736125200000 },
    ]);
    expect(joined[0]!.eventId).not.toBe(joined[1]!.eventId);
    expect(updated).toEqual([expect.objectContaining({ type: 'contact.user_updated', userId: 'rep1' })]);
    expect(departments).toEqual([
      expect.objectContaining({ type: 'contact.department_changed', departmentId: '211', change: 'deleted', occurredAt: 1736125200002 }),
    ]);
    expect(refused).toEqual([expect.objectContaining({ type: 'approval.finished', instanceId: 'pi-1', approved: false, occurredAt: 1736125300000 })]);
    expect(withdrawn).toEqual([expect.objectContaining({ type: 'approval.withdrawn', instanceId: 'pi-1' })]);
    expect(started).toEqual([]);
    expect(unknown).toEqual([]);
  });
});

describe('DingTalk robot signing', () => {
  it('matches the reference sanity vector', () => {
    const sign = dingTalkRobotSign('SECexample0123456789', '1700000000000');

    expect(sign).toBe('figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=');
    expect(encodeURIComponent(sign)).toBe('figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D');
    expect(new URLSearchParams({ sign }).toString()).toBe('sign=figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D');
  });
});
