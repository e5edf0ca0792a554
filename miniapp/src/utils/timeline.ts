import type { PhotoDto } from '@/services/api-types';
import { VERDICT_LABELS, formatDwell, formatMetres, reasonTitle, type Verdict } from './risk-text';
import { describeEdit } from './customer-edit-text';
import { reviewLine, type VisitReview } from './visit-review';

/** One profile timeline item as the server sends it (`GET /api/v1/customers/:id`): `type`, `at` and its own fields. */
export interface RawTimelineItem {
  type: string;
  at: string;
  [field: string]: unknown;
}

/** A timeline row ready to render: everything already in Chinese. */
export interface TimelineEntry {
  key: string;
  kind: 'ownership' | 'visit' | 'follow_up' | 'deal' | 'edit';
  /** «11月27日 10:05» in the tenant's zone. */
  when: string;
  /** A short tag: 领取 / 收回 / 拜访 / 电话 / 商机 … */
  tag: string;
  title: string;
  /** Further lines (why, who, notes, reasons). */
  lines: string[];
  tone: 'good' | 'warn' | 'bad' | 'plain';
  verdict?: Verdict;
  photos?: PhotoDto[];
  deal?: { id: number; status: DealStatus };
}

export type DealStatus = 'open' | 'won' | 'lost';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * «11月27日 10:05», with the year when it is not `now`'s. Demo tenants and reps work in China: shown in UTC+8 unless
 * told otherwise, so a rep abroad still reads the customer's local time.
 */
export function formatWhen(iso: string, now: number, offsetMinutes = 480): string {
  const shift = offsetMinutes * 60_000;
  const d = new Date(Date.parse(iso) + shift);
  const thisYear = new Date(now + shift).getUTCFullYear();
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const day = `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hh}:${mm}`;
  return d.getUTCFullYear() === thisYear ? day : `${d.getUTCFullYear()}年${day}`;
}

/** Names of pools, for ownership events that move a customer between pools. */
export type PoolNames = ReadonlyMap<number, string>;

function person(item: RawTimelineItem, side: 'from' | 'to'): string | null {
  return str(item[`${side}UserName`]) ?? str(item[`${side}UserId`]);
}

function poolName(pools: PoolNames, id: unknown): string {
  const n = num(id);
  return n === null ? '公海' : pools.get(n) ?? `公海 #${n}`;
}

