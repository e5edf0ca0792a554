import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MysqlAdapter, MysqlDialect, type Kysely } from 'kysely';
import { isUniqueViolation } from './errors';

/**
 * The cluster-wide migration lock on MySQL-protocol databases: one row in a table, taken with an insert (or the takeover
 * of an expired row) and given back at the end. Kysely's own MySQL lock is `GET_LOCK`, which is node-local on Galera and
 * not shared across TiDB servers (../shared/reference/galera.md: three instances migrating at once, two failed); a row
 * written by every contender is certified cluster-wide, so exactly one holds it.
 */
// Named beside Kysely's own bookkeeping (kysely_migration, kysely_migration_lock) so that whatever skips those skips it.
export const MIGRATION_LOCK_TABLE = 'kysely_migration_row_lock';
const LOCK_ROW = 'migrate';

export interface MigrationLockTiming {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** How long a holder keeps the lock without renewing it: a crashed migrator's lock lapses after this. */
  ttlMs: number;
  /** How often a holder renews it, and a waiting migrator looks again. */
  renewMs: number;
  pollMs: number;
  /** How long a migrator waits for a live holder before it gives up. */
  waitMs: number;
}

export const systemMigrationLockTiming: MigrationLockTiming = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ttlMs: 120_000,
  renewMs: 20_000,
  pollMs: 500,
  waitMs: 30 * 60_000,
};

/** Who holds the lock, as the row says it (the host and pid tell an operator which instance to look at). */
export function newLockOwner(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** A certification failure or deadlock (errno 1213): another node wrote the row first, so look again. */
function lostTheRace(err: unknown): boolean {
  const e = err as { errno?: number; code?: string };
  return e?.errno === 1213 || e?.code === 'ER_LOCK_DEADLOCK';
}

async function ensureLockTable(db: Kysely<any>): Promise<void> {
  // DDL replicates on Galera (total order isolation); `if not exists` makes the racing creators harmless.
  await db.schema
    .createTable(MIGRATION_LOCK_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(80)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** Takes the lock row once: true when `owner` holds it now (a fresh insert, or the takeover of an expired row). */
export async function tryMigrationLock(db: Kysely<any>, owner: string, now: number, ttlMs: number): Promise<boolean> {
  await ensureLockTable(db);
  try {
    await db.insertInto(MIGRATION_LOCK_TABLE).values({ id: LOCK_ROW, owner, expires_at: now + ttlMs }).execute();
    return true;
  } catch (err) {
    if (lostTheRace(err)) return false;
    if (!isUniqueViolation(err)) throw err;
  }
  try {
    // The condition is re-checked by the update itself: of two migrators taking over at once, one changes the row.
    const res = await db
      .updateTable(MIGRATION_LOCK_TABLE)
      .set({ owner, expires_at: now + ttlMs })
      .where('id', '=', LOCK_ROW)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  } catch (err) {
    if (lostTheRace(err)) return false;
    throw err;
  }
}

/** Waits (polling) until `owner` holds the lock; stops with the holder's name after `waitMs`. */
export async function acquireMigrationLock(db: Kysely<any>, owner: string, timing: MigrationLockTiming = systemMigrationLockTiming): Promise<void> {
  const started = timing.now();
  for (;;) {
    const now = timing.now();
    if (await tryMigrationLock(db, owner, now, timing.ttlMs)) return;
    if (now - started >= timing.waitMs) {
      const holder = await db.selectFrom(MIGRATION_LOCK_TABLE).select(['owner', 'expires_at']).where('id', '=', LOCK_ROW).executeTakeFirst();
      throw new Error(
        `等待数据库迁移锁超时（${Math.round(timing.waitMs / 60_000)} 分钟）：另一个实例（${holder?.owner ?? '未知'}）仍在迁移数据库。` +
          `请确认它是否还在运行；它停止后锁会在 ${Math.round(timing.ttlMs / 1000)} 秒内过期，再重新运行 npm run migrate。`,
      );
    }
    await timing.sleep(timing.pollMs);
  }
}

/** Extends `owner`'s lock; false when it lost it (it lapsed and another migrator took over). */
export async function renewMigrationLock(db: Kysely<any>, owner: string, now: number, ttlMs: number): Promise<boolean> {
  const res = await db.updateTable(MIGRATION_LOCK_TABLE).set({ expires_at: now + ttlMs }).where('id', '=', LOCK_ROW).where('owner', '=', owner).executeTakeFirst();
  // -FOUND_ROWS counts changed rows only: a renewal within the same millisecond changes nothing and still holds.
  if (Number(res.numUpdatedRows) === 1) return true;
  const row = await db.selectFrom(MIGRATION_LOCK_TABLE).select('owner').where('id', '=', LOCK_ROW).executeTakeFirst();
  return row?.owner === owner;
}

/** Gives the lock back, if `owner` still holds it. */
export async function releaseMigrationLock(db: Kysely<any>, owner: string): Promise<void> {
  await db.deleteFrom(MIGRATION_LOCK_TABLE).where('id', '=', LOCK_ROW).where('owner', '=', owner).execute();
}

/**
 * Kysely's MySQL adapter with the row lock in place of `GET_LOCK`: the Migrator calls these around a run, on the one
 * connection it migrates on. While held, the lock is renewed between statements (a single statement longer than the
 * TTL lets another migrator take over; the migrations here are far shorter).
 */
export class RowLockMysqlAdapter extends MysqlAdapter {
  private held: { owner: string; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly timing: MigrationLockTiming = systemMigrationLockTiming) {
    super();
  }

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const owner = newLockOwner();
    await acquireMigrationLock(db, owner, this.timing);
    const timer = setInterval(() => {
      void renewMigrationLock(db, owner, this.timing.now(), this.timing.ttlMs).catch(() => undefined);
    }, this.timing.renewMs);
    timer.unref();
    this.held = { owner, timer };
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    clearInterval(held.timer);
    await releaseMigrationLock(db, held.owner);
  }
}

/** MysqlDialect whose migrations lock with a row (RowLockMysqlAdapter), everything else unchanged. */
export class RowLockMysqlDialect extends MysqlDialect {
  override createAdapter(): MysqlAdapter {
    return new RowLockMysqlAdapter();
  }
}

/** Who holds the lock row and until when (tests; an operator's `select` shows the same). */
export async function migrationLockHolder(db: Kysely<any>): Promise<{ owner: string; expiresAt: number } | undefined> {
  const row = await db.selectFrom(MIGRATION_LOCK_TABLE).select(['owner', 'expires_at']).where('id', '=', LOCK_ROW).executeTakeFirst();
  return row ? { owner: String(row.owner), expiresAt: Number(row.expires_at) } : undefined;
}
