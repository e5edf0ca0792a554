import { z } from 'zod';
import { AppError } from '../../errors';
import type { DashboardThresholds } from '../tenants/tenants';

/** The longest range one request may ask for, in days (both ends included). */
export const MAX_RANGE_DAYS = 366;
/** The range when none is given: the last 30 days, today included. */
export const DEFAULT_RANGE_DAYS = 30;
/** A claim counts as hoarded when its claimer has not visited the customer within this many days. */
export const HOARD_WINDOW_DAYS = 7;

/** A tenant-local date, YYYY-MM-DD, that exists (one message per bad value). */
const localDay = z.string().superRefine((d, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) ctx.addIssue({ code: 'custom', message: '日期格式应为 YYYY-MM-DD（企业所在时区的日期），例如 2026-11-01' });
  else if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || !new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)) ctx.addIssue({ code: 'custom', message: '不是一个存在的日期，请检查年月日' });
});

/** `GET /api/v1/dashboard/pools` and `/pools.csv`: a range of tenant-local dates and an optional region. */
export const dashboardQuery = z.object({
  from: localDay.optional(),
  to: localDay.optional(),
  regionId: z.string().trim().min(1, 'regionId 不能为空').max(64).optional(),
});

export type DashboardQuery = z.infer<typeof dashboardQuery>;

export type DashboardErrorCode = 'invalid_range';

export const dashboardError = (code: DashboardErrorCode, message: string) => new AppError(400, code, message);

/**
 * One tenant-local day of one pool, as the snapshot table stores it and as the live computation produces it: the
 * day's flows and the stock at the end of the day. Histograms count whole units (`{"3": 2}` = two customers of 3.x).
 */
export interface DayRow {
  day: string;
  poolId: number;
  regionId: string | null;
  poolSize: number;
  owned: number;
  reps: number;
  maxOwnedPerRep: number;
  dailyClaimLimit: number;
  inCreated: number;
  inReleased: number;
  inReclaimed: number;
  inDeparted: number;
  inEscalated: number;
  /** Into the pool otherwise: transferred to it, moved to it from an archived pool, or (as a pool customer) from another pool. */
  inOther: number;
  outClaimed: number;
  outAssigned: number;
  outEscalated: number;
  /** Out of the pool otherwise: transferred away, moved to another pool, restored to a rep on appeal, merged away. */
  outOther: number;
  reclaimedByRule: Record<string, number>;
  waitDays: Record<string, number>;
  firstVisitHours: Record<string, number>;
  hoardClaims: number;
  hoardUnvisited: number;
  visitsVerified: number;
  visitsSuspect: number;
  visitsRejected: number;
  repReclaims: Record<string, number>;
  bounces: number;
  bouncePairs: Record<string, number>;
}

export type SaturationVerdict = 'understaffed' | 'balanced' | 'saturated';

/** Customers that came into the pool. */
export interface Inflow {
  /** New customers put straight into the pool. */
  created: number;
  released: number;
  /** Taken back by the reclaim rules; `byRule` splits them. */
  reclaimed: number;
  /** Given back when their owner left the company (`left_with_employee` to the pool). */
  departed: number;
  /** Moved up from a lower pool by the cascade. */
  escalated: number;
  /** Transferred to the pool (from a rep or another pool) or moved to it from an archived pool (其他流入). */
  other: number;
  /** Every way in: inflow.total − outflow.total is the change in pool size over the range. */
  total: number;
  byRule: { ruleId: number; count: number }[];
}

/** Customers that left the pool. */
export interface Outflow {
  claimed: number;
  assigned: number;
  /** Moved on to the next pool by the cascade. */
  escalated: number;
  /** Transferred to a rep or another pool, moved away from an archived pool, restored to a rep on appeal, merged into another record (其他流出). */
  other: number;
  total: number;
}

/** Every figure of a pool, a region or everything visible, over the range (stock figures: at the end of it). */
export interface Figures {
  /** Customers in the pool (unowned) at the end of the range. */
  poolSize: number;
  /** Customers of the pool owned by a rep at the end of the range. */
  owned: number;
  /** Active reps who are members of the pool (summed over pools for a region: a rep in two pools counts twice). */
  activeReps: number;
  /** owned ÷ activeReps, 2 decimals; null without reps. */
  customersPerRep: number | null;
  saturation: {
    /** What the reps can still take: Σ max(0, reps × cap − owned) over the pools. */
    remainingCapacity: number;
    /** What the reps can claim in one day: Σ reps × daily quota. */
    dailyClaimCapacity: number;
    /** poolSize ÷ remainingCapacity, 3 decimals; null when nothing can be taken. */
    ratio: number | null;
    verdict: SaturationVerdict;
    /** One Chinese sentence saying why. */
    reason: string;
  };
  inflow: Inflow;
  outflow: Outflow;
  /** Median whole days the customers that left the pool in the range had waited in it; null when none left. */
  medianDaysInPool: number | null;
  /** How many waits the median is over. */
  waits: number;
  /** Median whole hours from a claim (or assignment) to the owner's first verified visit, over first visits made in the range. */
  medianHoursToFirstVerifiedVisit: number | null;
  firstVerifiedVisits: number;
  /** Claims whose 7-day window closed in the range, and those without a (verified or suspect) visit by the claimer in it. */
  hoarding: { claims: number; unvisited: number; share: number | null };
  /** Check-ins made in the range at the pool's customers, by verdict; shares 4 decimals. */
  visits: { total: number; verified: number; suspect: number; rejected: number; verifiedShare: number | null; suspectShare: number | null; rejectedShare: number | null };
  /** Customers reclaimed by the rules in the range, per active rep (2 decimals), and the reps who lost most. */
  reclaims: { reclaimed: number; perRep: number | null; topReps: { userId: string; name: string; count: number }[] };
  /** Ownership gains that returned a customer to the rep before the previous owner (A → B → A), and the top pairs. */
  bounces: { count: number; topPairs: { userIds: [string, string]; names: [string, string]; count: number }[] };
}

/** One day of a pool, region or total, for the charts. */
export interface SeriesPoint {
  day: string;
  poolSize: number;
  owned: number;
  inflow: number;
  outflow: number;
  reclaimed: number;
}

export interface PoolFigures extends Figures {
  poolId: number;
  name: string;
  series: SeriesPoint[];
}

export interface RegionFigures extends Figures {
  /** The region department; null for the pools outside any region or spanning several (跨区). */
  regionId: string | null;
  name: string;
  series: SeriesPoint[];
  pools: PoolFigures[];
}

/** The answer of `GET /api/v1/dashboard/pools`. */
export interface DashboardResponse {
  range: { from: string; to: string; days: number };
  timeZone: string;
  generatedAt: string;
  /** Today when the range includes it: its figures are computed live, up to `asOf`. */
  live: { day: string; asOf: string } | null;
  thresholds: DashboardThresholds;
  regions: RegionFigures[];
  totals: Figures & { series: SeriesPoint[] };
}
