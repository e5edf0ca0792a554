import { RateLimiter } from '../rate-limiter';
import { ManualClock } from '../testing/manual-clock';

describe('the client-side rate limiter', () => {
  it('lets 20 through a minute per key and makes the 21st wait exactly until the first leaves the window', async () => {
    const clock = new ManualClock(0);
    const waits: number[] = [];
    const limiter = new RateLimiter({ limit: 20, windowMs: 60_000, clock, sleep: async (ms) => { waits.push(ms); clock.advance(ms); } });
    for (let i = 0; i < 20; i++) {
      await limiter.acquire('robot-a');
      clock.advance(1000);
    }
    expect(waits).toEqual([]);
    await limiter.acquire('robot-b');
    expect(waits).toEqual([]);
    await limiter.acquire('robot-a');
    expect(waits).toEqual([40_000]);
    expect(clock.now()).toBe(60_000);
  });

  it('serves concurrent callers of one key in order, never more than the limit in any window', async () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ limit: 3, windowMs: 10_000, clock, sleep: async (ms) => { clock.advance(ms); } });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 7 }, (_, i) => limiter.acquire('k').then(() => times.push(clock.now()) && i)));
    expect(times).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
  });
});

describe('the client-side rate limiter on a clock that does not move', () => {
  it('still lets the 21st call through after one wait of the window', async () => {
    const frozen = new ManualClock(5_000);
    const waits: number[] = [];
    const limiter = new RateLimiter({ limit: 20, windowMs: 60_000, clock: frozen, sleep: async (ms) => { waits.push(ms); } });
    for (let i = 0; i < 21; i++) await limiter.acquire('robot');
    expect(waits).toEqual([60_000]);
  });
});
