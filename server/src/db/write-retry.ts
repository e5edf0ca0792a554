import { AppError } from '../errors';
import type { Db } from './create-db';

/** How a write transaction is retried after a conflict; every field has a default (`writeRetryPolicy`). */
export interface WriteRetryPolicy {
  /** Runs of the transaction in all, the first included. */
  attempts: number;
  /** The backoff before retry n (n = 1, 2, …) is uniform in [0, min(maxMs, baseMs · 2^(n-1))) ("full jitter"). */
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Seconds a client is told to wait (`Retry-After`) when the retries ran out. */
export const BUSY_RETRY_AFTER_S = 1;

const defaults: WriteRetryPolicy = {
  attempts: 5,
  baseMs: 5,
  maxMs: 200,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const policies = new WeakMap<Db, Partial<WriteRetryPolicy>>();

/**
 * Sets how write transactions on this database handle are retried (the app's defaults otherwise). Per handle, like the
 * claim engine: tests give their handle a sleep that returns at once, so no test waits on a real backoff.
 */
export function setWriteRetryPolicy(db: Db, policy: Partial<WriteRetryPolicy>): void {
  policies.set(db, policy);
}

/** The policy of a database handle: its own settings over the defaults. */
export function writeRetryPolicy(db: Db): WriteRetryPolicy {
  return { ...defaults, ...policies.get(db) };
}

/**
 * True when the database undid the transaction (or the statement) because another one got in the way, so running it
 * again is the answer: MySQL/MariaDB errno 1213 — a deadlock, and on Galera also a certification failure or a
 * brute-force abort by a write replicated from another node — and 1205, a lock wait timeout (the caller's transaction
 * is rolled back before it runs again); SQLite's `SQLITE_BUSY*`, another process holding the write lock past
 * busy_timeout. Never a constraint violation, a lost connection or a bad statement: those fail the same way again.
 */
export function isRetryableWriteConflict(err: unknown): boolean {
  const e = err as { errno?: unknown; code?: unknown } | null | undefined;
  if (e?.errno === 1213 || e?.errno === 1205) return true;
  return typeof e?.code === 'string' && e.code.startsWith('SQLITE_BUSY');
}

/** The answer when the retries ran out: a 503 the client may retry (after `Retry-After`), never a 500. */
export function busyError(): AppError {
  return new AppError(503, 'busy', '系统繁忙（多人同时操作同一数据），请稍后重试。', {}, { 'Retry-After': String(BUSY_RETRY_AFTER_S) });
}

/** The wait before retry `retry` (1-based): full jitter under an exponential cap. */
export function backoffMs(retry: number, policy: Pick<WriteRetryPolicy, 'baseMs' | 'maxMs' | 'random'>): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * cap);
}

/**
 * Runs a write transaction, and runs it again after a jittered backoff when it lost a conflict
 * (`isRetryableWriteConflict`), at most `attempts` times in all; then throws `busyError()`. `run` must be the whole
 * transaction, begin to commit (a rolled-back transaction is retried from its first read, never from the middle), and
 * any other error passes through untouched. The one retry loop of the app: every write transaction goes through it.
 */
export async function withWriteRetry<T>(db: Db, run: () => Promise<T>, overrides: Partial<WriteRetryPolicy> = {}): Promise<T> {
  const policy = { ...writeRetryPolicy(db), ...overrides };
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isRetryableWriteConflict(err)) throw err;
      if (attempt >= policy.attempts) throw busyError();
      await policy.sleep(backoffMs(attempt, policy));
    }
  }
}

/** A write transaction on `db`, retried on conflicts (`withWriteRetry`): what services call instead of `db.transaction()`. */
export function writeTransaction<T>(db: Db, run: (trx: Db) => Promise<T>): Promise<T> {
  return withWriteRetry(db, () => db.transaction().execute(run));
}
