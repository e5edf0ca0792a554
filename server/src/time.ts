import { DateTime } from 'luxon';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate()!;
}

/** The instant the local calendar day containing `ms` began in `zone`. */
export function startOfLocalDay(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('day').toMillis();
}

/** Local midnight, `days` calendar days after the local day of `ms`. DST-safe. */
export function localMidnightAfter(ms: number, days: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('day').plus({ days }).toMillis();
}

/** "2026-12-01 08:30" in the zone, for messages. */
export function formatLocal(ms: number, zone: string, withTime = true): string {
  return DateTime.fromMillis(ms, { zone }).toFormat(withTime ? 'yyyy-MM-dd HH:mm' : 'yyyy-MM-dd');
}

export const toIso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
