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

export function signToken(claims: TokenClaims, secret: string, ttlSeconds: number, nowMs: number): string {
  return jwt.sign({ ...claims, iat: Math.floor(nowMs / 1000) }, secret, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

export function verifyToken(token: string, secret: string, nowMs: number): TokenClaims {
  try {
    const payload = jwt.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: Math.floor(nowMs / 1000) });
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
