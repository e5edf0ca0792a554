import type { RuleKind } from '../pool/pool.table';
import { localDate, startOfLocalDate } from '../../time';
import { dueDay, plainWeek, type WorkCalendar } from './work-calendar';

/** The fields of an owned customer that the reclaim clocks read. */
export interface ClockSubject {
  level: string;
  tags: string[];
  ownedSince: number;
  lastVerifiedVisitAt: number | null;
  lastFollowUpAt: number | null;
  lastDealWonAt: number | null;
}

export interface ClockRule {
  id: number;
  kind: RuleKind;
  days: number;
  enabled: boolean;
  levels: string[];
  tags: string[];
  exemptWonCustomers: boolean;
  /** Count the tenant calendar's working days only (weekends and holidays off, make-up workdays on). */
  workingDaysOnly: boolean;
}

export interface ReclaimClock {
  ruleId: number;
  kind: RuleKind;
  /** The instant the clock restarted from. */
  anchor: number;
  /** From this instant (local midnight) the customer is reclaimable. */
  dueDate: number;
}

const max = (...xs: (number | null)[]) => Math.max(...xs.filter((x): x is number => x !== null));

/** The clock fields of a stored customer row. */
export function clockSubjectOf(row: {
  level: string;
  tags: string;
  owned_since: number | null;
  last_verified_visit_at: number | null;
  last_follow_up_at: number | null;
  last_deal_won_at: number | null;
}): ClockSubject {
  return {
    level: row.level,
    tags: JSON.parse(row.tags) as string[],
    ownedSince: row.owned_since ?? 0,
    lastVerifiedVisitAt: row.last_verified_visit_at,
    lastFollowUpAt: row.last_follow_up_at,
    lastDealWonAt: row.last_deal_won_at,
  };
}

/** The anchor of one rule kind (DESIGN §4.3), or null when the rule does not apply (e.g. a won, exempt customer). */
export function anchorOf(rule: ClockRule, c: ClockSubject): number | null {
  switch (rule.kind) {
    case 'no_verified_visit':
      return max(c.ownedSince, c.lastVerifiedVisitAt);
    case 'no_follow_up':
      return max(c.ownedSince, c.lastFollowUpAt, c.lastVerifiedVisitAt);
    case 'no_deal':
      return max(c.ownedSince, c.lastDealWonAt);
    case 'protection_max':
      // A deal won inside the holding period lifts the hard maximum.
      return c.lastDealWonAt !== null && c.lastDealWonAt >= c.ownedSince ? null : c.ownedSince;
  }
}

/** Whether a rule's scope covers the customer (levels, tags, won-customer exemption). */
export function ruleApplies(rule: ClockRule, c: Pick<ClockSubject, 'level' | 'tags' | 'lastDealWonAt'>): boolean {
  if (!rule.enabled) return false;
  if (rule.levels.length > 0 && !rule.levels.includes(c.level)) return false;
  if (rule.tags.length > 0 && !rule.tags.some((t) => c.tags.includes(t))) return false;
  return !(rule.exemptWonCustomers && c.lastDealWonAt !== null);
}

/**
 * Every applicable enabled rule's clock for an owned customer at any time, earliest due first (DESIGN §4.3). A customer
 * becomes reclaimable at local midnight of `dueDay(localDate(anchor), days)`: calendar days, or working days of the
 * tenant calendar.
 */
export function reclaimClocks(c: ClockSubject, rules: ClockRule[], zone: string, calendar: WorkCalendar = plainWeek): ReclaimClock[] {
  const clocks: ReclaimClock[] = [];
  for (const rule of rules) {
    if (!ruleApplies(rule, c)) continue;
    const anchor = anchorOf(rule, c);
    if (anchor === null) continue;
    const due = dueDay(localDate(anchor, zone), rule.days, rule.workingDaysOnly, calendar);
    clocks.push({ ruleId: rule.id, kind: rule.kind, anchor, dueDate: startOfLocalDate(due, zone) });
  }
  return clocks.sort((a, b) => a.dueDate - b.dueDate || a.ruleId - b.ruleId);
}
