import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/create-db';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';

/** The fire `p` names, still held by `p.holder` and not done: what renew, finish and release may touch. */
function heldBy(p: FireKey & { holder: string }) {
  return (eb: ExpressionBuilder<Database, 'job_leases'>) =>
    eb.and([eb('job', '=', p.job), eb('scope', '=', p.scope), eb('fire_at', '=', p.fireAt), eb('holder', '=', p.holder), eb('done_at', 'is', null)]);
}

/** One fire of a job for one scope (a tenant id, or 'server'). */
export interface FireKey {
  job: string;
  scope: string;
  /** The scheduled instant, truncated to the minute (to the second for sub-minute schedules). */
  fireAt: number;
}

/** How many holders may claim one fire before it is given up (a fire that crashes every holder must not loop). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Claims a fire for `holder`: true for exactly one caller per fire, however many processes race. A fire whose holder
 * neither finished nor renewed it before `expires_at` can be taken over by the next claimer (crash recovery), up to
 * `maxAttempts` claims in all; a finished fire is never claimed again.
 */
export async function claimFire(
  db: Db,
  p: FireKey & { holder: string; now: number; ttlMs: number; maxAttempts?: number },
): Promise<boolean> {
  try {
    await db
      .insertInto('job_leases')
      .values({ job: p.job, scope: p.scope, fire_at: p.fireAt, holder: p.holder, attempts: 1, expires_at: p.now + p.ttlMs, done_at: null, claimed_at: p.now })
      .execute();
    return true;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  // Someone claimed it first: take it over only if they never finished and let the lease lapse. The condition is
  // re-checked by the update itself, so of two processes taking over at once only one changes the row.
  const res = await db
    .updateTable('job_leases')
    .set((eb) => ({ holder: p.holder, attempts: eb('attempts', '+', 1), expires_at: p.now + p.ttlMs, claimed_at: p.now }))
    .where('job', '=', p.job)
    .where('scope', '=', p.scope)
    .where('fire_at', '=', p.fireAt)
    .where('done_at', 'is', null)
    .where('expires_at', '<=', p.now)
    .where('attempts', '<', p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Extends a running fire's lease; false when the holder lost it (it expired and someone else took over). */
export async function renewFire(db: Db, p: FireKey & { holder: string; now: number; ttlMs: number }): Promise<boolean> {
  const res = await db
    .updateTable('job_leases')
    .set({ expires_at: p.now + p.ttlMs })
    .where(heldBy(p))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Marks a fire done so nobody runs it again; false when `holder` no longer held it. */
export async function finishFire(db: Db, p: FireKey & { holder: string; now: number }): Promise<boolean> {
  const res = await db
    .updateTable('job_leases')
    .set({ done_at: p.now })
    .where(heldBy(p))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Gives a failed fire back at once (its lease ends now), so the next takeover can retry it without waiting out the TTL. */
export async function releaseFire(db: Db, p: FireKey & { holder: string; now: number }): Promise<void> {
  await db
    .updateTable('job_leases')
    .set({ expires_at: p.now })
    .where(heldBy(p))
    .execute();
}

/**
 * Fires that were claimed but never finished and whose lease has lapsed, oldest first: the work of a crashed (or failed)
 * holder. A fire with a later fire of the same job and scope already claimed is left alone — the later one superseded it.
 */
export async function listStalledFires(
  db: Db,
  p: { now: number; since: number; maxAttempts?: number; limit?: number },
): Promise<FireKey[]> {
  const rows = await db
    .selectFrom('job_leases as l')
    .select(['l.job', 'l.scope', 'l.fire_at'])
    .where('l.done_at', 'is', null)
    .where('l.expires_at', '<=', p.now)
    .where('l.attempts', '<', p.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
    .where('l.fire_at', '>=', p.since)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('job_leases as n')
            .select('n.job')
            .whereRef('n.job', '=', 'l.job')
            .whereRef('n.scope', '=', 'l.scope')
            .whereRef('n.fire_at', '>', 'l.fire_at'),
        ),
      ),
    )
    .orderBy('l.fire_at')
    .limit(p.limit ?? 100)
    .execute();
  return rows.map((r) => ({ job: r.job, scope: r.scope, fireAt: Number(r.fire_at) }));
}

/** Deletes the lease rows of fires scheduled before `before` (of the given jobs only, when named); returns how many. */
export async function pruneFires(db: Db, p: { before: number; jobs?: readonly string[] }): Promise<number> {
  if (p.jobs && p.jobs.length === 0) return 0;
  let q = db.deleteFrom('job_leases').where('fire_at', '<', p.before);
  if (p.jobs) q = q.where('job', 'in', p.jobs);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}