function ownership(item: RawTimelineItem, pools: PoolNames): Pick<TimelineEntry, 'tag' | 'title' | 'lines' | 'tone'> {
  const from = person(item, 'from');
  const to = person(item, 'to');
  const actor = str(item.actorId);
  const reason = str(item.reason);
  const why = reason ? [`原因：${reason}`] : [];
  const toPool = poolName(pools, item.toPoolId);
  switch (item.type) {
    case 'created':
      return to
        ? { tag: '新建', title: `${to} 新建客户并负责跟进`, lines: [`所属公海：${toPool}`], tone: 'plain' }
        : { tag: '新建', title: `新建客户，放入「${toPool}」`, lines: actor ? [`创建人：${actor}`] : [], tone: 'plain' };
    case 'claimed':
      return { tag: '领取', title: `${to ?? '同事'} 从「${toPool}」领取`, lines: [], tone: 'good' };
    case 'released':
      return { tag: '退回', title: `${from ?? '负责人'} 退回「${toPool}」`, lines: why, tone: 'warn' };
    case 'reclaimed': {
      const rule = num(item.ruleId);
      const lines = [reason ? `收回原因：${reason}` : '收回原因：触发回收规则'];
      if (rule !== null) lines.push(`依据规则 #${rule}${num(item.ruleVersion) !== null ? `（第 ${item.ruleVersion} 版）` : ''}`);
      return { tag: '收回', title: `系统从 ${from ?? '原负责人'} 名下收回到「${toPool}」`, lines, tone: 'bad' };
    }
    case 'assigned':
      return {
        tag: '分配',
        title: from ? `由 ${from} 改为分配给 ${to ?? '同事'}` : `分配给 ${to ?? '同事'}`,
        lines: [...(actor ? [`操作人：${actor}`] : []), ...why],
        tone: 'good',
      };
    case 'transferred':
      return {
        tag: '转交',
        title: to ? `由 ${from ?? '原负责人'} 转交给 ${to}` : `由 ${from ?? '原负责人'} 转回「${toPool}」`,
        lines: [...(actor ? [`操作人：${actor}`] : []), ...why],
        tone: 'plain',
      };
    case 'appeal_restored':
      return { tag: '申诉', title: `申诉通过，客户退回 ${to ?? '原负责人'}`, lines: [...(actor ? [`处理人：${actor}`] : []), ...why], tone: 'good' };
    case 'escalated':
      return { tag: '升级', title: `长期无人领取，从「${poolName(pools, item.fromPoolId)}」升级到「${toPool}」`, lines: why, tone: 'warn' };
    case 'left_with_employee':
      return to
        ? { tag: '离职交接', title: `${from ?? '原负责人'} 离职，转给 ${to}`, lines: why, tone: 'warn' }
        : { tag: '离职退回', title: `${from ?? '原负责人'} 离职，客户退回「${toPool}」`, lines: why, tone: 'warn' };
    case 'moved':
      // The pool was archived (and is no longer among the names the app knows): the reason names it.
      return { tag: '转移公海', title: `所在公海归档，转入「${toPool}」${to ? `，仍由 ${to} 负责` : ''}`, lines: [...(actor ? [`操作人：${actor}`] : []), ...why], tone: 'plain' };
    case 'merged':
      // Two rows per merge: the duplicate leaving its owner for no pool (the reason names it), then this record staying.
      return item.toPoolId === null || item.toPoolId === undefined
        ? { tag: '合并', title: reason ?? '合并了重复的客户记录', lines: [...(from ? [`重复记录的负责人：${from}`] : []), ...(actor ? [`操作人：${actor}`] : [])], tone: 'plain' }
        : { tag: '合并', title: to ? `合并后仍由 ${to} 负责` : `合并后留在「${toPool}」`, lines: [], tone: 'plain' };
    default:
      return { tag: '变更', title: `归属变更（${item.type}）`, lines: why, tone: 'plain' };
  }
}

const FOLLOW_UP_KINDS: Record<string, string> = { call: '电话', note: '拜访记录', message: '消息' };
export const DEAL_STATUS_LABELS: Record<DealStatus, string> = { open: '进行中', won: '赢单', lost: '输单' };

