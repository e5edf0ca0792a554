import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context, Middleware } from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { AppDeps, AppState } from '../context';
import { AppError } from '../errors';
import { loginBody } from '../modules/auth/auth';
import { RateLimiterDb, rateLimitBatches } from './rate-limiter-db';

/**
 * The rate limits (DESIGN §15), all decided here. They are sized for abuse, not for use: a rep tapping 领取 in a hurry,
 * a whole office logging in behind one NAT address at 9:00 and the claim benchmarks (200 reps storming, 80 reps × 25
 * simultaneous claims) stay well inside them. Fixed windows; the counters live in the database, so every server process
 * counts against the same budget.
 */
export const RATE_LIMITS = {
  /** Failed logins (a 401: unknown corp, invalid code) per client address: guessing login codes from one place. */
  loginFailuresPerAddress: { points: 30, duration: 10 * 60 },
  /** Failed logins per corp, from anywhere: guessing spread over many addresses, each spending the corp's API quota. */
  loginFailuresPerCorp: { points: 200, duration: 10 * 60 },
  /** Claims per user: a script hammering 领取 (the daily claim limit already caps what it can win). */
  claimsPerUser: { points: 120, duration: 60 },
  /** Check-in nonces per user: one per check-in attempt. */
  noncesPerUser: { points: 30, duration: 60 },
  /** Photo uploads per user: refused before the body is read. */
  photoUploadsPerUser: { points: 30, duration: 60 },
} as const;

type LimitName = keyof typeof RATE_LIMITS;
type RateLimits = Record<LimitName, RateLimiterDb>;

/** Key prefixes in the rate_limits table (stored: renaming one restarts its counters). */
const PREFIXES: Record<LimitName, string> = {
  loginFailuresPerAddress: 'login-ip',
  loginFailuresPerCorp: 'login-corp',
  claimsPerUser: 'claim',
  noncesPerUser: 'nonce',
  photoUploadsPerUser: 'photo',
};

const limitsByApp = new WeakMap<AppDeps, RateLimits>();

/** The limiters of one app (one set per AppDeps: a test's fresh harness starts with fresh in-memory blocks). */
function rateLimitsFor(deps: AppDeps): RateLimits {
  let limits = limitsByApp.get(deps);
  if (!limits) {
    const batches = rateLimitBatches(deps.db, deps.clock);
    const make = (name: LimitName) => {
      const { points, duration } = RATE_LIMITS[name];
      // Per-user limits: the first request refused by the database makes this process refuse the user from memory
      // until the window ends, so a script hammering away costs no more writes.
      const inMemoryBlockOnConsumed = name.endsWith('PerUser') ? points + 1 : undefined;
      return new RateLimiterDb(deps.db, deps.clock, { keyPrefix: PREFIXES[name], points, duration, inMemoryBlockOnConsumed }, batches);
    };
    limits = {
      loginFailuresPerAddress: make('loginFailuresPerAddress'),
      loginFailuresPerCorp: make('loginFailuresPerCorp'),
      claimsPerUser: make('claimsPerUser'),
      noncesPerUser: make('noncesPerUser'),
      photoUploadsPerUser: make('photoUploadsPerUser'),
    };
    limitsByApp.set(deps, limits);
  }
  return limits;
}

/** 429 `rate_limited`, with when to retry in the body and in `Retry-After`. */
function refuse(ctx: Context, msBeforeNext: number): never {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  ctx.set('Retry-After', String(seconds));
  throw new AppError(429, 'rate_limited', `操作太频繁，请 ${seconds} 秒后再试。`, { retryAfterSeconds: seconds });
}

type Counter = readonly [RateLimiterDb, string];

/**
 * Takes a point from every counter at once; when any of them is spent, gives back the points the others took and
 * answers 429 with the longest wait.
 */
async function take(ctx: Context, counters: Counter[]): Promise<void> {
  const results = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
  if (results.every((r) => r.status === 'fulfilled')) return;
  await giveBack(counters.filter((_, i) => results[i]!.status === 'fulfilled'));
  const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const failure = reasons.find((r) => !(r instanceof RateLimiterRes));
  if (failure !== undefined) throw failure;
  refuse(ctx, Math.max(...reasons.map((r) => (r as RateLimiterRes).msBeforeNext)));
}

async function giveBack(counters: Counter[]): Promise<void> {
  await Promise.all(counters.map(([limiter, key]) => limiter.reward(key)));
}

/** A counter key of bounded length: what the client sent is kept readable when short, hashed when long. */
function keyOf(...parts: string[]): string {
  const key = parts.join(':');
  return key.length <= 128 ? key : `sha256-${createHash('sha256').update(key).digest('base64url')}`;
}

/**
 * The client address a limit counts: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, which one subscriber
 * usually holds whole. Behind the reverse proxy, `ctx.ip` is the address it put last in X-Forwarded-For (app.ts).
 */
export function clientAddress(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (isIPv4(bare) || !isIPv6(bare)) return bare || 'unknown';
  const groups = (s: string) => (s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head = '', tail] = bare.split('::');
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/**
 * Login: a point per attempt from the client address's and the corp's budgets of failures, taken before the platform
 * is asked (a refused attempt spends none of the corp's API quota) and given back unless the login failed with a 401
 * (unknown corp, invalid code). A 403 `user_not_registered` came with a code the platform vouched for: not a guess.
 * Successful logins therefore never count, however many share one address.
 */
export function loginRateLimit(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const limits = rateLimitsFor(deps);
    const counters: Counter[] = [[limits.loginFailuresPerAddress, keyOf(clientAddress(ctx.ip))]];
    const body = loginBody.safeParse(ctx.request.body);
    if (body.success) counters.push([limits.loginFailuresPerCorp, keyOf(body.data.platform, body.data.corpId)]);
    await take(ctx, counters);
    let guessed = false;
    try {
      await next();
    } catch (err) {
      guessed = err instanceof AppError && err.status === 401;
      throw err;
    } finally {
      if (!guessed) await giveBack(counters).catch((err: unknown) => ctx.app.emit('error', err, ctx));
    }
  };
}

/** A per-user budget on a route behind requireAuth: a point per request, 429 once the window's points are spent. */
export function userRateLimit(deps: AppDeps, limit: 'claimsPerUser' | 'noncesPerUser' | 'photoUploadsPerUser'): Middleware<AppState> {
  return async (ctx, next) => {
    const actor = ctx.state.actor!;
    await take(ctx, [[rateLimitsFor(deps)[limit], keyOf(actor.tenantId, actor.userId)]]);
    return next();
  };
}
