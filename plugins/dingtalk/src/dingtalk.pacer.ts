import type { Clock, Sleep } from '@gonghai/plugin-core';

/**
 * At most `limit` calls start in any `windowMs`, in arrival order. Unlike a limiter that waits for the clock to move,
 * it sleeps once per wait and then counts that time as passed, so a clock that stands still (a server under test that
 * never advances it) slows calls down but never stalls them.
 */
export class CallPacer {
  private readonly starts: number[] = [];
  private latest = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {}

  /** Resolves when the caller may start; never rejects unless `sleep` does. */
  next(): Promise<void> {
    const turn = this.queue.then(async () => {
      const now = Math.max(this.clock.now(), this.latest);
      // `starts` holds the last `limit` starts: when it is full, the oldest must leave the window first.
      const oldest = this.starts.length === this.limit ? this.starts.shift() : undefined;
      const at = oldest === undefined ? now : Math.max(now, oldest + this.windowMs);
      this.starts.push(at);
      this.latest = at;
      if (at > now) await this.sleep(at - now);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
