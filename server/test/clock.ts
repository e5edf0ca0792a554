import type { Clock } from '@gonghai/plugin-core';
import { DAY_MS } from '../src/time';

/** A clock the test moves by hand; nothing ever sleeps. */
export class FakeClock implements Clock {
  constructor(private ms: number) {}

  now(): number {
    return this.ms;
  }

  set(iso: string | number): void {
    this.ms = typeof iso === 'number' ? iso : Date.parse(iso);
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  advanceDays(days: number): void {
    this.ms += days * DAY_MS;
  }
}

/** 2026-11-27 10:00 in Shanghai: a Friday, mid-morning, so "today" is unambiguous. */
export const TEST_NOW = Date.parse('2026-11-27T02:00:00Z');
