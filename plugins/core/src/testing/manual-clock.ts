import type { Clock } from '../port';

/** A clock that moves only when a test moves it. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2025, 0, 6, 1, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
