import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../../errors';
import type { Role } from '../org/org';

export interface TokenClaims {
  /** Platform user id. */
  sub: string;
  /** Tenant id. */
  tid: string;
  roles: Role[];
  tz: string;
}

const keys = new Map<string, KeyObject>();

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to parse it as a public
 * key on every call, which cost about 0.5 ms per request.
 */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

export function signToken(claims: TokenClaims, secret: string, ttlSeconds: number, nowMs: number): string {
  return jwt.sign({ ...claims, iat: Math.floor(nowMs / 1000) }, keyOf(secret), { algorithm: 'HS256', expiresIn: ttlSeconds });
}

export function verifyToken(token: string, secret: string, nowMs: number): TokenClaims {
  try {
    const payload = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], clockTimestamp: Math.floor(nowMs / 1000) });
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.tid !== 'string') throw new Error('claims');
    return { sub: payload.sub, tid: payload.tid, roles: (payload.roles ?? []) as Role[], tz: String(payload.tz ?? 'Asia/Shanghai') };
  } catch (err) {
    const expired = (err as Error).name === 'TokenExpiredError';
    throw new AppError(
      401,
      expired ? 'token_expired' : 'unauthenticated',
      expired ? '登录已过期，请重新打开应用登录。' : '登录凭证无效，请重新打开应用登录。',
    );
  }
}
