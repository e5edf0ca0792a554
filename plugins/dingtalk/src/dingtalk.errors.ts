import { PlatformError } from '@gonghai/plugin-core';
import type { DingTalkReply } from './dingtalk.types';

/** The token was refused (40014 invalid, 42001 expired): drop it, refresh once, retry once (dingtalk-api §0). */
export function isTokenRefused(errcode: number): boolean {
  return errcode === 40014 || errcode === 42001;
}

/** "System busy" (-1) and the legacy timeouts (15, or 88 with an empty sub_code) merit a retry (dingtalk-api §0). */
export function isBusy(reply: DingTalkReply): boolean {
  return reply.errcode === -1 || reply.errcode === 15 || (reply.errcode === 88 && !reply.sub_code);
}

const invalidCredentials = new Set([40001, 40013, 40089]);
const rateLimited = new Set([90002, 90018, 90019]);

/** Translates a failed answer; the vendor code stays on the error for logs only. */
export function dingTalkError(operation: string, reply: DingTalkReply): PlatformError {
  const message = `DingTalk ${operation} failed: ${reply.errmsg} (errcode ${reply.errcode})`;
  const { errcode } = reply;
  if (errcode === 40078) return new PlatformError('INVALID_CODE', message, errcode);
  if (isTokenRefused(errcode)) return new PlatformError('TOKEN_EXPIRED', message, errcode);
  if (invalidCredentials.has(errcode)) return new PlatformError('INVALID_CREDENTIALS', message, errcode);
  if (rateLimited.has(errcode)) return new PlatformError('RATE_LIMITED', message, errcode);
  if (isBusy(reply)) return new PlatformError('UNAVAILABLE', message, errcode);
  return new PlatformError('UNKNOWN', message, errcode);
}
