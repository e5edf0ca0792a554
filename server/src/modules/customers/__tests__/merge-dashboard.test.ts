import type { LedgerRow } from '../../dashboard/dashboard.repository';
import { blankRow, countLedgerRow } from '../../dashboard/day-rows.service';

const row = (id: number, type: LedgerRow['type'], from: string | null, to: string | null, pool: number | null): LedgerRow => ({
  id,
  customer_id: 7,
  type,
  from_user_id: from,
  to_user_id: to,
  from_pool_id: 2,
  to_pool_id: pool,
  rule_id: null,
  at: id * 1000,
});

describe('the dashboard flows of a merge', () => {
  it('counts no bounce for the survivor staying with its owner, whatever the merged record’s history was', () => {
    // The survivor was rep01's; the merged record (its rows now the survivor's) was rep09's most recently.
    const history = [row(1, 'created', null, 'rep01', 2), row(2, 'created', null, 'rep09', 2)];
    const leaving = row(3, 'merged', 'rep09', null, null);
    const staying = row(4, 'merged', 'rep01', 'rep01', 2);
    const into = blankRow('2026-11-27', { id: 2, regionId: null } as never);
    const before = (_: number, id: number) => [...history, leaving].filter((r) => r.id < id).reverse();
    countLedgerRow(leaving, undefined, into, before);
    countLedgerRow(staying, into, into, before);
    expect(into.bounces).toBe(0);
    expect(into.bouncePairs).toEqual({});
  });
});
