/**
 * Tenant-local calendar arithmetic on epoch milliseconds, with the platform's Intl time-zone data. Offsets are cached
 * per zone and UTC hour (zones change offset only on hour or half-hour boundaries in practice), so the hot paths
 * (claims, countdowns) pay a Map lookup rather than an Intl call.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(ms: number, zone: string): number {
  // Cache per half hour so zones with :30 transitions stay exact.
  const bucket = Math.floor(ms / (HOUR_MS / 2));
  let byBucket = offsets.get(zone);
  if (!byBucket) offsets.set(zone, (byBucket = new Map()));
  const hit = byBucket.get(bucket);
  if (hit !== undefined) return hit;
  const at = bucket * (HOUR_MS / 2);
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const offset = asUtc - at;
  if (byBucket.size > 50_000) byBucket.clear();
  byBucket.set(bucket, offset);
  return offset;
}

/** Wall-clock fields of an instant in a zone. */
function wall(ms: number, zone: string) {
  const d = new Date(ms + offsetAt(ms, zone));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
}

/** The instant of a local wall-clock time (the earlier one if it is ambiguous, the later if it falls in a gap). */
function fromWall(y: number, m: number, d: number, zone: string): number {
  const asUtc = Date.UTC(y, m, d);
  const guess = asUtc - offsetAt(asUtc, zone);
  return asUtc - offsetAt(guess, zone);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  const w = wall(ms, zone);
  return `${w.y}-${pad(w.m + 1)}-${pad(w.d)}`;
}

/** The instant the local calendar day containing `ms` began in `zone`. */
export function startOfLocalDay(ms: number, zone: string): number {
  return localMidnightAfter(ms, 0, zone);
}

/** Local midnight, `days` calendar days after the local day of `ms`. */
export function localMidnightAfter(ms: number, days: number, zone: string): number {
  const w = wall(ms, zone);
  return fromWall(w.y, w.m, w.d + days, zone);
}

/** The instant a local calendar date (YYYY-MM-DD) began in `zone`. */
export function startOfLocalDate(day: string, zone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return fromWall(y, m - 1, d, zone);
}

/** A calendar date `days` after `day` (both YYYY-MM-DD; zone-free date arithmetic). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "2026-12-01 08:30" in the zone, for messages. */
export function formatLocal(ms: number, zone: string, withTime = true): string {
  const w = wall(ms, zone);
  const date = `${w.y}-${pad(w.m + 1)}-${pad(w.d)}`;
  return withTime ? `${date} ${pad(w.h)}:${pad(w.mi)}` : date;
}

export const toIso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
