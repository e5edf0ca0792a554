import type { CreateAssignmentBody, CustomerDto, StarterPack, StarterPackItem } from '@/services/api-types';

/** One customer of the pack HR is editing: a suggestion, or one HR added from the pool list. */
export interface PackItem extends StarterPackItem {
  source: 'suggested' | 'added';
}

/**
 * The pack being edited. `removed` remembers what HR took out, so "more suggestions" never brings a removed customer
 * back (only an explicit pick from the pool list does).
 */
export interface PackState {
  base: { lat: number; lng: number };
  items: PackItem[];
  removed: number[];
}

/** The one server limit HR can hit by adding (createAssignmentBody: at most 200 per request). */
export const MAX_PACK = 200;
/** The suggestion endpoint's largest count. */
export const MAX_SUGGEST = 100;
export const DEFAULT_COUNT = 30;
export const ADDED_REASON = '人事手动添加';

/** Great-circle distance in metres (the same formula as the server's, so list distances agree). */
export function haversineM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A fresh pack from the server's suggestion. */
export function packFromSuggestion(pack: StarterPack): PackState {
  return { base: { lat: pack.base.lat, lng: pack.base.lng }, items: pack.items.map((i) => ({ ...i, source: 'suggested' })), removed: [] };
}

export function removeFromPack(state: PackState, id: number): PackState {
  if (!state.items.some((i) => i.id === id)) return state;
  return { ...state, items: state.items.filter((i) => i.id !== id), removed: [...state.removed, id] };
}

/**
 * The next `n` suggestions from a larger suggestion of the same base: nearest first, skipping what is in the pack
 * and what HR removed, stopping at the pack limit.
 */
export function addNextSuggestions(state: PackState, larger: StarterPack, n: number): { state: PackState; added: number } {
  const skip = new Set([...state.items.map((i) => i.id), ...state.removed]);
  const room = Math.max(0, Math.min(n, MAX_PACK - state.items.length));
  const fresh = larger.items.filter((i) => !skip.has(i.id)).slice(0, room);
  return { state: { ...state, items: [...state.items, ...fresh.map((i) => ({ ...i, source: 'suggested' as const }))] }, added: fresh.length };
}

/** How many customers to ask the suggestion for to see `n` new ones (capped by the endpoint's limit). */
export const suggestCountFor = (state: PackState, n: number): number => Math.min(MAX_SUGGEST, state.items.length + state.removed.length + n);

/** A pool customer HR picked by hand, with its distance from the pack's base. */
export function packItemFromCustomer(c: CustomerDto, base: { lat: number; lng: number }): PackItem {
  return { id: c.id, name: c.name, address: c.address, lat: c.lat, lng: c.lng, level: c.level, poolId: c.poolId, distanceM: Math.round(haversineM(base, c)), reason: ADDED_REASON, source: 'added' };
}

/** Adds a hand-picked customer (undoing an earlier removal); refuses duplicates and a full pack with a reason. */
export function addCustomer(state: PackState, c: CustomerDto): { state: PackState; error: string | null } {
  if (state.items.some((i) => i.id === c.id)) return { state, error: `「${c.name}」已在分配清单中` };
  if (c.status !== 'pool') return { state, error: `「${c.name}」已被领取，不在公海中了` };
  if (state.items.length >= MAX_PACK) return { state, error: `一次最多分配 ${MAX_PACK} 个客户，请先移除一些` };
  return { state: { ...state, items: [...state.items, packItemFromCustomer(c, state.base)], removed: state.removed.filter((id) => id !== c.id) }, error: null };
}

/** Count, per-level counts (sorted by level) and median distance of the pack, for the summary line. */
export function packSummary(items: readonly PackItem[]): { count: number; byLevel: [string, number][]; medianDistanceM: number | null } {
  const levels = new Map<string, number>();
  for (const i of items) levels.set(i.level, (levels.get(i.level) ?? 0) + 1);
  const d = items.map((i) => i.distanceM).sort((a, b) => a - b);
  const mid = d.length >> 1;
  const medianDistanceM = d.length === 0 ? null : d.length % 2 === 1 ? d[mid]! : (d[mid - 1]! + d[mid]!) / 2;
  return { count: items.length, byLevel: [...levels.entries()].sort((a, b) => a[0].localeCompare(b[0])), medianDistanceM };
}

export interface SubmitInput {
  assigneeUserId: string | null;
  items: readonly PackItem[];
  reason: string;
  overrideCap: boolean;
}

/** What would stop the submit, in the order HR fills the page (checked again by the server). */
export function validateSubmit(input: SubmitInput): { field: 'assignee' | 'items' | 'reason'; message: string } | null {
  if (!input.assigneeUserId) return { field: 'assignee', message: '请先选择新员工' };
  if (input.items.length === 0) return { field: 'items', message: '请至少选择 1 个客户' };
  if (input.items.length > MAX_PACK) return { field: 'items', message: `一次最多分配 ${MAX_PACK} 个客户，请移除 ${input.items.length - MAX_PACK} 个` };
  const reason = input.reason.trim();
  if (!reason) return { field: 'reason', message: '请填写分配原因，审批人会看到' };
  if (reason.length > 500) return { field: 'reason', message: `分配原因最长 500 个字，现在 ${reason.length} 个字` };
  return null;
}

/** The `POST /api/v1/assignments` body; call after validateSubmit passed. */
export function toCreateBody(input: SubmitInput): CreateAssignmentBody {
  return { assigneeUserId: input.assigneeUserId!, customerIds: input.items.map((i) => i.id), reason: input.reason.trim(), overrideCap: input.overrideCap };
}

/** The reason HR starts from: who and how many, editable. */
export const defaultReason = (name: string, count: number): string => `新人入职，为${name}分配 ${count} 个起步客户`;
