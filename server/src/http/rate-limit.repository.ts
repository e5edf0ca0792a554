import { sql } from 'kysely';
import { isMysql, type Db } from '../db/create-db';

/** A counter as stored: points used in the window and when the window ends (null: never). */
export interface RateLimitRow {
  limit_key: string;
  points: number;
  expires_at: number | null;
}

/**
 * Adds points to each key's current window in one statement; a key without a row, or whose window ended by `now`,
 * starts a new window at its points until its `expires_at`. Keys must be distinct; sorted, so two processes lock the
 * same rows in the same order.
 */
export async function addRateLimitPoints(db: Db, rows: RateLimitRow[], now: number): Promise<void> {
  const insert = db.insertInto('rate_limits').values([...rows].sort((a, b) => (a.limit_key < b.limit_key ? -1 : a.limit_key > b.limit_key ? 1 : 0)));
  if (isMysql(db)) {
    // MySQL assigns left to right: points is decided on the old expires_at, which is set after it.
    await insert
      .onDuplicateKeyUpdate({
        points: sql`if(expires_at <= ${now}, values(points), points + values(points))`,
        expires_at: sql`if(expires_at <= ${now}, values(expires_at), expires_at)`,
      })
      .execute();
    return;
  }
  await insert
    .onConflict((oc) =>
      oc.column('limit_key').doUpdateSet({
        points: sql`case when rate_limits.expires_at <= ${now} then excluded.points else rate_limits.points + excluded.points end`,
        expires_at: sql`case when rate_limits.expires_at <= ${now} then excluded.expires_at else rate_limits.expires_at end`,
      }),
    )
    .execute();
}

/** Overwrites a key's counter (the library's `set` and `block`). */
export async function setRateLimitPoints(db: Db, row: RateLimitRow): Promise<void> {
  const insert = db.insertInto('rate_limits').values(row);
  if (isMysql(db)) {
    await insert.onDuplicateKeyUpdate({ points: row.points, expires_at: row.expires_at }).execute();
    return;
  }
  await insert.onConflict((oc) => oc.column('limit_key').doUpdateSet({ points: row.points, expires_at: row.expires_at })).execute();
}

/** The counters of these keys, expired or not. */
export async function findRateLimits(db: Db, keys: string[]): Promise<RateLimitRow[]> {
  if (keys.length === 0) return [];
  return db.selectFrom('rate_limits').select(['limit_key', 'points', 'expires_at']).where('limit_key', 'in', keys).execute();
}

/** Removes a key's counter; true when there was one. */
export async function deleteRateLimit(db: Db, key: string): Promise<boolean> {
  const result = await db.deleteFrom('rate_limits').where('limit_key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Removes the counters whose window ended before `before`; returns how many. */
export async function deleteExpiredRateLimits(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
