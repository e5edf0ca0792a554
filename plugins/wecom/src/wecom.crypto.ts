import { CallbackCipher, PlatformError, randomAscii, type CallbackCredentials } from '@gonghai/plugin-core';
import { buildWeComXml, parseWeComXml, xmlText } from './wecom.xml';

/**
 * Reads a raw query string the way WeCom means it: percent-decoding only. `URLSearchParams` and `querystring` turn a
 * literal `+` into a space, which breaks a base64 `echostr` (wecom-api §6a). Throws `BAD_SIGNATURE` for a malformed
 * escape: nothing WeCom sends has one.
 */
export function readCallbackQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of rawQuery.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = at === -1 ? pair : pair.slice(0, at);
    const value = at === -1 ? '' : pair.slice(at + 1);
    try {
      // The first occurrence wins, as a duplicate could only be an attempt to confuse the check.
      const key = decodeURIComponent(name);
      if (!params.has(key)) params.set(key, decodeURIComponent(value));
    } catch {
      throw new PlatformError('BAD_SIGNATURE', `callback query has a malformed escape in "${name}"`);
    }
  }
  return params;
}

/** An encrypted envelope as WeCom sends it (and as a passive reply goes back): cipher text plus its signature. */
export interface WeComEnvelope {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
}

/** Encrypts and signs `plaintext`; `timestamp` in seconds. The sandbox and passive replies both use it. */
export function sealWeComMessage(
  credentials: CallbackCredentials,
  plaintext: string,
  timestamp: string,
  nonce: string = randomAscii(10).toString('ascii'),
  random?: Buffer,
): WeComEnvelope {
  const cipher = new CallbackCipher(credentials);
  const encrypt = cipher.encrypt(plaintext, random);
  return { encrypt, signature: cipher.signature(timestamp, nonce, encrypt), timestamp, nonce };
}

/** The passive reply body (wecom-api §6b): `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function passiveReplyXml(envelope: WeComEnvelope): string {
  return buildWeComXml([
    ['Encrypt', envelope.encrypt],
    ['MsgSignature', envelope.signature],
    ['TimeStamp', Number(envelope.timestamp)],
    ['Nonce', envelope.nonce],
  ]);
}

/** Reads a passive reply back; `undefined` when the text is not one. Never throws. */
export function readPassiveReply(text: string): WeComEnvelope | undefined {
  const root = parseWeComXml(text);
  const encrypt = xmlText(root, 'Encrypt');
  const signature = xmlText(root, 'MsgSignature');
  const timestamp = xmlText(root, 'TimeStamp');
  const nonce = xmlText(root, 'Nonce');
  if (encrypt === undefined || signature === undefined || timestamp === undefined || nonce === undefined) {
    return undefined;
  }
  return { encrypt, signature, timestamp, nonce };
}
