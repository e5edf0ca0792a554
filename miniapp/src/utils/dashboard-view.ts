import type { LatestReclaim, SaturationVerdict } from '@/services/api-types';
import { DEFAULT_ZONE_OFFSET_MINUTES } from './reclaim';

/** The ranges the 看板 offers, in days (today included). */
export const RANGE_PRESETS = [7, 30, 90] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const DAY = 86_400_000;

/** The tenant-local date (YYYY-MM-DD) of an instant; the demo tenants are Asia/Shanghai (UTC+8 all year). */
export function localToday(now: number, offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES): string {
  return new Date(now + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** A calendar date `days` after `day`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** «近 N 天» as the server's `from`/`to`: N days ending today, both included. */
export function presetRange(days: number, now: number, offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES): { from: string; to: string } {
  const to = localToday(now, offsetMinutes);
  return { from: addDays(to, -(days - 1)), to };
}

/** Which preset a range is (so the chip lights up), or null for a range given in the page's query. */
export function presetOf(range: { from: string; to: string }, now: number, offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES): RangePreset | null {
  return RANGE_PRESETS.find((d) => {
    const p = presetRange(d, now, offsetMinutes);
    return p.from === range.from && p.to === range.to;
  }) ?? null;
}

/** An instant as «11/27 10:05» in the tenant zone (mini-program runtimes do not all carry Intl time zones). */
export function formatLocalTime(iso: string, offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES): string {
  const local = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString();
  return `${dayLabel(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** `2026-11-27` → `11/27`. */
export function dayLabel(day: string): string {
  return `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}`;
}

/** The range as a manager reads it: «11/01 – 11/27（27 天）». */
export function rangeLabel(range: { from: string; to: string; days: number }): string {
  return `${dayLabel(range.from)} – ${dayLabel(range.to)}（${range.days} 天）`;
}

/** The saturation verdict's word and tone (DESIGN §1 scenario C: a full pool means too few reps; an empty one, saturated). */
export const VERDICTS: Record<SaturationVerdict, { label: string; tone: 'red' | 'green' | 'orange' }> = {
  understaffed: { label: '缺人', tone: 'red' },
  balanced: { label: '均衡', tone: 'green' },
  saturated: { label: '饱和', tone: 'orange' },
};

export interface Bar {
  key: string;
  value: number;
  /** Height (or width) in percent of the tallest bar; a non-zero value is never drawn thinner than `minPct`. */
  pct: number;
}

/** Bars scaled to the largest value (0 → 0 %, the largest → 100 %), for charts drawn with plain Views. */
export function scaleBars(points: { key: string; value: number }[], minPct = 2): Bar[] {
  const max = Math.max(0, ...points.map((p) => p.value));
  return points.map((p) => ({ key: p.key, value: p.value, pct: max === 0 || p.value <= 0 ? 0 : Math.max(minPct, Math.round((p.value / max) * 1000) / 10) }));
}

/** Paired bars per day (inflow and outflow on one scale, so their heights compare). */
export function flowBars(series: { day: string; inflow: number; outflow: number }[]): { day: string; inflow: Bar; outflow: Bar }[] {
  const scaled = scaleBars(series.flatMap((p) => [{ key: `in:${p.day}`, value: p.inflow }, { key: `out:${p.day}`, value: p.outflow }]));
  return series.map((p, i) => ({ day: p.day, inflow: scaled[2 * i]!, outflow: scaled[2 * i + 1]! }));
}

export interface Segment {
  key: string;
  label: string;
  value: number;
  /** Whole percent; the segments of a non-empty bar add up to exactly 100. */
  pct: number;
}

/** A stacked bar's segments: largest-remainder rounding so the shown percents add up to 100. */
export function stackSegments(parts: { key: string; label: string; value: number }[]): Segment[] {
  const total = parts.reduce((s, p) => s + Math.max(0, p.value), 0);
  if (total === 0) return parts.map((p) => ({ ...p, pct: 0 }));
  const exact = parts.map((p) => (Math.max(0, p.value) / total) * 100);
  const pcts = exact.map(Math.floor);
  let left = 100 - pcts.reduce((s, n) => s + n, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    pcts[i]! += 1;
    left -= 1;
  }
  return parts.map((p, i) => ({ ...p, pct: pcts[i]! }));
}

/** A share (0…1) as «75%» or «7.5%»; «—» when there is nothing to divide. */
export function formatShare(share: number | null): string {
  if (share === null) return '—';
  const pct = share * 100;
  return `${pct >= 10 || Number.isInteger(pct) ? Math.round(pct) : pct.toFixed(1)}%`;
}

/** Hours as «5 小时», «75.5 小时 (3.1 天)»; «—» when unknown. */
export function formatHours(hours: number | null): string {
  if (hours === null) return '—';
  const h = `${Number(hours.toFixed(1))} 小时`;
  return hours >= 48 ? `${h}（${(hours / 24).toFixed(1)} 天）` : h;
}

/** A count or ratio for a figure tile: «1,234», «4.5», «—». */
export function formatNumber(n: number | null): string {
  if (n === null) return '—';
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(Number(n.toFixed(2)));
}

/** The 大屏 layout: asked for with `screen=1`, or a window wide enough (a wall display or a desktop browser). */
export function isBigScreen(screenParam: string | undefined, windowWidth: number): boolean {
  return screenParam === '1' || windowWidth >= 1200;
}

/** The CSV export URL for the same range and region. */
export function csvPath(q: { from: string; to: string; regionId?: string }): string {
  const params = [`from=${q.from}`, `to=${q.to}`, ...(q.regionId ? [`regionId=${encodeURIComponent(q.regionId)}`] : [])];
  return `/api/v1/dashboard/pools.csv?${params.join('&')}`;
}

/** The rule kinds as a manager reads them. */
export const RULE_KIND_LABELS: Record<string, string> = {
  no_verified_visit: '无有效拜访',
  no_follow_up: '无跟进',
  no_deal: '未成交',
  protection_max: '超过最长保护期',
};

export interface RepReclaims {
  userId: string;
  name: string;
  items: LatestReclaim[];
}

/** A run's reclaims grouped by the rep who lost them: most first, then by name; customers in ledger order. */
export function groupByRep(items: LatestReclaim[]): RepReclaims[] {
  const groups = new Map<string, RepReclaims>();
  for (const item of items) {
    const userId = item.formerOwner?.userId ?? '';
    const group = groups.get(userId) ?? { userId, name: item.formerOwner?.name ?? '（无负责人）', items: [] };
    group.items.push(item);
    groups.set(userId, group);
  }
  return [...groups.values()].sort((a, b) => b.items.length - a.items.length || a.name.localeCompare(b.name, 'zh-CN') || a.userId.localeCompare(b.userId));
}
