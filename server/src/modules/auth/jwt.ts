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

const knownRoles: readonly Role[] = ['rep', 'manager', 'hr', 'admin'];
const isRoleList = (value: unknown): value is Role[] => Array.isArray(value) && value.every((r) => knownRoles.includes(r as Role));

/** Zones found valid: a handful per deployment (only signed tokens get as far as this check). */
const validZones = new Set<string>();

/** Whether `zone` is a time zone this runtime knows (`Asia/Shanghai`), as the tenant-local date math needs. */
function isTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  validZones.add(zone);
  return true;
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
    // Every token we issue has all of these; one without an expiry would be good forever, one with a zone that does
    // not exist would fail later, in the middle of a request.
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.tid !== 'string') throw new Error('claims');
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new Error('exp');
    if (!isRoleList(payload.roles) || typeof payload.tz !== 'string' || !isTimeZone(payload.tz)) throw new Error('claims');
    const claims = { sub: payload.sub, tid: payload.tid, roles: payload.roles, tz: payload.tz };
    if (known.size >= MAX_VERIFIED) known.clear();
    known.set(token, { claims, nbf: typeof payload.nbf === 'number' ? payload.nbf : -Infinity, exp: payload.exp });
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
