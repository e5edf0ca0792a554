import type { RuleKind } from '@/services/api-types';

/** A customer's earliest reclaim clock as the API sends it, plus what the reason text needs. */
export interface ReclaimInfo {
  kind: RuleKind;
  dueDate: string;
  /** The rule's length in days, when the server sends it. */
  days?: number;
}

const DAY = 86_400_000;

const REASONS: Record<RuleKind, (days: number | null) => string> = {
  no_verified_visit: (d) => (d ? `${d} 天无有效拜访` : '长期无有效拜访'),
  no_follow_up: (d) => (d ? `${d} 天无跟进` : '长期无跟进'),
  no_deal: (d) => (d ? `${d} 天未成交` : '长期未成交'),
  protection_max: (d) => (d ? `最长保护期 ${d} 天` : '保护期到期'),
};

export interface ReclaimText {
  /** «还剩 N 天», «今天 24 点收回», «已到期，即将收回», or «无回收规则». */
  left: string;
  reason: string;
  daysLeft: number | null;
  urgency: 'urgent' | 'soon' | 'calm' | 'none';
}

/** The tenant's zone offset; the demo tenants (and the default, DESIGN §3) are Asia/Shanghai, UTC+8 all year. */
export const DEFAULT_ZONE_OFFSET_MINUTES = 480;

const localDay = (ms: number, offsetMinutes: number) => Math.floor((ms + offsetMinutes * 60_000) / DAY);

/**
 * The countdown a rep sees. A customer goes back at local midnight starting the day after its last allowed day
 * (the server's dueDate), so "还剩 N 天" counts the whole days after today that are still allowed, and on the last
 * allowed day it says «今天 24 点收回».
 */
export function describeReclaim(reclaim: ReclaimInfo | null, now: number, offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES): ReclaimText {
  if (!reclaim) return { left: '无回收规则', reason: '', daysLeft: null, urgency: 'none' };
  const due = Date.parse(reclaim.dueDate);
  const daysLeft = Math.max(0, localDay(due, offsetMinutes) - localDay(now, offsetMinutes) - 1);
  const reason = REASONS[reclaim.kind]?.(reclaim.days ?? null) ?? '';
  const left = due <= now ? '已到期，即将收回' : daysLeft === 0 ? '今天 24 点收回' : `还剩 ${daysLeft} 天`;
  return { left, reason, daysLeft, urgency: daysLeft <= 3 ? 'urgent' : daysLeft <= 7 ? 'soon' : 'calm' };
}

/**
 * The rule's length in days from the clock's anchor (DESIGN §4.3): the customer fields the API sends give the anchor
 * for each kind, and the server puts the due date at local midnight `days + 1` days after the anchor's local day.
 * Exact for calendar-day rules; for working-day rules it would come out too large, so the server's `days` wins
 * whenever it sends one.
 */
export function ruleDaysFromAnchor(
  c: { ownedSince: string | null; lastVerifiedVisitAt: string | null; lastFollowUpAt: string | null; reclaim: ReclaimInfo | null },
  offsetMinutes = DEFAULT_ZONE_OFFSET_MINUTES,
): number | null {
  if (!c.reclaim || !c.ownedSince) return null;
  if (c.reclaim.days !== undefined) return c.reclaim.days;
  const t = (s: string | null) => (s ? Date.parse(s) : 0);
  const owned = t(c.ownedSince);
  const anchor =
    c.reclaim.kind === 'no_verified_visit'
      ? Math.max(owned, t(c.lastVerifiedVisitAt))
      : c.reclaim.kind === 'no_follow_up'
        ? Math.max(owned, t(c.lastFollowUpAt), t(c.lastVerifiedVisitAt))
        : owned;
  const days = localDay(Date.parse(c.reclaim.dueDate), offsetMinutes) - localDay(anchor, offsetMinutes) - 1;
  return days > 0 ? days : null;
}
