import { ManualClock } from '@gonghai/plugin-core';
import { CallPacer } from '../dingtalk.pacer';

describe('CallPacer', () => {
  it('lets 20 calls a second start and waits exactly until the oldest leaves the window', async () => {
    const clock = new ManualClock();
    const sleeps: number[] = [];
    const pacer = new CallPacer(20, 1000, clock, async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    });
    const started: number[] = [];

    await Promise.all(Array.from({ length: 45 }, () => pacer.next().then(() => started.push(clock.now()))));

    expect(sleeps).toEqual([1000, 1000]);
    const t0 = started[0]!;
    expect(started.map((at) => at - t0)).toEqual([...Array(20).fill(0), ...Array(20).fill(1000), ...Array(5).fill(2000)]);
  });

  it('never stalls on a clock that stands still: each wait is slept once and counted as passed', async () => {
    const frozen = new ManualClock();
    const sleeps: number[] = [];
    const pacer = new CallPacer(20, 1000, frozen, async (ms) => {
      sleeps.push(ms);
    });

    await Promise.all(Array.from({ length: 45 }, () => pacer.next()));

    expect(sleeps).toEqual([1000, 1000]);
  });
});
