import type { Clock } from './port';
import type { Sleep } from './retry';

export interface RateLimiterOptions {
  /** At most this many acquisitions per key … */
  limit: number;
  /** … in any window of this length. */
  windowMs: number;
  clock: Clock;
  sleep: Sleep;
}

/**
 * A client-side sliding window per key (e.g. one group robot): `acquire` waits until a slot is free instead of letting
 * the platform refuse the call (DingTalk 130101, WeCom 45009 — robots take 20 messages a minute). Callers of one key
 * are served in order.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly options: RateLimiterOptions) {}

  acquire(key: string): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.take(key));
    const settled = turn.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return turn;
  }

  private async take(key: string): Promise<void> {
    const { limit, windowMs, clock, sleep } = this.options;
    let now = clock.now();
    for (;;) {
      const recent = (this.sent.get(key) ?? []).filter((at) => now - at < windowMs);
      if (recent.length < limit) {
        recent.push(now);
        this.sent.set(key, recent);
        return;
      }
      // The oldest send leaves the window first; wait exactly until then. The wait counts as passed even if the
      // clock did not move (a frozen test clock with a real sleep must not stall the queue forever).
      const wait = Math.max(1, (recent[0] ?? now) + windowMs - now);
      await sleep(wait);
      now = Math.max(clock.now(), now + wait);
    }
  }
}
