import type { RuleKind } from '../pool/pool.table';
import { localMidnightAfter } from '../../time';

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

/** The anchor of one rule kind (DESIGN §4.3), or null when the rule does not apply (e.g. a won, exempt customer). */
function anchorOf(rule: ClockRule, c: ClockSubject): number | null {
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

/**
 * Every applicable enabled rule's clock for an owned customer, earliest due first. A customer becomes reclaimable on
 * local day localDate(anchor) + days + 1 (calendar days; working-day calendars come with the reclaim engine).
 */
export function reclaimClocks(c: ClockSubject, rules: ClockRule[], zone: string): ReclaimClock[] {
  const clocks: ReclaimClock[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (rule.levels.length > 0 && !rule.levels.includes(c.level)) continue;
    if (rule.tags.length > 0 && !rule.tags.some((t) => c.tags.includes(t))) continue;
    if (rule.exemptWonCustomers && c.lastDealWonAt !== null) continue;
    const anchor = anchorOf(rule, c);
    if (anchor === null) continue;
    clocks.push({ ruleId: rule.id, kind: rule.kind, anchor, dueDate: localMidnightAfter(anchor, rule.days + 1, zone) });
  }
  return clocks.sort((a, b) => a.dueDate - b.dueDate || a.ruleId - b.ruleId);
}
