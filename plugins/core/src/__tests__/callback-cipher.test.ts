import { CallbackCipher, assertFreshTimestamp, callbackAesKey } from '../crypto/callback-cipher';
import { PlatformError } from '../platform-error';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof PlatformError) return error.code;
    throw error;
  }
  return undefined;
}

describe('the shared callback cipher', () => {
  // wecom-api §8.1 A1 (official): URL verification.
  const wecom = new CallbackCipher({ token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiverId: 'wx5823bf96d3bd56c7' });
  const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
  // dingtalk-api §8 vector 2 (official): check_url with a corp id.
  const dingtalk = new CallbackCipher({ token: 'mryue', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', receiverId: 'ding6ccabc44d2c8d38b' });
  const dingEncrypt = '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3';

  it('verifies, decrypts and re-encrypts the official WeCom vector byte for byte', () => {
    expect(wecom.signature('1409659589', '263014780', echostr)).toBe('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
    const { message, random } = wecom.decrypt(echostr);
    expect(message).toBe('1616140317555161061');
    expect(random.toString('latin1')).toBe('c41b64491c2468d0');
    expect(wecom.encrypt(message, random)).toBe(echostr);
  });

  it('verifies, decrypts and re-encrypts the official DingTalk vector byte for byte', () => {
    expect(dingtalk.signature('1608001896814', 'WL4PK6yA', dingEncrypt)).toBe('03044561471240d4a14bb09372dfcfd4fd0e40cb');
    const { message, random } = dingtalk.decrypt(dingEncrypt);
    expect(message).toBe('{"EventType":"check_url"}');
    expect(random.toString('latin1')).toBe('l7Y3EcX2CU5w8av3');
    expect(dingtalk.encrypt(message, random)).toBe(dingEncrypt);
  });

  it('refuses a tampered signature, a wrong receiver id and garbage', () => {
    expect(codeOf(() => wecom.verify('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4', '1409659589', '263014780', echostr))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => wecom.verify('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', '1409659589', '263014780', echostr))).toBeUndefined();
    const otherReceiver = new CallbackCipher({ token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiverId: 'wx5823bf96d3bd56c8' });
    expect(codeOf(() => otherReceiver.decrypt(echostr))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => wecom.decrypt('AAAA'))).toBe('BAD_SIGNATURE');
  });

  it('accepts only 43-character keys', () => {
    expect(callbackAesKey('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C').toString('hex')).toBe('8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760');
    expect(codeOf(() => callbackAesKey('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2'))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(() => callbackAesKey('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2CC'))).toBe('INVALID_CREDENTIALS');
  });

  it('takes timestamps in seconds or milliseconds within five minutes either way', () => {
    const now = Date.parse('2026-11-27T02:00:00Z');
    expect(codeOf(() => assertFreshTimestamp(String(now / 1000 - 299), now))).toBeUndefined();
    expect(codeOf(() => assertFreshTimestamp(String(now + 299_000), now))).toBeUndefined();
    expect(codeOf(() => assertFreshTimestamp(String(now / 1000 - 301), now))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => assertFreshTimestamp(String(now + 301_000), now))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => assertFreshTimestamp('soon', now))).toBe('BAD_SIGNATURE');
  });
});
