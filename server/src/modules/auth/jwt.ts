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

/** Tokens whose signature was checked, with their claims and validity window (seconds), per secret. */
const verified = new Map<string, Map<string, { claims: TokenClaims; nbf: number; exp: number }>>();
/** A bound on remembered tokens per secret; past it the memory starts over (a token is verified again, nothing more). */
const MAX_VERIFIED = 50_000;

/**
 * Checks a token's signature and validity window at `nowMs`. Every API request carries the same token for up to its
 * lifetime, so a token once verified is remembered with its claims and window: later requests recheck only the window
 * against the clock, not the HMAC and the JSON (a few percent of a claim's or check-in's CPU).
 */
export function verifyToken(token: string, secret: string, nowMs: number): TokenClaims {
  const nowS = Math.floor(nowMs / 1000);
  let known = verified.get(secret);
  if (!known) verified.set(secret, (known = new Map()));
  const hit = known.get(token);
  if (hit && nowS >= hit.nbf && nowS < hit.exp) return hit.claims;
  try {
    const payload = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], clockTimestamp: nowS });
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.tid !== 'string') throw new Error('claims');
    const claims = { sub: payload.sub, tid: payload.tid, roles: (payload.roles ?? []) as Role[], tz: String(payload.tz ?? 'Asia/Shanghai') };
    // Only tokens that expire are remembered, and only until then.
    if (typeof payload.exp === 'number') {
      if (known.size >= MAX_VERIFIED) known.clear();
      known.set(token, { claims, nbf: typeof payload.nbf === 'number' ? payload.nbf : -Infinity, exp: payload.exp });
    }
    return claims;
  } catch (err) {
    const expired = (err as Error).name === 'TokenExpiredError';
    throw new AppError(
      401,
      expired ? 'token_expired' : 'unauthenticated',
      expired ? '登录已过期，请重新打开应用登录。' : '登录凭证无效，请重新打开应用登录。',
    );
  }
}
