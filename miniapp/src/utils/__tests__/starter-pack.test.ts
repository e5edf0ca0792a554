import { startHarness, type Harness } from '../../../../server/test/harness';
import { apiAs } from '../../../test/api-as';
import type { Api } from '../../services/api';
import type { CustomerDto, StarterPack } from '../../services/api-types';
import {
  ADDED_REASON,
  MAX_PACK,
  addCustomer,
  addNextSuggestions,
  defaultReason,
  haversineM,
  packFromSuggestion,
  packSummary,
  removeFromPack,
  suggestCountFor,
  toCreateBody,
  validateSubmit,
  type PackItem,
  type PackState,
} from '../starter-pack';

const item = (id: number, level: string, distanceM: number): PackItem => ({ id, name: `客户${id}`, address: `地址${id}`, lat: 31.23, lng: 121.47, level, poolId: 1, distanceM, reason: '离基地近', source: 'suggested' });
const pack = (items: PackItem[]): StarterPack => ({ assigneeUserId: 'newhire01', base: { lat: 31.23, lng: 121.47, source: 'team_customers' }, items, excluded: { reserved: 0, bounced: 0 }, medianDistanceM: null });
const customer = (id: number, status: 'pool' | 'owned' = 'pool'): CustomerDto => ({ id, name: `客户${id}`, address: `地址${id}`, lat: 31.24, lng: 121.47, level: 'B', tags: [], status, poolId: 2, ownerId: null, ownedSince: null, lastVerifiedVisitAt: null, lastFollowUpAt: null, reclaim: null });

describe('starter pack editing', () => {
  const start = packFromSuggestion(pack([item(1, 'A', 100), item(2, 'B', 200), item(3, 'C', 300)]));

  it('removes a customer and remembers it, so more suggestions skip it', () => {
    const s = removeFromPack(start, 2);
    expect(s.items.map((i) => i.id)).toEqual([1, 3]);
    expect(s.removed).toEqual([2]);
    expect(removeFromPack(s, 99)).toBe(s);
    const larger = pack([item(1, 'A', 100), item(2, 'B', 200), item(3, 'C', 300), item(4, 'A', 400), item(5, 'B', 500), item(6, 'C', 600)]);
    expect(suggestCountFor(s, 2)).toBe(5);
    const { state, added } = addNextSuggestions(s, larger, 2);
    expect(added).toBe(2);
    expect(state.items.map((i) => i.id)).toEqual([1, 3, 4, 5]);
    expect(state.removed).toEqual([2]);
  });

  it('adds a hand-picked pool customer with its distance from the base, undoing an earlier removal', () => {
    const s = removeFromPack(start, 2);
    const c = customer(2);
    const { state, error } = addCustomer(s, c);
    expect(error).toBeNull();
    expect(state.removed).toEqual([]);
    expect(state.items.at(-1)).toEqual({ id: 2, name: '客户2', address: '地址2', lat: 31.24, lng: 121.47, level: 'B', poolId: 2, distanceM: Math.round(haversineM(start.base, c)), reason: ADDED_REASON, source: 'added' });
    expect(state.items.at(-1)!.distanceM).toBe(1112);
  });

  it('refuses duplicates, owned customers and a full pack with the reason', () => {
    expect(addCustomer(start, customer(1)).error).toBe('「客户1」已在分配清单中');
    expect(addCustomer(start, customer(9, 'owned')).error).toBe('「客户9」已被领取，不在公海中了');
    const full: PackState = { ...start, items: Array.from({ length: MAX_PACK }, (_, i) => item(1000 + i, 'A', i)) };
    expect(addCustomer(full, customer(9)).error).toBe('一次最多分配 200 个客户，请先移除一些');
    expect(addNextSuggestions(full, pack([item(7, 'A', 1)]), 5).added).toBe(0);
  });

  it('summarises count, levels and the median distance', () => {
    expect(packSummary(start.items)).toEqual({ count: 3, byLevel: [['A', 1], ['B', 1], ['C', 1]], medianDistanceM: 200 });
    expect(packSummary([...start.items, item(4, 'A', 1000)])).toEqual({ count: 4, byLevel: [['A', 2], ['B', 1], ['C', 1]], medianDistanceM: 250 });
    expect(packSummary([])).toEqual({ count: 0, byLevel: [], medianDistanceM: null });
  });

  it('says what stops the submit, in page order', () => {
    const ok = { assigneeUserId: 'newhire01', items: start.items, reason: ' 新人入职 ', overrideCap: true };
    expect(validateSubmit({ ...ok, assigneeUserId: null })).toEqual({ field: 'assignee', message: '请先选择新员工' });
    expect(validateSubmit({ ...ok, items: [] })).toEqual({ field: 'items', message: '请至少选择 1 个客户' });
    expect(validateSubmit({ ...ok, reason: '  ' })).toEqual({ field: 'reason', message: '请填写分配原因，审批人会看到' });
    expect(validateSubmit({ ...ok, reason: '字'.repeat(501) })).toEqual({ field: 'reason', message: '分配原因最长 500 个字，现在 501 个字' });
    expect(validateSubmit(ok)).toBeNull();
    expect(toCreateBody(ok)).toEqual({ assigneeUserId: 'newhire01', customerIds: [1, 2, 3], reason: '新人入职', overrideCap: true });
    expect(defaultReason('新人小白', 30)).toBe('新人入职，为新人小白分配 30 个起步客户');
  });
});

describe('starter pack against the real server', () => {
  let h: Harness;
  let api: Api;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    api = await apiAs(h, { id: 'hr01', name: '何人', roles: ['hr'], departmentIds: ['4'] });
  });
  afterAll(() => h.close());

  it('edits a suggested pack (remove two, two more suggestions, one from the pool list) and the server reserves exactly it', async () => {
    let s = packFromSuggestion(await api.assignments.suggest({ assigneeUserId: 'newhire01', count: 30 }));
    expect(s.items).toHaveLength(30);
    const [first, second] = s.items;
    s = removeFromPack(removeFromPack(s, first!.id), second!.id);
    const larger = await api.assignments.suggest({ assigneeUserId: 'newhire01', count: suggestCountFor(s, 2) });
    const next = addNextSuggestions(s, larger, 2);
    expect(next.added).toBe(2);
    s = next.state;
    expect(s.items.map((i) => i.id)).not.toContain(first!.id);
    expect(new Set(s.items.map((i) => i.id)).size).toBe(30);

    const inPack = new Set(s.items.map((i) => i.id));
    const page = await api.pool.customers({ limit: 200 });
    const extra = page.items.find((c) => !inPack.has(c.id) && !s.removed.includes(c.id))!;
    const picked = addCustomer(s, extra);
    expect(picked.error).toBeNull();
    s = picked.state;

    const input = { assigneeUserId: 'newhire01', items: s.items, reason: defaultReason('新人小白', s.items.length), overrideCap: false };
    expect(validateSubmit(input)).toBeNull();
    const result = await api.assignments.create(toCreateBody(input));
    expect(result.unavailable).toEqual([]);
    expect(result.assignment.status).toBe('pending');
    expect(result.assignment.counts).toEqual({ reserved: 31, assigned: 0, released: 0, skipped: 0 });
    expect(result.assignment.items.map((i) => i.customerId).sort((a, b) => a - b)).toEqual(s.items.map((i) => i.id).sort((a, b) => a - b));
    expect(result.assignment.reason).toBe('新人入职，为新人小白分配 31 个起步客户');
  });
});
