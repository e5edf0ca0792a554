import {
  CallbackCipher,
  PlatformError,
  assertFreshTimestamp,
  type CallbackCredentials,
  type CallbackRequest,
  type CallbackResult,
  type Clock,
  type PlatformCallbacks,
} from '@gonghai/plugin-core';
import { readCallbackQuery } from './wecom.crypto';
import { translateWeComEvent } from './wecom.events';
import { parseWeComXml, xmlText } from './wecom.xml';

/**
 * The callback URL of one tenant's app (wecom-api §6): the GET handshake answers the decrypted `echostr` verbatim, a
 * POST is verified, decrypted and translated, and answered HTTP 200 with an empty body (WeCom needs no passive reply
 * for events, §6b). Throws only PlatformError: `BAD_SIGNATURE` for anything not provably from WeCom.
 */
export function createWeComCallbacks(options: { callback: CallbackCredentials | undefined; clock: Clock }): PlatformCallbacks {
  // Built once: a bad EncodingAESKey is a configuration error, surfaced on the first callback.
  let cipher: CallbackCipher | undefined;
  const cipherFor = (callback: CallbackCredentials) => (cipher ??= new CallbackCipher(callback));

  return {
    handle(request: CallbackRequest): CallbackResult {
      const { callback } = options;
      if (callback === undefined) throw new PlatformError('BAD_SIGNATURE', 'no WeCom callback token/EncodingAESKey configured');
      const query = readCallbackQuery(request.rawQuery);
      const signature = required(query, 'msg_signature');
      const timestamp = required(query, 'timestamp');
      const nonce = required(query, 'nonce');
      const crypto = cipherFor(callback);

      if (request.method === 'GET') {
        const echostr = required(query, 'echostr');
        crypto.verify(signature, timestamp, nonce, echostr);
        assertFreshTimestamp(timestamp, options.clock.now());
        const { message } = crypto.decrypt(echostr);
        // Verbatim: no quotes, no BOM, no newline, or WeCom refuses the URL (§6a).
        return { reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: message }, events: [] };
      }

      const envelope = parseWeComXml(request.body);
      const encrypt = xmlText(envelope, 'Encrypt');
      if (encrypt === undefined || encrypt === '') {
        throw new PlatformError('BAD_SIGNATURE', 'WeCom callback body is not <xml> with an <Encrypt> element');
      }
      crypto.verify(signature, timestamp, nonce, encrypt);
      assertFreshTimestamp(timestamp, options.clock.now());
      const { message } = crypto.decrypt(encrypt);
      const inner = parseWeComXml(message);
      if (inner === undefined) throw new PlatformError('BAD_RESPONSE', 'WeCom callback decrypted to something that is not <xml>');
      return {
        reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: '' },
        events: translateWeComEvent(inner, options.clock.now()),
      };
    },
  };
}

function required(query: Map<string, string>, name: string): string {
  const value = query.get(name);
  if (value === undefined || value === '') throw new PlatformError('BAD_SIGNATURE', `WeCom callback query has no ${name}`);
  return value;
}
