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
  /** «还剩 N 天», «今天收回», «已到期», or «无回收规则». */
  left: string;
  reason: string;
  daysLeft: number | null;
  urgency: 'urgent' | 'soon' | 'calm' | 'none';
}

/**
 * The countdown a rep sees. Days left count whole days to the due instant (local midnight when the customer goes
 * back), rounded up, so "还剩 1 天" means it goes back at the coming midnight.
 */
export function describeReclaim(reclaim: ReclaimInfo | null, now: number, anchorDays?: number | null): ReclaimText {
  if (!reclaim) return { left: '无回收规则', reason: '', daysLeft: null, urgency: 'none' };
  const due = Date.parse(reclaim.dueDate);
  const daysLeft = Math.max(0, Math.ceil((due - now) / DAY));
  const days = reclaim.days ?? anchorDays ?? null;
  const reason = REASONS[reclaim.kind]?.(days) ?? '';
  const left = due <= now ? '已到期，即将收回' : daysLeft <= 1 ? '还剩 1 天' : `还剩 ${daysLeft} 天`;
  return { left, reason, daysLeft, urgency: daysLeft <= 3 ? 'urgent' : daysLeft <= 7 ? 'soon' : 'calm' };
}

/**
 * The rule's length in days from the clock's anchor (DESIGN §4.3): the customer fields the API sends give the anchor
 * for each kind, and the due date is local midnight `days` after the anchor's local day. Calendar-day rules only;
 * for working-day rules the number would be too large, so the server's `days` wins whenever it is sent.
 */
export function ruleDaysFromAnchor(
  c: { ownedSince: string | null; lastVerifiedVisitAt: string | null; lastFollowUpAt: string | null; reclaim: ReclaimInfo | null },
  timeZoneOffsetMinutes = 480,
): number | null {
  if (!c.reclaim || !c.ownedSince) return null;
  const t = (s: string | null) => (s ? Date.parse(s) : 0);
  const owned = t(c.ownedSince);
  const anchor =
    c.reclaim.kind === 'no_verified_visit'
      ? Math.max(owned, t(c.lastVerifiedVisitAt))
      : c.reclaim.kind === 'no_follow_up'
        ? Math.max(owned, t(c.lastFollowUpAt), t(c.lastVerifiedVisitAt))
        : owned;
  const localDay = (ms: number) => Math.floor((ms + timeZoneOffsetMinutes * 60_000) / DAY);
  const days = localDay(Date.parse(c.reclaim.dueDate)) - localDay(anchor);
  return days > 0 ? days : null;
}
