import { STATUS_TEXT, countsText, itemStateText, statusTone } from '../assignment-status';

describe('assignment status texts', () => {
  it('names every status as HR reads it', () => {
    expect(STATUS_TEXT).toEqual({ pending: '审批中', approved: '已通过', refused: '已拒绝', withdrawn: '已撤回', expired: '已过期', failed: '发起失败' });
    expect([statusTone('pending'), statusTone('approved'), statusTone('refused')]).toEqual(['pending', 'ok', 'bad']);
  });

  it('explains each customer’s state with the reason code the server left', () => {
    expect(itemStateText('reserved', null)).toBe('预留中');
    expect(itemStateText('skipped', 'owned')).toBe('未能预留：已被他人领取');
    expect(itemStateText('skipped', 'owned_limit_reached')).toBe('未能预留：新人持有的客户已达公海上限');
    expect(itemStateText('released', 'refused')).toBe('已放回公海：审批被拒绝');
    expect(itemStateText('released', 'something_new')).toBe('已放回公海：something_new');
  });

  it('counts the customers by state, leaving out zeros', () => {
    const items = Array.from({ length: 30 }, () => null);
    expect(countsText({ items: items as never, counts: { reserved: 0, assigned: 28, released: 0, skipped: 2 } })).toBe('共 30 个客户 · 已分配 28 · 未能预留 2');
    expect(countsText({ items: [], counts: { reserved: 0, assigned: 0, released: 0, skipped: 0 } })).toBe('共 0 个客户');
  });
});
