import type { AssignmentDto, AssignmentItemState, AssignmentStatus } from '@/services/api-types';

/** An assignment request's state as HR reads it. */
export const STATUS_TEXT: Record<AssignmentStatus, string> = {
  pending: '审批中',
  approved: '已通过',
  refused: '已拒绝',
  withdrawn: '已撤回',
  expired: '已过期',
  failed: '发起失败',
};

/** What each state means for the customers, one line under the status. */
export const STATUS_HINT: Record<AssignmentStatus, string> = {
  pending: '客户已预留，审批通过后归到新人名下',
  approved: '审批通过，客户已归到新人名下',
  refused: '审批被拒绝，预留的客户已放回公海',
  withdrawn: '审批已撤回，预留的客户已放回公海',
  expired: '超过预留时限仍未审批，客户已放回公海',
  failed: '审批没有发起成功，客户已放回公海，可重新提交',
};

export const ITEM_STATE_TEXT: Record<AssignmentItemState, string> = {
  reserved: '预留中',
  assigned: '已分配',
  released: '已放回公海',
  skipped: '未能预留',
};

/** Why a customer was skipped or released (the item's note holds the server's reason code). */
const NOTE_TEXT: Record<string, string> = {
  not_found: '客户不存在',
  owned: '已被他人领取',
  reserved: '已被另一个分配申请预留',
  not_pool_member: '新人不是该客户所在公海的成员',
  owned_limit_reached: '新人持有的客户已达公海上限',
  assignee_inactive: '新人已离职',
  pool_missing: '客户所在的公海已不存在',
  changed: '审批期间客户状态有变',
  approval_failed: '审批发起失败',
  refused: '审批被拒绝',
  withdrawn: '审批已撤回',
  expired: '预留已过期',
};

/** One customer's state line: «已分配», «未能预留：已被他人领取», or the note the server left. */
export function itemStateText(state: AssignmentItemState, note: string | null): string {
  const base = ITEM_STATE_TEXT[state];
  if (!note) return base;
  return `${base}：${NOTE_TEXT[note] ?? note}`;
}

/** «预留 28 · 分配 0 · 未能预留 2», leaving out zero counts (at least the total shows). */
export function countsText(a: Pick<AssignmentDto, 'counts' | 'items'>): string {
  const parts = (Object.keys(ITEM_STATE_TEXT) as AssignmentItemState[]).filter((s) => (a.counts[s] ?? 0) > 0).map((s) => `${ITEM_STATE_TEXT[s]} ${a.counts[s]}`);
  return parts.length ? `共 ${a.items.length} 个客户 · ${parts.join(' · ')}` : `共 ${a.items.length} 个客户`;
}

/** Tone of the status tag. */
export function statusTone(s: AssignmentStatus): 'pending' | 'ok' | 'bad' {
  return s === 'pending' ? 'pending' : s === 'approved' ? 'ok' : 'bad';
}
