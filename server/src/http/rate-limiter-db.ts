import type { Clock } from '@gonghai/plugin-core';
import { RateLimiterRes, type RateLimiterStoreAbstract as StoreAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/create-db';
import { GroupCommit } from '../db/group-commit';
import { withWriteRetry } from '../db/write-retry';
import { addRateLimitPoints, deleteRateLimit, findRateLimits, setRateLimitPoints, type RateLimitRow } from './rate-limit.repository';

// The package's types declare its store base class, but its index (v11) does not export it; its own stores take it by path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RateLimiterStoreAbstract: typeof StoreAbstract = require('rate-limiter-flexible/lib/RateLimiterStoreAbstract');

export interface RateLimiterDbOptions {
  keyPrefix: string;
  points: number;
  /** Window length in seconds. */
  duration: number;
  /** At this many points the key is refused in this process's memory until its window ends, sparing the database. */
  inMemoryBlockOnConsumed?: number;
}

/** One counter change as the library asks for it. */
interface Change {
  key: string;
  points: number;
  msDuration: number;
}

/** What a change leaves: the points counted up to and including it, and the end of its window. */
interface Counted {
  points: number;
  expiresAt: number | null;
}

/**
 * The database as rate-limiter-flexible's store (its `RateLimiterStoreAbstract`), on SQLite and MySQL alike through
 * Kysely: every server process on the database shares the counters. Changes that arrive together are written by one
 * statement (GroupCommit), so the claim route's count costs a share of a batch instead of a commit per request.
 */
export class RateLimiterDb extends RateLimiterStoreAbstract {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly batches: GroupCommit<Change, Counted>;

  constructor(db: Db, clock: Clock, options: RateLimiterDbOptions, batches?: GroupCommit<Change, Counted>) {
    super({ ...options, storeClient: db });
    this.db = db;
    this.clock = clock;
    this.batches = batches ?? rateLimitBatches(db, clock);
  }

  /** Library hook: adds `points` to the key (or, forced, sets them) and answers the counter as it now stands. */
  _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<Counted> {
    if (forceExpire) {
      const expiresAt = msDuration > 0 ? this.clock.now() + msDuration : null;
      return withWriteRetry(this.db, () => setRateLimitPoints(this.db, { limit_key: key, points, expires_at: expiresAt })).then(() => ({ points, expiresAt }));
    }
    return this.batches.submit({ key, points, msDuration });
  }

  /** Library hook: the key's counter, or null when it has none or its window has ended. */
  async _get(key: string): Promise<Counted | null> {
    const [row] = await findRateLimits(this.db, [key]);
    if (row === undefined || (row.expires_at !== null && row.expires_at <= this.clock.now())) return null;
    return { points: row.points, expiresAt: row.expires_at };
  }

  /** Library hook: forgets the key; true when it had a counter. */
  _delete(key: string): Promise<boolean> {
    return deleteRateLimit(this.db, key);
  }

  /** Library hook: the library's answer for a counter. */
  _getRateLimiterRes(_key: string, changedPoints: number, counted: Counted): RateLimiterRes {
    const msBeforeNext = counted.expiresAt === null ? -1 : Math.max(counted.expiresAt - this.clock.now(), 0);
    return new RateLimiterRes(Math.max(this.points - counted.points, 0), msBeforeNext, counted.points, counted.points === changedPoints);
  }
}

/**
 * The batches one app's limiters share: each batch adds every key's points in one statement, reads the counters back in
 * one query, and gives each change the count as it stood after it (arrival order within the batch). A count read back
 * may include another process's points added in between: a limit is then reached a little early, never late.
 */
export function rateLimitBatches(db: Db, clock: Clock): GroupCommit<Change, Counted> {
  return new GroupCommit<Change, Counted>({
    keyOf: () => 'rate-limits',
    maxInFlight: 2,
    maxBatch: 500,
    async run(changes) {
      const now = clock.now();
      const byKey = new Map<string, RateLimitRow>();
      for (const c of changes) {
        const row = byKey.get(c.key);
        if (row) row.points += c.points;
        else byKey.set(c.key, { limit_key: c.key, points: c.points, expires_at: c.msDuration > 0 ? now + c.msDuration : null });
      }
      await withWriteRetry(db, () => addRateLimitPoints(db, [...byKey.values()], now));
      const stored = new Map((await findRateLimits(db, [...byKey.keys()])).map((r) => [r.limit_key, r]));
      const counted: Counted[] = new Array(changes.length);
      const after = new Map<string, number>();
      for (let i = changes.length - 1; i >= 0; i--) {
        const c = changes[i]!;
        const row = stored.get(c.key);
        // Pruned between the two statements (its window had ended): count this batch's points alone.
        const total = after.get(c.key) ?? row?.points ?? byKey.get(c.key)!.points;
        counted[i] = { points: total, expiresAt: row ? row.expires_at : byKey.get(c.key)!.expires_at };
        after.set(c.key, total - c.points);
      }
      return counted;
    },
  });
}
