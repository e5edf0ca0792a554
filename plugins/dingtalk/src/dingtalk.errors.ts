import { PlatformError } from '@gonghai/plugin-core';
import type { DingTalkApiFailure, DingTalkReply } from './dingtalk.types';

/** The token was refused (40014 invalid, 42001 expired): drop it, refresh once, retry once (dingtalk-api §0). */
export function isTokenRefused(errcode: number): boolean {
  return errcode === 40014 || errcode === 42001;
}

/** "System busy" (-1) and the legacy timeouts (15, or 88 with an empty sub_code) merit a retry (dingtalk-api §0). */
export function isBusy(reply: DingTalkReply): boolean {
  return reply.errcode === -1 || reply.errcode === 15 || (reply.errcode === 88 && !reply.sub_code);
}

const invalidCredentials = new Set([40001, 40013, 40089]);
// 130101: a group robot over 20 messages a minute (dingtalk-api §3.1).
const rateLimited = new Set([90002, 90018, 90019, 90020, 130101]);
// 60003 department, 60121 user (dingtalk-api §2); 300005 robot token "is not exist" (§3.1).
const notFound = new Set([60003, 60121, 300005]);
const invalidArgument = new Set([400002, 40035]);

/** Translates a failed answer; the vendor code stays on the error for logs only. */
export function dingTalkError(operation: string, reply: DingTalkReply): PlatformError {
  const message = `DingTalk ${operation} failed: ${reply.errmsg} (errcode ${reply.errcode})`;
  const { errcode } = reply;
  if (errcode === 40078) return new PlatformError('INVALID_CODE', message, errcode);
  if (isTokenRefused(errcode)) return new PlatformError('TOKEN_EXPIRED', message, errcode);
  if (invalidCredentials.has(errcode)) return new PlatformError('INVALID_CREDENTIALS', message, errcode);
  // 130101 throttles the robot for a while (dingtalk-api §3.1): a minute is the least the caller should wait.
  if (errcode === 130101) return new PlatformError('RATE_LIMITED', message, errcode, 60_000);
  if (rateLimited.has(errcode)) return new PlatformError('RATE_LIMITED', message, errcode);
  if (notFound.has(errcode)) return new PlatformError('NOT_FOUND', message, errcode);
  if (invalidArgument.has(errcode)) return new PlatformError('INVALID_ARGUMENT', message, errcode);
  // 310000 is the robot's security check: keyword, timestamp, signature or IP — a setup problem, not a transient one.
  if (errcode === 310000) return new PlatformError('INVALID_CREDENTIALS', message, errcode);
  if (isBusy(reply)) return new PlatformError('UNAVAILABLE', message, errcode);
  return new PlatformError('UNKNOWN', message, errcode);
}

/** A v1.0 token refusal: the gateway answers `InvalidAuthentication` for a bad and an expired token alike. */
export function isApiTokenRefused(failure: DingTalkApiFailure): boolean {
  return failure.code === 'InvalidAuthentication';
}

/** Translates a v1.0 failure (HTTP 4xx + `{code, message}`, dingtalk-api §0). */
export function dingTalkApiError(operation: string, status: number, failure: DingTalkApiFailure): PlatformError {
  const message = `DingTalk ${operation} failed: ${failure.message} (HTTP ${status}, ${failure.code})`;
  const { code } = failure;
  if (isApiTokenRefused(failure)) return new PlatformError('TOKEN_EXPIRED', message, code);
  if (code === 'invalid.client' || code === 'invalidClientIdOrSecret') {
    return new PlatformError('INVALID_CREDENTIALS', message, code);
  }
  if (status === 429 || /QpsLimit|Throttling|ApiCountLimit/i.test(code)) {
    return new PlatformError('RATE_LIMITED', message, code);
  }
  if (/^invalidParameter|^InvalidParameter|^MissingParameter/.test(code)) {
    return new PlatformError('INVALID_ARGUMENT', message, code);
  }
  if (status === 404 || /NotFound|notExist/i.test(code)) return new PlatformError('NOT_FOUND', message, code);
  if (status === 403 || /^Forbidden/.test(code)) return new PlatformError('FORBIDDEN', message, code);
  return new PlatformError('UNKNOWN', message, code);
}