/** `12345.5` → «¥12,345.50». */
export function formatAmount(amount: number): string {
  const [whole, cents] = amount.toFixed(2).split('.') as [string, string];
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

function visit(item: RawTimelineItem): Pick<TimelineEntry, 'tag' | 'title' | 'lines' | 'tone' | 'verdict' | 'photos'> {
  const verdict = (str(item.verdict) ?? 'suspect') as Verdict;
  const who = str(item.userName) ?? str(item.userId) ?? '同事';
  const lines: string[] = [];
  const distance = num(item.distanceM);
  const dwell = num(item.dwellS);
  const parts = [distance !== null ? `距客户 ${formatMetres(distance)}` : null, item.finishedAt ? (dwell !== null ? `停留 ${formatDwell(dwell)}` : null) : '拜访进行中'];
  const facts = parts.filter((p): p is string => p !== null).join(' · ');
  if (facts) lines.push(facts);
  const reasons = (item.risk as { reasons?: { code: string; message: string }[] } | undefined)?.reasons ?? [];
  for (const r of reasons) lines.push(`${reasonTitle(r.code)}：${r.message}`);
  const notes = str(item.notes);
  if (notes) lines.push(`拜访记录：${notes}`);
  if (item.review) lines.push(reviewLine(item.review as VisitReview));
  const photos = Array.isArray(item.photos) ? (item.photos as PhotoDto[]) : [];
  return {
    tag: '拜访',
    title: `${who} 上门拜访 · ${VERDICT_LABELS[verdict] ?? verdict}`,
    lines,
    tone: verdict === 'verified' ? 'good' : verdict === 'suspect' ? 'warn' : 'bad',
    verdict,
    photos,
  };
}

/** Turns the profile's timeline (newest first, as the server orders it) into rows to render. */
export function describeTimeline(items: RawTimelineItem[], now: number, pools: PoolNames = new Map()): TimelineEntry[] {
  return items.map((item, i) => {
    const base = { key: `${item.type}-${i}-${item.at}`, when: formatWhen(item.at, now) };
    if (item.type === 'edited') return { ...base, kind: 'edit', ...describeEdit(item) };
    if (item.type === 'visit') return { ...base, key: `visit-${String(item.visitId ?? i)}`, kind: 'visit', ...visit(item) };
    if (item.type === 'follow_up') {
      const who = str(item.userName) ?? str(item.userId) ?? '同事';
      const kind = FOLLOW_UP_KINDS[str(item.kind) ?? ''] ?? '跟进';
      const title = item.kind === 'note' ? `${who} 写了拜访记录` : item.kind === 'message' ? `${who} 发消息跟进` : item.kind === 'call' ? `${who} 电话跟进` : `${who} 跟进`;
      return { ...base, kind: 'follow_up', tag: kind, title, lines: [str(item.content) ?? ''], tone: 'plain' };
    }
    if (item.type === 'deal') {
      const status = (str(item.status) ?? 'open') as DealStatus;
      const id = num(item.dealId) ?? 0;
      const who = str(item.userName) ?? str(item.userId) ?? '同事';
      const amount = num(item.amount) ?? 0;
      const closed = str(item.closedAt);
      const lines = [`金额 ${formatAmount(amount)} · ${DEAL_STATUS_LABELS[status] ?? status}`];
      if (closed && status !== 'open') lines.push(`${status === 'won' ? '赢单' : '输单'}于 ${formatWhen(closed, now)}`);
      return {
        ...base,
        key: `deal-${id}`,
        kind: 'deal',
        tag: '商机',
        title: `${who} 记录商机「${str(item.title) ?? ''}」`,
        lines,
        tone: status === 'won' ? 'good' : status === 'lost' ? 'bad' : 'plain',
        deal: { id, status },
      };
    }
    if (item.type === 'appeal') return { ...base, key: `appeal-${String(item.id ?? i)}`, kind: 'ownership', ...appeal(item, now) };
    return { ...base, kind: 'ownership', ...ownership(item, pools) };
  });
}

/** A rep's appeal against a reclaim, with the manager's decision once there is one. */
function appeal(item: RawTimelineItem, now: number): Pick<TimelineEntry, 'tag' | 'title' | 'lines' | 'tone'> {
  const who = str(item.userName) ?? str(item.userId) ?? '原负责人';
  const lines = [`申诉理由：${str(item.reason) ?? ''}`];
  const by = str(item.decidedByName) ?? str(item.decidedBy) ?? '经理';
  const when = str(item.decidedAt);
  const note = str(item.note);
  const decided = (verb: string) => `${by}${when ? ` 于 ${formatWhen(when, now)}` : ''} ${verb}${note ? `：${note}` : ''}`;
  if (item.status === 'accepted') return { tag: '申诉', title: `${who} 对回收提出申诉 · 已同意`, lines: [...lines, decided('同意，客户退回原负责人')], tone: 'good' };
  if (item.status === 'declined') return { tag: '申诉', title: `${who} 对回收提出申诉 · 已驳回`, lines: [...lines, decided('驳回')], tone: 'bad' };
  return { tag: '申诉', title: `${who} 对回收提出申诉 · 待处理`, lines: [...lines, '等待经理处理'], tone: 'warn' };
}
