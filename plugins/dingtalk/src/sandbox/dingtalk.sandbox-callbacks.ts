import { CallbackCipher, deliverCallback, type OrgFixture } from '@gonghai/plugin-core';
import { sealCallback } from '../dingtalk.crypto';

/** What became of one push, as the control endpoints report it. */
export interface DingTalkDeliveryOutcome {
  /** The server answered HTTP 200 with a correctly signed, encrypted `success` — what DingTalk counts as received. */
  delivered: boolean;
  /** The server's HTTP status; 0 when it could not be reached. */
  serverStatus: number;
  /** Why it does not count as received. */
  reason?: string;
}

/**
 * Pushes one event to the corp's callback URL as DingTalk does (dingtalk-api §5.1): POST, query `msg_signature`,
 * `timestamp` (ms), `nonce`, JSON body `{encrypt}`; then checks the reply. Never throws.
 */
export async function pushDingTalkEvent(
  callback: NonNullable<OrgFixture['callback']>,
  payload: Record<string, unknown>,
  now: number,
): Promise<DingTalkDeliveryOutcome> {
  const cipher = new CallbackCipher(callback);
  const sealed = sealCallback(cipher, JSON.stringify(payload), now);
  let answer: { status: number; body: string };
  try {
    answer = await deliverCallback({
      url: callback.url(),
      query: { msg_signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce },
      body: JSON.stringify({ encrypt: sealed.encrypt }),
      contentType: 'application/json',
    });
  } catch (error) {
    return { delivered: false, serverStatus: 0, reason: error instanceof Error ? error.message : String(error) };
  }
  const reason = replyProblem(cipher, answer);
  return { delivered: reason === undefined, serverStatus: answer.status, ...(reason === undefined ? {} : { reason }) };
}

/** `undefined` when the answer is the signed, encrypted `success` DingTalk waits for; otherwise what is wrong. */
function replyProblem(cipher: CallbackCipher, answer: { status: number; body: string }): string | undefined {
  if (answer.status !== 200) return `the server answered HTTP ${answer.status}`;
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return 'the server did not answer JSON';
  }
  const { msg_signature: signature, timeStamp, nonce, encrypt } = reply ?? {};
  if (typeof signature !== 'string' || typeof timeStamp !== 'string' || typeof nonce !== 'string' || typeof encrypt !== 'string') {
    return 'the reply lacks msg_signature, timeStamp, nonce or encrypt';
  }
  try {
    cipher.verify(signature, timeStamp, nonce, encrypt);
    const { message } = cipher.decrypt(encrypt);
    return message === 'success' ? undefined : `the reply decrypts to "${message}", not "success"`;
  } catch (error) {
    return `the reply does not verify: ${error instanceof Error ? error.message : String(error)}`;
  }
}
