import type { PlatformMessage } from '@gonghai/plugin-core';
import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { appPageUrl } from '../../http/app-links';
import { addDays, localDate } from '../../time';
import { enqueueMessages } from '../notify/outbox.service';
import type { OutboxMessage } from '../notify/outbox';
import type { Role } from '../org/org';
import type { TenantSettings } from '../tenants/tenants';
import type { DayRow } from './dashboard';
import { NO_REGION_NAME, rowsForRange, tenantPools, thresholdsOf, visiblePoolIds } from './dashboard.service';
import { figuresOf } from './figures';

/** The mini-program page the digest links to (the manager's dashboard); the H5 build serves the same path. */
export const MANAGER_PAGE = 'pages/manager/index';

const verdictLabel = { understaffed: '人手不足', balanced: '平衡', saturated: '饱和' } as const;
const signed = (n: number) => (n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US'));

/** One line of the digest: a pool or a region, and how it changed from the day before. */
interface Change {
  label: string;
  poolSize: number;
  delta: number;
  inflow: number;
  outflow: number;
  verdict: keyof typeof verdictLabel;
}

/** The active managers (leaders of a department) with the manager role. */
async function managers(db: Db, tenantId: string): Promise<{ userId: string; roles: Role[] }[]> {
  const rows = await db
    .selectFrom('user_departments as ud')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'ud.tenant_id').onRef('u.id', '=', 'ud.user_id'))
    .select(['u.id', 'u.roles'])
    .distinct()
    .where('ud.tenant_id', '=', tenantId)
    .where('ud.is_leader', '=', 1)
    .where('u.active', '=', 1)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({ userId: r.id, roles: r.roles.split(',').filter(Boolean) as Role[] })).filter((m) => m.roles.includes('manager'));
}

/**
 * The morning digest (DESIGN §1 scenario C): to each manager, by direct message, the three pools or regions they see
 * that changed most yesterday (pool size against the day before, then flows), with numbers and a link to the manager
 * page. Once per manager and day (dedupe key), through the outbox; a manager who sees no pool gets nothing.
 */
export async function sendDashboardDigests(
  deps: { db: Db; publicBaseUrl: string },
  tenant: { id: string; timeZone: string; settings: TenantSettings },
  now: number,
): Promise<number> {
  const { db } = deps;
  const day = addDays(localDate(now, tenant.timeZone), -1);
  const before = addDays(day, -1);
  const tp = await tenantPools(db, tenant.id);
  const thresholds = thresholdsOf(tenant.settings);
  const rows = tp.pools.length === 0 ? [] : await rowsForRange(db, tenant, tp.pools, before, day, now);
  const changeOf = (label: string, of: DayRow[]): Change => {
    const f = figuresOf(of, thresholds, new Map());
    const [prev, cur] = [f.series.find((s) => s.day === before), f.series.find((s) => s.day === day)];
    return { label, poolSize: cur?.poolSize ?? 0, delta: (cur?.poolSize ?? 0) - (prev?.poolSize ?? 0), inflow: cur?.inflow ?? 0, outflow: cur?.outflow ?? 0, verdict: f.saturation.verdict };
  };
  const messages: OutboxMessage[] = [];
  for (const m of await managers(db, tenant.id)) {
    const visible = await visiblePoolIds(db, { tenantId: tenant.id, userId: m.userId, roles: m.roles }, tp);
    const pools = tp.pools.filter((p) => visible.has(p.id));
    if (pools.length === 0) continue;
    const changes = pools.map((p) => changeOf(p.name, rows.filter((r) => r.poolId === p.id)));
    // A region line only when it sums more than one pool; otherwise it would repeat its pool's line.
    for (const regionId of new Set(pools.map((p) => p.regionId))) {
      const members = new Set(pools.filter((p) => p.regionId === regionId).map((p) => p.id));
      if (members.size < 2) continue;
      const name = regionId === null ? NO_REGION_NAME : (tp.regions.get(regionId)?.name ?? regionId);
      changes.push(changeOf(`${name}（大区合计）`, rows.filter((r) => members.has(r.poolId))));
    }
    const top = changes
      .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || b.inflow + b.outflow - (a.inflow + a.outflow) || a.label.localeCompare(b.label, 'zh'))
      .slice(0, 3);
    const lines = top.map(
      (c, i) =>
        `${i + 1}. **${c.label}**：公海 ${c.poolSize.toLocaleString('en-US')} 个（较前一天 ${signed(c.delta)}），流入 ${c.inflow.toLocaleString('en-US')}、流出 ${c.outflow.toLocaleString('en-US')}，${verdictLabel[c.verdict]}`,
    );
    const message: PlatformMessage = {
      kind: 'card',
      title: `${day} 公海日报：变化最大的 ${top.length} 处`,
      text: `### ${day} 公海日报\n${lines.join('\n')}\n\n打开「指挥大屏」查看全部区域和趋势。`,
      url: appPageUrl(deps.publicBaseUrl, MANAGER_PAGE, { from: day, to: day }),
      buttonText: '查看大屏',
    };
    messages.push({ tenantId: tenant.id, dedupeKey: `dashboard-digest:${day}:${m.userId}`, target: { kind: 'users', userIds: [m.userId] }, message });
  }
  if (messages.length === 0) return 0;
  return writeTransaction(db, (trx) => enqueueMessages(trx, messages, now));
}
