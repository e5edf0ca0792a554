import { ManualClock, PlatformError, type CallbackCredentials, type CallbackResult } from '@gonghai/plugin-core';
import * as wecomCrypto from '@wecom/crypto';
import { createWeComCallbacks } from '../wecom.callbacks';
import { passiveReplyXml, readCallbackQuery, readPassiveReply, sealWeComMessage } from '../wecom.crypto';
import { weComJsapiSignature } from '../wecom.jsapi';
import { parseWeComXml } from '../wecom.xml';

/** wecom-api §8.1 set A: the official doc's and official samples' configuration. */
const official: CallbackCredentials = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiverId: 'wx5823bf96d3bd56c7',
};

const a1 = {
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  wireEchostr: 'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
};

const a2 = {
  signature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  plaintext:
    '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
};

function postBody(encrypt: string): string {
  return `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
}

function query(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
}

function callbacksAt(seconds: string, credentials: CallbackCredentials = official) {
  return createWeComCallbacks({ callback: credentials, clock: new ManualClock(Number(seconds) * 1000) });
}

function refusal(run: () => CallbackResult): PlatformError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected the callback to be refused');
}

describe('WeCom callbacks against the official vectors (wecom-api §8.1)', () => {
  it('answers the A1 URL verification with the plaintext, verbatim', () => {
    const rawQuery = `msg_signature=${a1.signature}&timestamp=${a1.timestamp}&nonce=${a1.nonce}&echostr=${a1.wireEchostr}`;

    expect(callbacksAt(a1.timestamp).handle({ method: 'GET', rawQuery, body: '' })).toEqual({
      reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: '1616140317555161061' },
      events: [],
    });
  });

  it('keeps a literal + in echostr, where URLSearchParams would turn it into a space', () => {
    const literal = `msg_signature=${a1.signature}&timestamp=${a1.timestamp}&nonce=${a1.nonce}&echostr=${a1.echostr}`;
    expect(new URLSearchParams(literal).get('echostr')).not.toBe(a1.echostr);
    expect(readCallbackQuery(literal).get('echostr')).toBe(a1.echostr);

    expect(callbacksAt(a1.timestamp).handle({ method: 'GET', rawQuery: literal, body: '' }).reply.body).toBe(
      '1616140317555161061',
    );
  });

  it('verifies and decrypts the A2 message (pad 30) and answers 200 with an empty body', () => {
    const rawQuery = query({ msg_signature: a2.signature, timestamp: a2.timestamp, nonce: a2.nonce });

    expect(callbacksAt(a2.timestamp).handle({ method: 'POST', rawQuery, body: postBody(a2.encrypt) })).toEqual({
      reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: '' },
      events: [],
    });
  });

  it('re-encrypts both official messages byte for byte with their recovered random prefixes', () => {
    const echo = sealWeComMessage(official, '1616140317555161061', a1.timestamp, a1.nonce, Buffer.from('c41b64491c2468d0'));
    expect(echo).toEqual({ encrypt: a1.echostr, signature: a1.signature, timestamp: a1.timestamp, nonce: a1.nonce });

    const message = sealWeComMessage(official, a2.plaintext, a2.timestamp, a2.nonce, Buffer.from('0960688932c47ef1'));
    expect(message).toEqual({ encrypt: a2.encrypt, signature: a2.signature, timestamp: a2.timestamp, nonce: a2.nonce });
  });

  it('builds the derived §8.2 passive reply and reads it back', () => {
    const reply =
      '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId><AgentID>128</AgentID></xml>';
    const envelope = sealWeComMessage(official, reply, '1409659813', '1372623149', Buffer.from('aaaabbbbccccdddd'));

    expect(envelope.encrypt).toBe(
      'ZA4HuQypHxnRrA+A6SOHGI3nNAv6+Z6nS1d6HDerPrjSMx0nzuQMXgB0xtc1AKDrJcVbZxGbLpFeHc7GJSIGu9xPjyai00HIF7KqYx7A/caYFaL1F1lp5V7kfVlD8xPHFxXyD1J7Mv5ueLlW5cIEYefJZUVSgNKwzJ3Dcm4qft0bxc6kOSz1q7fIrF5VA6YIcaTqSZ3eOxP2+e9FPdrb8UHQXEf/IiEjOGpWkBQcn513yiDtSiYfxAy/auRtjykaxLDNmoksUiv4ovXIicUnvmYoR57vPixh2xctoNFJtQO5DXr7wBjpHTgha0Hha6CFx84Z4oO6FvkOgyyPW5bCy0LdrG04b5YcjEQMiL4Qt7c8/P/M7WVvM9D0Y/NFl88w+0a0ZFTs/luJotJ+hYLszB5hCo5epqYDgKcaOJnw6sSXxpyJcfuv7tzdNa7ffH45DDCshd78iTFqB+sGCxQapg==',
    );
    expect(envelope.signature).toBe('6fc162fb76ff519ac15c8cc905bcc423bee9e306');
    expect(passiveReplyXml(envelope)).toBe(
      `<xml><Encrypt><![CDATA[${envelope.encrypt}]]></Encrypt><MsgSignature><![CDATA[6fc162fb76ff519ac15c8cc905bcc423bee9e306]]></MsgSignature><TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>`,
    );
    expect(readPassiveReply(passiveReplyXml(envelope))).toEqual(envelope);
  });

  it('answers the third-party §8.4 handshake (alphanumeric nonce)', () => {
    const credentials = {
      token: 'kjr2TKI8umCBfVF3wAHk8JiPwma5VBme',
      aesKey: '4Ma3YBrSBbX2aez8MJpXGBne5LSDwgGqHbhM9WPYIws',
      receiverId: 'ww6a112864f8022910',
    };
    const rawQuery = query({
      msg_signature: '1ba3cb09c0d2c2b3ed6900d37f91a6efae6cb011',
      timestamp: '1583940690',
      nonce: 'VHh7ymSeb0jc4lSb',
      echostr: '6KmUQuPVu7UhjyVqRdbo5SfcRqaHvbUlKSHFvBV2ZuR6TIlKsygcfeSd1GDplg1C5KSKr6UPHCaC/nIX3ZNt9w==',
    });

    expect(callbacksAt('1583940690', credentials).handle({ method: 'GET', rawQuery, body: '' }).reply.body).toBe(
      '94966531020182955848408',
    );
  });
});

describe('WeCom callbacks refuse what WeCom did not send', () => {
  const a2Query = { msg_signature: a2.signature, timestamp: a2.timestamp, nonce: a2.nonce };

  it('refuses a signature with one hex digit changed', () => {
    const tampered = `${a2.signature.slice(0, -1)}${a2.signature.endsWith('3') ? '4' : '3'}`;
    const error = refusal(() =>
      callbacksAt(a2.timestamp).handle({ method: 'POST', rawQuery: query({ ...a2Query, msg_signature: tampered }), body: postBody(a2.encrypt) }),
    );

    expect(error).toMatchObject({ code: 'BAD_SIGNATURE', message: 'callback signature does not match' });
  });

  it('refuses a message encrypted for another corp (receiver id)', () => {
    const stranger = callbacksAt(a2.timestamp, { ...official, receiverId: 'wx5823bf96d3bd56c8' });
    const error = refusal(() => stranger.handle({ method: 'POST', rawQuery: query(a2Query), body: postBody(a2.encrypt) }));

    expect(error).toMatchObject({ code: 'BAD_SIGNATURE', message: expect.stringContaining('"wx5823bf96d3bd56c7"') });
  });

  it.each([
    ['42', official.aesKey.slice(0, 42)],
    ['44', `${official.aesKey}A`],
  ])('refuses an EncodingAESKey of %s characters as a configuration error', (_length, aesKey) => {
    const error = refusal(() =>
      callbacksAt(a2.timestamp, { ...official, aesKey }).handle({ method: 'POST', rawQuery: query(a2Query), body: postBody(a2.encrypt) }),
    );

    expect(error.code).toBe('INVALID_CREDENTIALS');
  });

  it('accepts a timestamp five minutes old and refuses one a second older or newer than the window', () => {
    const sent = Number(a2.timestamp) * 1000;
    const at = (now: number) =>
      createWeComCallbacks({ callback: official, clock: new ManualClock(now) }).handle({
        method: 'POST',
        rawQuery: query(a2Query),
        body: postBody(a2.encrypt),
      });

    expect(at(sent + 300_000).reply.status).toBe(200);
    expect(refusal(() => at(sent + 301_000))).toMatchObject({ code: 'BAD_SIGNATURE', message: expect.stringContaining('±5 minutes') });
    expect(refusal(() => at(sent - 301_000)).code).toBe('BAD_SIGNATURE');
  });

  it('refuses a body that is not WeCom XML, a query without its fields and an app without callback settings', () => {
    const callbacks = callbacksAt(a2.timestamp);
    expect(refusal(() => callbacks.handle({ method: 'POST', rawQuery: query(a2Query), body: '{"encrypt":"x"}' })).code).toBe('BAD_SIGNATURE');
    expect(refusal(() => callbacks.handle({ method: 'POST', rawQuery: `timestamp=${a2.timestamp}`, body: postBody(a2.encrypt) })).message).toBe(
      'WeCom callback query has no msg_signature',
    );
    expect(refusal(() => callbacks.handle({ method: 'GET', rawQuery: 'echostr=%E0%A4%A', body: '' })).code).toBe('BAD_SIGNATURE');
    const unconfigured = createWeComCallbacks({ callback: undefined, clock: new ManualClock() });
    expect(refusal(() => unconfigured.handle({ method: 'GET', rawQuery: query(a2Query), body: '' })).code).toBe('BAD_SIGNATURE');
  });

  it('refuses XML with a DOCTYPE or entity declarations, outside and inside the encryption, without expanding them', () => {
    const doctype = '<!DOCTYPE xml [<!ENTITY x "boom">]>';
    expect(parseWeComXml(`${doctype}<xml><ToUserName>&x;</ToUserName></xml>`)).toBeUndefined();
    expect(parseWeComXml('<xml><!ENTITY y "z"><a>1</a></xml>')).toBeUndefined();
    expect(parseWeComXml('<xml><ToUserName><![CDATA[wwdemo]]></ToUserName></xml>')).toEqual({ ToUserName: 'wwdemo' });
    const sealed = sealWeComMessage(official, `${doctype}<xml><MsgType>event</MsgType></xml>`, a2.timestamp);
    const rawQuery = query({ msg_signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce });
    expect(refusal(() => callbacksAt(a2.timestamp).handle({ method: 'POST', rawQuery, body: postBody(sealed.encrypt) })).code).toBe('BAD_RESPONSE');
  });
});

describe('WeCom crypto agrees with @wecom/crypto', () => {
  const timestamp = '1736125200';
  const nonce = '1588270441';
  const plaintext = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Content><![CDATA[你好 + 世界]]></Content></xml>';

  it('decrypts what @wecom/crypto encrypts and signs', () => {
    const encrypt = wecomCrypto.encrypt(official.aesKey, plaintext, official.receiverId);
    const signature = wecomCrypto.getSignature(official.token, timestamp, nonce, encrypt);

    const echoed = callbacksAt(timestamp).handle({
      method: 'GET',
      rawQuery: query({ msg_signature: signature, timestamp, nonce, echostr: encrypt }),
      body: '',
    });

    expect(echoed.reply.body).toBe(plaintext);
  });

  it('encrypts what @wecom/crypto decrypts, with the same signature', () => {
    const envelope = sealWeComMessage(official, plaintext, timestamp, nonce);

    const opened = wecomCrypto.decrypt(official.aesKey, envelope.encrypt);
    expect({ message: opened.message, id: opened.id, randomLength: opened.random.length }).toEqual({
      message: plaintext,
      id: official.receiverId,
      randomLength: 16,
    });
    expect(wecomCrypto.getSignature(official.token, timestamp, nonce, envelope.encrypt)).toBe(envelope.signature);
  });

  it('signs JS-SDK URLs like the official vector (§8.3) and like @wecom/crypto', () => {
    const ticket = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';
    const common = { ticket, nonceStr: 'Wm3WZYTPz0wzccnW', timestamp: '1414587457' };

    expect(weComJsapiSignature({ ...common, url: 'http://mp.weixin.qq.com?params=value' })).toBe(
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
    expect(weComJsapiSignature({ ...common, url: 'http://mp.weixin.qq.com' })).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
    const url = 'https://crm.example.com/h5/visit?id=7&from=qywx';
    expect(weComJsapiSignature({ ...common, url })).toBe(
      wecomCrypto.getJsApiSignature({ url, ticket, nonceStr: common.nonceStr, timestamp: 1414587457 }).signature,
    );
  });
});
