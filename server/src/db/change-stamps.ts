import { sql } from 'kysely';
import { isMysql, type Db } from './create-db';

/**
 * Cross-process cache invalidation (issue 20 item 4). Each process keeps short caches (pool rules and calendar, rep
 * memberships, current users). A change calls `bumpStamp` for its tenant and topic; every process runs a `StampWatcher`
 * that reads the whole `change_stamps` table about once a second (one primary-key scan, a row per tenant and topic) and
 * calls the topic's handler for each tenant whose version moved, so the others forget within a poll. The changing
 * process still invalidates its own caches at once; the caches' TTLs stay as the bound if a bump is ever lost.
 */
export type StampTopic = 'pools' | 'users';

export interface ChangeStampsTable {
  tenant_id: string;
  topic: string;
  version: number;
  updated_at: number;
}

/** Moves the tenant's version of `topic` on: the other processes drop what they cached of it at their next poll. */
export async function bumpStamp(db: Db, tenantId: string, topic: StampTopic, now: number): Promise<void> {
  const row = { tenant_id: tenantId, topic, version: 0, updated_at: now };
  await (isMysql(db) ? db.insertInto('change_stamps').ignore() : db.insertInto('change_stamps').orIgnore()).values(row).execute();
  await db
    .updateTable('change_stamps')
    .set({ version: sql<number>`version + 1`, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('topic', '=', topic)
    .execute();
}

export type StampHandlers = Record<StampTopic, (tenantId: string) => void>;

/** Schedules `tick` every `ms` and returns how to stop; tests pass a hand-driven one. */
export type Every = (tick: () => void, ms: number) => () => void;
const realEvery: Every = (tick, ms) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export const STAMP_POLL_MS = 1_000;

export class StampWatcher {
  private readonly seen = new Map<string, number>();
  private first = true;
  private running: Promise<void> | undefined;
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly handlers: StampHandlers,
  ) {}

  /** Polls every `STAMP_POLL_MS` until `stop`. A failed poll is reported and retried at the next tick. */
  start(onError: (err: unknown) => void, every: Every = realEvery): void {
    if (this.stopTimer) return;
    this.stopTimer = every(() => void this.poll().catch(onError), STAMP_POLL_MS);
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** One read of every stamp; handlers run for versions that moved since the last poll (the first poll only records). */
  poll(): Promise<void> {
    this.running ??= this.read().finally(() => (this.running = undefined));
    return this.running;
  }

  private async read(): Promise<void> {
    const rows = await this.db.selectFrom('change_stamps').select(['tenant_id', 'topic', 'version']).execute();
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.topic}`;
      const before = this.seen.get(key);
      this.seen.set(key, Number(r.version));
      if (this.first || before === Number(r.version)) continue;
      this.handlers[r.topic as StampTopic]?.(r.tenant_id);
    }
    this.first = false;
  }
}
