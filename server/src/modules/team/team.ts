import { z } from 'zod';
import type { RuleKind } from '../pool/pool.table';

/** A rep's figures on 我的团队 (`GET /api/v1/team`). */
export interface TeamMember {
  userId: string;
  name: string;
  /** The rep's first department (by id): their team. */
  department: { id: string; name: string } | null;
  /** Customers the rep owns now. */
  customers: number;
  /** Check-ins this tenant-local week (Monday 00:00 up to now), by their current verdict. */
  visitsThisWeek: { verified: number; suspect: number; rejected: number };
  /** Customers the reclaim rules took from the rep in the last 30 days. */
  reclaimed30d: number;
  /** The rep's customer that the rules take back first, or null when no owned customer has a clock. */
  nextReclaim: { customerId: number; customerName: string; ruleId: number; kind: RuleKind; days: number; dueDate: string } | null;
}

/** The answer of `GET /api/v1/team`. */
export interface TeamResponse {
  /** The tenant-local Monday the week's visits are counted from. */
  weekStart: string;
  /** From this instant back 30 days is what `reclaimed30d` counts. */
  reclaimedSince: string;
  asOf: string;
  items: TeamMember[];
}

/** One customer taken back by the last sweep run. */
export interface LatestReclaim {
  customerId: number;
  customerName: string;
  formerOwner: { userId: string; name: string } | null;
  rule: { id: number; kind: RuleKind | null; days: number | null } | null;
  /** The rule's reason in a rep's words, as the ledger holds it: "15 天无有效拜访". */
  reason: string;
  fromPool: { id: number; name: string } | null;
  targetPool: { id: number; name: string } | null;
  at: string;
}

/** The answer of `GET /api/v1/reclaims/latest`: the last finished sweep run and what it took back (in scope). */
export interface LatestReclaimsResponse {
  run: { runDate: string; startedAt: string; finishedAt: string } | null;
  items: LatestReclaim[];
}

/** `:userId` of `GET /api/v1/team/:userId/customers`: a platform user id. */
export const teamMemberParams = z.object({
  userId: z.string().trim().min(1, '缺少业务员 ID').max(64, '业务员 ID 太长'),
});
