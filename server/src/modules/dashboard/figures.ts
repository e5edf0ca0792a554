import type { DashboardThresholds } from '../tenants/tenants';
import type { DayRow, Figures, SaturationVerdict, SeriesPoint } from './dashboard';

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
const share = (part: number, whole: number) => (whole === 0 ? null : round(part / whole, 4));
const n = (value: number) => value.toLocaleString('en-US');

/** The median of a histogram of whole units (the mean of the two middle values for an even count); null when empty. */
export function histogramMedian(hist: Record<string, number>): number | null {
  const entries = Object.entries(hist)
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

function merge(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, c] of Object.entries(from)) into[k] = (into[k] ?? 0) + c;
}

const histTotal = (hist: Record<string, number>) => Object.values(hist).reduce((s, c) => s + c, 0);

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

/**
 * Sums day rows (of any set of pools, over the range) into figures: flows and distributions over every day, stock
 * from each pool's last day. `names` resolves user ids for the top lists.
 */
export function figuresOf(rows: DayRow[], t: DashboardThresholds, names: Map<string, string>): Figures & { series: SeriesPoint[] } {
  const lastDay = rows.reduce((m, r) => (r.day > m ? r.day : m), '');
  const last = rows.filter((r) => r.day === lastDay);
  const poolSize = last.reduce((s, r) => s + r.poolSize, 0);
  const owned = last.reduce((s, r) => s + r.owned, 0);
  const reps = last.reduce((s, r) => s + r.reps, 0);
  const capacity = last.reduce((s, r) => s + Math.max(0, r.reps * r.maxOwnedPerRep - r.owned), 0);
  const daily = last.reduce((s, r) => s + r.reps * r.dailyClaimLimit, 0);
  const sum = (f: (r: DayRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const byRule: Record<string, number> = {};
  const waits: Record<string, number> = {};
  const hours: Record<string, number> = {};
  const repReclaims: Record<string, number> = {};
  const pairs: Record<string, number> = {};
  for (const r of rows) {
    merge(byRule, r.reclaimedByRule);
    merge(waits, r.waitDays);
    merge(hours, r.firstVisitHours);
    merge(repReclaims, r.repReclaims);
    merge(pairs, r.bouncePairs);
  }
  const inflow = { created: sum((r) => r.inCreated), released: sum((r) => r.inReleased), reclaimed: sum((r) => r.inReclaimed), departed: sum((r) => r.inDeparted), escalated: sum((r) => r.inEscalated) };
  const outflow = { claimed: sum((r) => r.outClaimed), assigned: sum((r) => r.outAssigned), escalated: sum((r) => r.outEscalated) };
  const visits = { verified: sum((r) => r.visitsVerified), suspect: sum((r) => r.visitsSuspect), rejected: sum((r) => r.visitsRejected) };
  const visitTotal = visits.verified + visits.suspect + visits.rejected;
  const hoardClaims = sum((r) => r.hoardClaims);
  const hoardUnvisited = sum((r) => r.hoardUnvisited);
  const reclaimed = Object.values(repReclaims).reduce((s, c) => s + c, 0);
  const name = (id: string) => names.get(id) ?? id;
  const series = [...new Set(rows.map((r) => r.day))].sort().map<SeriesPoint>((day) => {
    const of = rows.filter((r) => r.day === day);
    const add = (f: (r: DayRow) => number) => of.reduce((s, r) => s + f(r), 0);
    return {
      day,
      poolSize: add((r) => r.poolSize),
      owned: add((r) => r.owned),
      inflow: add((r) => r.inCreated + r.inReleased + r.inReclaimed + r.inDeparted + r.inEscalated),
      outflow: add((r) => r.outClaimed + r.outAssigned + r.outEscalated),
      reclaimed: add((r) => r.inReclaimed),
    };
  });
  return {
    poolSize,
    owned,
    activeReps: reps,
    customersPerRep: reps === 0 ? null : round(owned / reps, 2),
    saturation: saturation({ poolSize, owned, reps, capacity, daily }, t),
    inflow: {
      ...inflow,
      total: inflow.created + inflow.released + inflow.reclaimed + inflow.departed + inflow.escalated,
      byRule: Object.entries(byRule)
        .map(([ruleId, count]) => ({ ruleId: Number(ruleId), count }))
        .sort((a, b) => b.count - a.count || a.ruleId - b.ruleId),
    },
    outflow: { ...outflow, total: outflow.claimed + outflow.assigned + outflow.escalated },
    medianDaysInPool: histogramMedian(waits),
    waits: histTotal(waits),
    medianHoursToFirstVerifiedVisit: histogramMedian(hours),
    firstVerifiedVisits: histTotal(hours),
    hoarding: { claims: hoardClaims, unvisited: hoardUnvisited, share: share(hoardUnvisited, hoardClaims) },
    visits: { total: visitTotal, ...visits, verifiedShare: share(visits.verified, visitTotal), suspectShare: share(visits.suspect, visitTotal), rejectedShare: share(visits.rejected, visitTotal) },
    reclaims: {
      reclaimed,
      perRep: reps === 0 ? null : round(reclaimed / reps, 2),
      topReps: Object.entries(repReclaims)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([userId, count]) => ({ userId, name: name(userId), count })),
    },
    bounces: {
      count: sum((r) => r.bounces),
      topPairs: Object.entries(pairs)
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

/** User ids the top lists of these rows may name. */
export function userIdsOf(rows: DayRow[]): string[] {
  const ids = new Set<string>();
  for (const r of rows) {
    for (const id of Object.keys(r.repReclaims)) ids.add(id);
    for (const key of Object.keys(r.bouncePairs)) for (const id of key.split('|')) ids.add(id);
  }
  return [...ids];
}
