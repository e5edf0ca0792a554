import { describeReclaim, ruleDaysFromAnchor } from '../reclaim';

// Shanghai is UTC+8: local midnight of 2026-12-13 is 2026-12-12T16:00Z.
const DUE = '2026-12-12T16:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('the reclaim countdown a rep sees', () => {
  it('counts the whole allowed days after today, with the rule as the reason', () => {
    // Claimed 2026-11-27 (local) under a 15-day verified-visit rule: the last allowed day is 12-12.
    const c = { ownedSince: '2026-11-27T08:40:00.000Z', lastVerifiedVisitAt: null, lastFollowUpAt: null, reclaim: { kind: 'no_verified_visit' as const, dueDate: DUE } };
    expect(ruleDaysFromAnchor(c)).toBe(15);
    expect(describeReclaim({ ...c.reclaim, days: 15 }, at('2026-11-27T08:40:00Z'))).toEqual({ left: '还剩 15 天', reason: '15 天无有效拜访', daysLeft: 15, urgency: 'calm' });
    expect(describeReclaim({ ...c.reclaim, days: 15 }, at('2026-12-08T01:00:00Z'))).toMatchObject({ left: '还剩 4 天', urgency: 'soon' });
    expect(describeReclaim({ ...c.reclaim, days: 15 }, at('2026-12-12T15:59:00Z'))).toMatchObject({ left: '今天 24 点收回', daysLeft: 0, urgency: 'urgent' });
    expect(describeReclaim({ ...c.reclaim, days: 15 }, at('2026-12-12T16:00:00Z'))).toMatchObject({ left: '已到期，即将收回' });
  });

  it('anchors each kind on its own clock and prefers the days the server sends', () => {
    const base = { ownedSince: '2026-10-01T02:00:00.000Z', lastVerifiedVisitAt: '2026-11-20T02:00:00.000Z', lastFollowUpAt: '2026-11-25T02:00:00.000Z' };
    expect(ruleDaysFromAnchor({ ...base, reclaim: { kind: 'no_verified_visit', dueDate: '2026-12-05T16:00:00.000Z' } })).toBe(15);
    expect(ruleDaysFromAnchor({ ...base, reclaim: { kind: 'no_follow_up', dueDate: '2026-12-05T16:00:00.000Z' } })).toBe(10);
    expect(ruleDaysFromAnchor({ ...base, reclaim: { kind: 'no_deal', dueDate: '2026-12-30T16:00:00.000Z' } })).toBe(90);
    expect(ruleDaysFromAnchor({ ...base, reclaim: { kind: 'no_deal', dueDate: '2026-12-30T16:00:00.000Z', days: 60 } })).toBe(60);
    expect(describeReclaim(null, Date.now())).toEqual({ left: '无回收规则', reason: '', daysLeft: null, urgency: 'none' });
  });
});
