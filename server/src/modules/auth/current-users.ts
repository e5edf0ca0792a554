import type { Clock } from '@gonghai/plugin-core';
import type { Db } from '../../db/create-db';
import { findUserStanding, type UserStanding } from '../org/org.repository';

/**
 * How long one process answers from what it read about a user (DESIGN §15: a departed user is locked out within
 * seconds). The org events invalidate at once; this bounds what no event reported (another process's event, a change
 * made in the database).
 */
export const CURRENT_USER_TTL_MS = 5_000;
/** A bound on remembered users; past it the memory starts over (each user is read again, nothing more). */
const MAX_REMEMBERED = 100_000;

const keyOf = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;

/**
 * Every user's current active flag and roles, as the database has them, remembered per process for a few seconds so
 * that an authenticated request costs a map lookup, not a query. Requests arriving together for a user not remembered
 * share one read.
 */
export class CurrentUsers {
  private readonly remembered = new Map<string, { readAt: number; standing: Promise<UserStanding | undefined> }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly ttlMs: number = CURRENT_USER_TTL_MS,
  ) {}

  /** The user's standing now (undefined: the tenant has no such user), read at most `ttlMs` ago and not invalidated since. */
  standingOf(tenantId: string, userId: string): Promise<UserStanding | undefined> {
    const key = keyOf(tenantId, userId);
    const now = this.clock.now();
    const hit = this.remembered.get(key);
    // A clock that went back (a test's, or a corrected system clock) does not stretch what was read.
    if (hit !== undefined && now >= hit.readAt && now - hit.readAt < this.ttlMs) return hit.standing;
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    const entry = { readAt: now, standing: findUserStanding(this.db, tenantId, userId) };
    this.remembered.set(key, entry);
    // A failed read is not remembered: the next request tries again.
    entry.standing.catch(() => {
      if (this.remembered.get(key) === entry) this.remembered.delete(key);
    });
    return entry.standing;
  }

  /** Forgets one user, or every user of the tenant: their next request reads the database. Called by the org events. */
  invalidate(tenantId: string, userId?: string): void {
    if (userId !== undefined) {
      this.remembered.delete(keyOf(tenantId, userId));
      return;
    }
    const prefix = keyOf(tenantId, '');
    for (const key of this.remembered.keys()) if (key.startsWith(prefix)) this.remembered.delete(key);
  }
}
