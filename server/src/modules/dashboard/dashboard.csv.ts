import type { DashboardResponse, Figures } from './dashboard';

/** The columns of the export: a Chinese header and how each figure is read (the same figures as the JSON answer). */
const columns: [string, (f: Figures) => string | number | null][] = [
  ['公海客户数', (f) => f.poolSize],
  ['已领取客户数', (f) => f.owned],
  ['业务员数', (f) => f.activeReps],
  ['人均持有', (f) => f.customersPerRep],
  ['剩余可领容量', (f) => f.saturation.remainingCapacity],
  ['每日可领容量', (f) => f.saturation.dailyClaimCapacity],
  ['饱和度比值', (f) => f.saturation.ratio],
  ['结论', (f) => f.saturation.verdict],
  ['原因', (f) => f.saturation.reason],
  ['流入合计', (f) => f.inflow.total],
  ['新建入池', (f) => f.inflow.created],
  ['主动退回', (f) => f.inflow.released],
  ['规则回收', (f) => f.inflow.reclaimed],
  ['离职退回', (f) => f.inflow.departed],
  ['升级转入', (f) => f.inflow.escalated],
  ['其他流入', (f) => f.inflow.other],
  ['流出合计', (f) => f.outflow.total],
  ['领取', (f) => f.outflow.claimed],
  ['分配', (f) => f.outflow.assigned],
  ['升级转出', (f) => f.outflow.escalated],
  ['其他流出', (f) => f.outflow.other],
  ['在池天数中位数', (f) => f.medianDaysInPool],
  ['领取到首次有效拜访小时中位数', (f) => f.medianHoursToFirstVerifiedVisit],
  ['7天窗口结束的领取数', (f) => f.hoarding.claims],
  ['7天内未拜访', (f) => f.hoarding.unvisited],
  ['囤积占比', (f) => f.hoarding.share],
  ['拜访数', (f) => f.visits.total],
  ['有效占比', (f) => f.visits.verifiedShare],
  ['存疑占比', (f) => f.visits.suspectShare],
  ['拒绝占比', (f) => f.visits.rejectedShare],
  ['被回收客户数', (f) => f.reclaims.reclaimed],
  ['人均被回收', (f) => f.reclaims.perRep],
  ['客户在两人间来回次数', (f) => f.bounces.count],
];

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function cell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `GET /api/v1/dashboard/pools.csv`: one line per region total, per pool and for everything visible, with the same
 * figures as the JSON answer. Starts with a UTF-8 byte order mark so Excel reads the Chinese correctly.
 */
export function dashboardCsv(d: DashboardResponse): string {
  const head = ['开始日期', '结束日期', '大区', '公海', '层级', ...columns.map(([name]) => name)];
  const line = (region: string, pool: string, level: string, f: Figures) => [d.range.from, d.range.to, region, pool, level, ...columns.map(([, read]) => read(f))].map(cell).join(',');
  const lines = [head.map(cell).join(',')];
  for (const r of d.regions) {
    lines.push(line(r.name, '', '大区合计', r));
    for (const p of r.pools) lines.push(line(r.name, p.name, '公海', p));
  }
  lines.push(line('', '', '全部合计', d.totals));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
