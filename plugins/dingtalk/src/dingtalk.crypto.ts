import { createHash, createHmac } from 'node:crypto';
import { CallbackCipher, PlatformError, assertFreshTimestamp, randomAscii } from '@gonghai/plugin-core';

/** DingTalk's encrypted callback envelope: the query of the POST and its JSON body `{encrypt}` (dingtalk-api §5.1). */
export interface DingTalkSealedCallback {
  signature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/** The JSON a callback receiver answers with: the encrypted `success`, signed (dingtalk-api §5.1). */
export interface DingTalkCallbackReply {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

/**
 * The group robot's "加签": base64(HMAC-SHA256(key = secret, `${timestamp}\n${secret}`)) (dingtalk-api §3.1). The
 * caller URL-encodes it when it puts it in the query.
 */
export function dingTalkRobotSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/**
 * `dd.config`'s signature: SHA-1 hex of `jsapi_ticket=…&noncestr=…&timeStamp=…&url=…`, the URL percent-decoded and
 * without its fragment, as DingTalk's own signing code does.
 */
export function dingTalkJsapiSignature(ticket: string, nonceStr: string, timestamp: string, url: string): string {
  const plain = `jsapi_ticket=${ticket}&noncestr=${nonceStr}&timeStamp=${timestamp}&url=${jsapiUrl(url)}`;
  return createHash('sha1').update(plain, 'utf8').digest('hex');
}

/** The URL as DingTalk signs it: no `#fragment`, percent escapes decoded (an unreadable escape is left as it is). */
export function jsapiUrl(url: string): string {
  const withoutFragment = url.split('#', 1)[0] ?? '';
  try {
    return decodeURIComponent(withoutFragment);
  } catch {
    return withoutFragment;
  }
}

/**
 * Reads a raw query string the way DingTalk writes it. `URLSearchParams` would turn a `+` into a space and break
 * the signature of a value that contains one, so only percent escapes are decoded.
 */
export function parseRawQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of rawQuery.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = percentDecode(at < 0 ? pair : pair.slice(0, at));
    const value = percentDecode(at < 0 ? '' : pair.slice(at + 1));
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The envelope of a callback request: `msg_signature` (older pushes `signature`), `timestamp` (older `timeStamp`),
 * `nonce` in the query, `{encrypt}` in the body. Throws `BAD_SIGNATURE` when a part is missing.
 */
export function readSealedCallback(rawQuery: string, body: string): DingTalkSealedCallback {
  const query = parseRawQuery(rawQuery);
  const signature = query.get('msg_signature') ?? query.get('signature');
  const timestamp = query.get('timestamp') ?? query.get('timeStamp');
  const nonce = query.get('nonce');
  let encrypt: unknown;
  try {
    encrypt = (JSON.parse(body) as { encrypt?: unknown } | null)?.encrypt;
  } catch {
    encrypt = undefined;
  }
  if (!signature || !timestamp || nonce === undefined || typeof encrypt !== 'string' || encrypt === '') {
    throw new PlatformError('BAD_SIGNATURE', 'DingTalk callback lacks msg_signature, timestamp, nonce or {encrypt}');
  }
  return { signature, timestamp, nonce, encrypt };
}

/**
 * Verifies (constant time), checks the timestamp window on `now`, decrypts and checks the receiver id; returns the
 * plaintext JSON. Throws `BAD_SIGNATURE` otherwise.
 */
export function openSealedCallback(cipher: CallbackCipher, sealed: DingTalkSealedCallback, now: number): string {
  cipher.verify(sealed.signature, sealed.timestamp, sealed.nonce, sealed.encrypt);
  assertFreshTimestamp(sealed.timestamp, now);
  return cipher.decrypt(sealed.encrypt).message;
}

/** Encrypts and signs `message` with a fresh nonce and `now` (ms) as the timestamp. */
export function sealCallback(cipher: CallbackCipher, message: string, now: number): DingTalkSealedCallback {
  const timestamp = String(now);
  const nonce = randomAscii(8).toString('ascii');
  const encrypt = cipher.encrypt(message);
  return { signature: cipher.signature(timestamp, nonce, encrypt), timestamp, nonce, encrypt };
}

/** The reply DingTalk waits for after every push: the encrypted `success` (without it, it redelivers). */
export function dingTalkSuccessReply(cipher: CallbackCipher, now: number): DingTalkCallbackReply {
  const sealed = sealCallback(cipher, 'success', now);
  return { msg_signature: sealed.signature, timeStamp: sealed.timestamp, nonce: sealed.nonce, encrypt: sealed.encrypt };
}
