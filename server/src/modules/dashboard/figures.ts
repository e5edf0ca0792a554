import type { DashboardThresholds } from '../tenants/tenants';
import type { DayRow, Figures, SaturationVerdict, SeriesPoint } from './dashboard';

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
const share = (part: number, whole: number) => (whole === 0 ? null : round(part / whole, 4));
const n = (value: number) => value.toLocaleString('en-US');

/** The median of a histogram of whole units (the mean of the two middle values for an even count); null when empty. */
export function histogramMedian(hist: Record<string, number> | Map<string, number>): number | null {
  const entries = [...(hist instanceof Map ? hist.entries() : Object.entries(hist))]
    .map(([k, c]) => [Number(k), c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [value, c] of entries) {
      seen += c;
      if (rank < seen) return value;
    }
    return entries[entries.length - 1]![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

const histTotal = (hist: Map<string, number>) => [...hist.values()].reduce((s, c) => s + c, 0);

/** The verdict and its sentence, from the stock at the end of the range. */
export function saturation(stock: { poolSize: number; owned: number; reps: number; capacity: number; daily: number }, t: DashboardThresholds): Figures['saturation'] {
  const { poolSize, reps, capacity, daily } = stock;
  const ratio = capacity === 0 ? null : round(poolSize / capacity, 3);
  const room = `${n(reps)} 名业务员还能再领 ${n(capacity)} 个（每天最多 ${n(daily)} 个）`;
  let verdict: SaturationVerdict;
  let reason: string;
  if (poolSize === 0) {
    verdict = 'saturated';
    reason = `公海已空，${room}：区域已饱和，可开拓新客户或调出人手。`;
  } else if (capacity === 0) {
    verdict = 'understaffed';
    reason = reps === 0 ? `公海有 ${n(poolSize)} 个客户，但没有可领取的业务员：人手不足，请增派业务员。` : `公海有 ${n(poolSize)} 个客户，${n(reps)} 名业务员都已达到持有上限：人手不足，请增派业务员或提高上限。`;
  } else if (ratio! >= t.understaffedRatio) {
    verdict = 'understaffed';
    reason = `公海有 ${n(poolSize)} 个客户，${room}，是可领容量的 ${ratio} 倍（≥ ${t.understaffedRatio} 倍为人手不足）：客户在堆积，请增派业务员。`;
  } else if (ratio! <= t.saturatedRatio) {
    verdict = 'saturated';
    reason = `公海只剩 ${n(poolSize)} 个客户，${room}，只有可领容量的 ${ratio} 倍（≤ ${t.saturatedRatio} 倍为饱和）：区域已饱和。`;
  } else {
    verdict = 'balanced';
    reason = `公海有 ${n(poolSize)} 个客户，${room}，是可领容量的 ${ratio} 倍（在 ${t.saturatedRatio}–${t.understaffedRatio} 倍之间）：人手与客户大致平衡。`;
  }
  return { remainingCapacity: capacity, dailyClaimCapacity: daily, ratio, verdict, reason };
}

const COUNTS = ['inCreated', 'inReleased', 'inReclaimed', 'inDeparted', 'inEscalated', 'inOther', 'outClaimed', 'outAssigned', 'outEscalated', 'outOther', 'hoardClaims', 'hoardUnvisited', 'visitsVerified', 'visitsSuspect', 'visitsRejected', 'bounces'] as const;
const HISTOGRAMS = ['reclaimedByRule', 'waitDays', 'firstVisitHours', 'repReclaims', 'bouncePairs'] as const;
type Count = (typeof COUNTS)[number];
type Histogram = (typeof HISTOGRAMS)[number];

/**
 * Day rows added up: what figures are made of. The sums of disjoint sets of rows combine into the sum of their union
 * (combineSums), so a pool's rows are added once and its region and the total are made from the pools' sums.
 */
export interface RowSums {
  /** The last day among the rows ('' for none): stock is read from it. */
  lastDay: string;
  stock: { poolSize: number; owned: number; reps: number; capacity: number; daily: number };
  counts: Record<Count, number>;
  histograms: Record<Histogram, Map<string, number>>;
  series: Map<string, SeriesPoint>;
}

const emptySums = (): RowSums => ({
  lastDay: '',
  stock: { poolSize: 0, owned: 0, reps: 0, capacity: 0, daily: 0 },
  counts: Object.fromEntries(COUNTS.map((c) => [c, 0])) as Record<Count, number>,
  histograms: Object.fromEntries(HISTOGRAMS.map((h) => [h, new Map<string, number>()])) as Record<Histogram, Map<string, number>>,
  series: new Map(),
});

function addHistogram(into: Map<string, number>, from: Record<string, number> | Map<string, number>): void {
  if (from instanceof Map) for (const [k, c] of from) into.set(k, (into.get(k) ?? 0) + c);
  else for (const k in from) into.set(k, (into.get(k) ?? 0) + from[k]!);
}

function addPoint(series: Map<string, SeriesPoint>, p: SeriesPoint): void {
  const at = series.get(p.day);
  if (!at) series.set(p.day, { ...p });
  else {
    at.poolSize += p.poolSize;
    at.owned += p.owned;
    at.inflow += p.inflow;
    at.outflow += p.outflow;
    at.reclaimed += p.reclaimed;
  }
}

/** Adds up day rows (of any set of pools, over the range): flows and distributions over every day, stock from the last day. */
export function sumRows(rows: DayRow[]): RowSums {
  const s = emptySums();
  s.lastDay = rows.reduce((m, r) => (r.day > m ? r.day : m), '');
  for (const r of rows) {
    if (r.day === s.lastDay) {
      s.stock.poolSize += r.poolSize;
      s.stock.owned += r.owned;
      s.stock.reps += r.reps;
      s.stock.capacity += Math.max(0, r.reps * r.maxOwnedPerRep - r.owned);
      s.stock.daily += r.reps * r.dailyClaimLimit;
    }
    for (const c of COUNTS) s.counts[c] += r[c];
    for (const h of HISTOGRAMS) addHistogram(s.histograms[h], r[h]);
    addPoint(s.series, {
      day: r.day,
      poolSize: r.poolSize,
      owned: r.owned,
      inflow: r.inCreated + r.inReleased + r.inReclaimed + r.inDeparted + r.inEscalated + r.inOther,
      outflow: r.outClaimed + r.outAssigned + r.outEscalated + r.outOther,
      reclaimed: r.inReclaimed,
    });
  }
  return s;
}

/** The sums of the union of disjoint sets of rows. */
export function combineSums(parts: RowSums[]): RowSums {
  const s = emptySums();
  s.lastDay = parts.reduce((m, p) => (p.lastDay > m ? p.lastDay : m), '');
  for (const p of parts) {
    if (p.lastDay === s.lastDay) for (const k of Object.keys(s.stock) as (keyof RowSums['stock'])[]) s.stock[k] += p.stock[k];
    for (const c of COUNTS) s.counts[c] += p.counts[c];
    for (const h of HISTOGRAMS) addHistogram(s.histograms[h], p.histograms[h]);
    for (const point of p.series.values()) addPoint(s.series, point);
  }
  return s;
}

/** Sums day rows (of any set of pools, over the range) into figures. `names` resolves user ids for the top lists. */
export function figuresOf(rows: DayRow[], t: DashboardThresholds, names: Map<string, string>): Figures & { series: SeriesPoint[] } {
  return figuresOfSums(sumRows(rows), t, names);
}

/** Figures from summed rows: flows and distributions over every day, stock from each pool's last day. */
export function figuresOfSums(s: RowSums, t: DashboardThresholds, names: Map<string, string>): Figures & { series: SeriesPoint[] } {
  const { poolSize, owned, reps, capacity, daily } = s.stock;
  const c = s.counts;
  const { reclaimedByRule: byRule, waitDays: waits, firstVisitHours: hours, repReclaims, bouncePairs: pairs } = s.histograms;
  const inflow = { created: c.inCreated, released: c.inReleased, reclaimed: c.inReclaimed, departed: c.inDeparted, escalated: c.inEscalated, other: c.inOther };
  const outflow = { claimed: c.outClaimed, assigned: c.outAssigned, escalated: c.outEscalated, other: c.outOther };
  const visits = { verified: c.visitsVerified, suspect: c.visitsSuspect, rejected: c.visitsRejected };
  const visitTotal = visits.verified + visits.suspect + visits.rejected;
  const reclaimed = histTotal(repReclaims);
  const name = (id: string) => names.get(id) ?? id;
  const series = [...s.series.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)).map((p) => ({ ...p }));
  return {
    poolSize,
    owned,
    activeReps: reps,
    customersPerRep: reps === 0 ? null : round(owned / reps, 2),
    saturation: saturation({ poolSize, owned, reps, capacity, daily }, t),
    inflow: {
      ...inflow,
      total: inflow.created + inflow.released + inflow.reclaimed + inflow.departed + inflow.escalated + inflow.other,
      byRule: [...byRule]
        .map(([ruleId, count]) => ({ ruleId: Number(ruleId), count }))
        .sort((a, b) => b.count - a.count || a.ruleId - b.ruleId),
    },
    outflow: { ...outflow, total: outflow.claimed + outflow.assigned + outflow.escalated + outflow.other },
    medianDaysInPool: histogramMedian(waits),
    waits: histTotal(waits),
    medianHoursToFirstVerifiedVisit: histogramMedian(hours),
    firstVerifiedVisits: histTotal(hours),
    hoarding: { claims: c.hoardClaims, unvisited: c.hoardUnvisited, share: share(c.hoardUnvisited, c.hoardClaims) },
    visits: { total: visitTotal, ...visits, verifiedShare: share(visits.verified, visitTotal), suspectShare: share(visits.suspect, visitTotal), rejectedShare: share(visits.rejected, visitTotal) },
    reclaims: {
      reclaimed,
      perRep: reps === 0 ? null : round(reclaimed / reps, 2),
      topReps: [...repReclaims]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([userId, count]) => ({ userId, name: name(userId), count })),
    },
    bounces: {
      count: c.bounces,
      topPairs: [...pairs]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([key, count]) => {
          const [a, b] = key.split('|') as [string, string];
          return { userIds: [a, b] as [string, string], names: [name(a), name(b)] as [string, string], count };
        }),
    },
    series,
  };
}

/** User ids the top lists of these sums may name. */
export function userIdsOfSums(s: RowSums): string[] {
  const ids = new Set(s.histograms.repReclaims.keys());
  for (const key of s.histograms.bouncePairs.keys()) for (const id of key.split('|')) ids.add(id);
  return [...ids];
}
