import type { RawTimelineItem } from './timeline';

/** One field as the server records an edit (`changes` of a timeline item `type: 'edited'`). */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

const FIELD_LABELS: Record<string, string> = {
  name: '名称',
  address: '地址',
  location: '位置',
  level: '级别',
  tags: '标签',
  title: '职务',
  phone: '电话',
};

function show(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '空';
  if (field === 'tags' && Array.isArray(value)) return value.length === 0 ? '无' : value.join('、');
  if (field === 'location' && typeof value === 'object') {
    const { lat, lng } = value as { lat: number; lng: number };
    return `${lat.toFixed(6)}, ${lng.toFixed(6)}`;
  }
  return String(value);
}

/** «将级别由 B 改为 A»; a location says only that it moved (the numbers mean nothing to a reader). */
export function changeText(c: FieldChange): string {
  const label = FIELD_LABELS[c.field] ?? c.field;
  if (c.field === 'location') return '更新了位置';
  if (c.from === null || c.from === undefined || c.from === '') return `填写${label}为 ${show(c.field, c.to)}`;
  if (c.to === null || c.to === undefined || c.to === '') return `清空了${label}（原为 ${show(c.field, c.from)}）`;
  return `将${label}由 ${show(c.field, c.from)} 改为 ${show(c.field, c.to)}`;
}

/**
 * A timeline item `type: 'edited'` in Chinese: «张三 将级别由 B 改为 A», «张三 添加了联系人 李四». A single change is the
 * title itself; several go one per line under «张三 修改了客户资料».
 */
export function describeEdit(item: RawTimelineItem): { tag: string; title: string; lines: string[]; tone: 'plain' } {
  const who = (typeof item.actorName === 'string' && item.actorName) || (typeof item.actorId === 'string' && item.actorId) || '同事';
  const changes = Array.isArray(item.changes) ? (item.changes as FieldChange[]) : [];
  const contact = changes.find((c) => c.field === 'contact');
  const rest = changes.filter((c) => c.field !== 'contact');
  switch (item.kind) {
    case 'contact_added':
      return { tag: '联系人', title: `${who} 添加了联系人 ${show('name', contact?.to)}`, lines: rest.map((c) => `${FIELD_LABELS[c.field] ?? c.field}：${show(c.field, c.to)}`), tone: 'plain' };
    case 'contact_removed':
      return { tag: '联系人', title: `${who} 删除了联系人 ${show('name', contact?.from)}`, lines: [], tone: 'plain' };
    case 'contact_edited': {
      const renamed = rest.find((c) => c.field === 'name');
      const lines = rest.filter((c) => c.field !== 'name').map(changeText);
      const title = renamed ? `${who} 将联系人 ${show('name', renamed.from)} 改名为 ${show('name', renamed.to)}` : `${who} 修改了联系人 ${show('name', contact?.to)}`;
      return { tag: '联系人', title, lines, tone: 'plain' };
    }
    default:
      if (changes.length === 1) return { tag: '编辑', title: `${who} ${changeText(changes[0]!)}`, lines: [], tone: 'plain' };
      return { tag: '编辑', title: `${who} 修改了客户资料`, lines: changes.map(changeText), tone: 'plain' };
  }
}
