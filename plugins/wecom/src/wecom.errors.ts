import { PlatformError } from '@gonghai/plugin-core';
import type { WeComReply } from './wecom.types';

/**
 * The token was refused (40014 invalid, 42001 expired; 40001 too when an API call, not gettoken, answers it): drop
 * it, refresh once, retry once (wecom-api §1).
 */
export function isTokenRefused(errcode: number): boolean {
  return errcode === 40014 || errcode === 42001 || errcode === 40001;
}

/** "System busy": worth a retry with backoff (wecom-api §0). */
export function isBusy(reply: WeComReply): boolean {
  return reply.errcode === -1;
}

// 40056: the configured agent id is not this app's.
const invalidCredentials = new Set([40001, 40013, 40056, 40091]);
const rateLimited = new Set([45009, 45033]);
// 60111 no such user, 60003 no such department, 81013 every recipient invalid, 93000 webhook key unknown/robot removed.
const notFound = new Set([60111, 60003, 81013, 93000]);
// 48002 API not granted, 60011 outside the app's visible range, 93004 robot disabled.
const forbidden = new Set([48002, 60011, 93004]);
// 40058 bad parameter, 44004 empty content, 40008 bad message type, 301025 approval parameters (wecom-api §5a).
const invalidArgument = new Set([40008, 40058, 44004, 301025]);

/** Translates a failed answer; the vendor code stays on the error for logs only. */
export function weComError(operation: string, reply: WeComReply): PlatformError {
  const message = `WeCom ${operation} failed: ${reply.errmsg} (errcode ${reply.errcode})`;
  const { errcode } = reply;
  if (errcode === 40029) return new PlatformError('INVALID_CODE', message, errcode);
  if (errcode === 40014 || errcode === 42001) return new PlatformError('TOKEN_EXPIRED', message, errcode);
  if (invalidCredentials.has(errcode)) return new PlatformError('INVALID_CREDENTIALS', message, errcode);
  if (rateLimited.has(errcode)) return new PlatformError('RATE_LIMITED', message, errcode);
  if (notFound.has(errcode)) return new PlatformError('NOT_FOUND', message, errcode);
  if (forbidden.has(errcode)) return new PlatformError('FORBIDDEN', message, errcode);
  if (invalidArgument.has(errcode)) return new PlatformError('INVALID_ARGUMENT', message, errcode);
  if (isBusy(reply)) return new PlatformError('UNAVAILABLE', message, errcode);
  return new PlatformError('UNKNOWN', message, errcode);
}
