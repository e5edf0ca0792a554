import { addCalendarDay, calendarSummary, kindFor, removeCalendarDay, toCalendarBody, weekdayName } from '../work-calendar';

describe('working-day calendar editing', () => {
  it('takes the kind from the weekday: weekday → 节假日, weekend → 调休上班', () => {
    expect(kindFor('2026-10-01')).toBe('holiday'); // Thursday
    expect(kindFor('2026-10-10')).toBe('workday'); // Saturday
    expect(kindFor('2026-02-30')).toBeNull();
    expect(weekdayName('2026-10-10')).toBe('周六');
  });

  it('adds dates sorted, with notes, and refuses what the server would refuse', () => {
    let days = addCalendarDay([], 2026, '2026-10-02', ' 国庆 ').days;
    days = addCalendarDay(days, 2026, '2026-10-01', '').days;
    days = addCalendarDay(days, 2026, '2026-10-10', '国庆调休').days;
    expect(days).toEqual([
      { day: '2026-10-01', kind: 'holiday', note: null },
      { day: '2026-10-02', kind: 'holiday', note: '国庆' },
      { day: '2026-10-10', kind: 'workday', note: '国庆调休' },
    ]);
    expect(addCalendarDay(days, 2026, '2026-10-01', '').error).toBe('2026-10-01 已经在列表中');
    expect(addCalendarDay(days, 2026, '2027-01-01', '').error).toBe('只能编辑 2026 年的日期');
    expect(addCalendarDay(days, 2026, '2026/10/03', '').error).toBe('2026/10/03 不是有效日期，请用 YYYY-MM-DD 格式');
    expect(addCalendarDay(days, 2026, '', '').error).toBe('日期 不是有效日期，请用 YYYY-MM-DD 格式');
    expect(addCalendarDay(days, 2026, '2026-10-05', '长'.repeat(65)).error).toBe('备注最长 64 个字');
    expect(calendarSummary(days)).toBe('节假日 2 天 · 调休上班 1 天');
    expect(toCalendarBody(2026, removeCalendarDay(days, '2026-10-01'))).toEqual({
      year: 2026,
      days: [
        { day: '2026-10-02', kind: 'holiday', note: '国庆' },
        { day: '2026-10-10', kind: 'workday', note: '国庆调休' },
      ],
    });
    expect(toCalendarBody(2026, [])).toEqual({ year: 2026, days: [] });
  });
});
