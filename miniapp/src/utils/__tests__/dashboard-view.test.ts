import type { LatestReclaim } from '../../services/api-types';
import {
  csvPath,
  dayLabel,
  flowBars,
  formatHours,
  formatLocalTime,
  formatNumber,
  formatShare,
  groupByRep,
  isBigScreen,
  localToday,
  presetOf,
  presetRange,
  rangeLabel,
  scaleBars,
  stackSegments,
  VERDICTS,
} from '../dashboard-view';

// 2026-11-27 00:30 in Shanghai is still 11-26 in UTC: the range must follow the tenant's day, not UTC's.
const JUST_AFTER_MIDNIGHT = Date.parse('2026-11-26T16:30:00Z');

describe('the 看板 range', () => {
  it('ends today in the tenant zone and counts today in', () => {
    expect(localToday(JUST_AFTER_MIDNIGHT)).toBe('2026-11-27');
    expect(presetRange(7, JUST_AFTER_MIDNIGHT)).toEqual({ from: '2026-11-21', to: '2026-11-27' });
    expect(presetRange(30, JUST_AFTER_MIDNIGHT)).toEqual({ from: '2026-10-29', to: '2026-11-27' });
    expect(presetRange(90, JUST_AFTER_MIDNIGHT)).toEqual({ from: '2026-08-30', to: '2026-11-27' });
  });

  it('recognises a preset, and a range from a link as none', () => {
    expect(presetOf({ from: '2026-10-29', to: '2026-11-27' }, JUST_AFTER_MIDNIGHT)).toBe(30);
    expect(presetOf({ from: '2026-11-20', to: '2026-11-26' }, JUST_AFTER_MIDNIGHT)).toBeNull();
  });

  it('labels days and ranges the way they are read', () => {
    expect(dayLabel('2026-01-05')).toBe('1/5');
    expect(formatLocalTime('2026-11-26T18:00:05.000Z')).toBe('11/27 02:00');
    expect(rangeLabel({ from: '2026-11-01', to: '2026-11-27', days: 27 })).toBe('11/1 – 11/27（27 天）');
  });
});

describe('charts drawn with Views', () => {
  it('scales bars to the tallest, keeps small non-zero bars visible and zero bars empty', () => {
    expect(scaleBars([{ key: 'a', value: 0 }, { key: 'b', value: 1 }, { key: 'c', value: 200 }, { key: 'd', value: 50 }])).toEqual([
      { key: 'a', value: 0, pct: 0 },
      { key: 'b', value: 1, pct: 2 },
      { key: 'c', value: 200, pct: 100 },
      { key: 'd', value: 50, pct: 25 },
    ]);
    expect(scaleBars([{ key: 'a', value: 0 }])).toEqual([{ key: 'a', value: 0, pct: 0 }]);
  });

  it('puts inflow and outflow on one scale', () => {
    expect(flowBars([{ day: '2026-11-26', inflow: 3, outflow: 6 }, { day: '2026-11-27', inflow: 6, outflow: 0 }])).toEqual([
      { day: '2026-11-26', inflow: { key: 'in:2026-11-26', value: 3, pct: 50 }, outflow: { key: 'out:2026-11-26', value: 6, pct: 100 } },
      { day: '2026-11-27', inflow: { key: 'in:2026-11-27', value: 6, pct: 100 }, outflow: { key: 'out:2026-11-27', value: 0, pct: 0 } },
    ]);
  });

  it('splits a stacked bar into whole percents that add up to 100', () => {
    // 1/3 each: 33.3 + 33.3 + 33.3 → the first remainder gets the extra point.
    expect(stackSegments([{ key: 'v', label: '已验证', value: 1 }, { key: 's', label: '可疑', value: 1 }, { key: 'r', label: '被拒绝', value: 1 }]).map((s) => s.pct)).toEqual([34, 33, 33]);
    // 3 / 0 / 1 → 75 / 0 / 25 (the dashboard test's 华东 visits).
    expect(stackSegments([{ key: 'v', label: '已验证', value: 3 }, { key: 's', label: '可疑', value: 0 }, { key: 'r', label: '被拒绝', value: 1 }]).map((s) => s.pct)).toEqual([75, 0, 25]);
    // 2 / 1 / 4 → 28.57 / 14.29 / 57.14 → 29 / 14 / 57.
    expect(stackSegments([{ key: 'a', label: 'a', value: 2 }, { key: 'b', label: 'b', value: 1 }, { key: 'c', label: 'c', value: 4 }]).map((s) => s.pct)).toEqual([29, 14, 57]);
    expect(stackSegments([{ key: 'a', label: 'a', value: 0 }]).map((s) => s.pct)).toEqual([0]);
  });
});

describe('figures and words', () => {
  it('names each saturation verdict', () => {
    expect(VERDICTS).toEqual({ understaffed: { label: '缺人', tone: 'red' }, balanced: { label: '均衡', tone: 'green' }, saturated: { label: '饱和', tone: 'orange' } });
  });

  it('formats shares, hours and numbers', () => {
    expect([formatShare(0.75), formatShare(0.075), formatShare(0), formatShare(1), formatShare(null)]).toEqual(['75%', '7.5%', '0%', '100%', '—']);
    expect([formatHours(5), formatHours(75.5), formatHours(null)]).toEqual(['5 小时', '75.5 小时（3.1 天）', '—']);
    expect([formatNumber(1234), formatNumber(4.567), formatNumber(null)]).toEqual(['1,234', '4.57', '—']);
  });

  it('switches to the big screen when asked or when the window is wide', () => {
    expect([isBigScreen('1', 375), isBigScreen(undefined, 1920), isBigScreen(undefined, 375), isBigScreen('0', 1024)]).toEqual([true, true, false, false]);
  });

  it('exports the same range and region as CSV', () => {
    expect(csvPath({ from: '2026-11-21', to: '2026-11-27' })).toBe('/api/v1/dashboard/pools.csv?from=2026-11-21&to=2026-11-27');
    expect(csvPath({ from: '2026-11-21', to: '2026-11-27', regionId: '2' })).toBe('/api/v1/dashboard/pools.csv?from=2026-11-21&to=2026-11-27&regionId=2');
  });

  it('groups a run’s reclaims by the rep who lost them, most first', () => {
    const r = (id: number, userId: string | null, name: string): LatestReclaim => ({
      customerId: id,
      customerName: `客户${id}`,
      formerOwner: userId ? { userId, name } : null,
      rule: { id: 1, kind: 'no_verified_visit', days: 15 },
      reason: '15 天无有效拜访',
      fromPool: { id: 2, name: '华东公海' },
      targetPool: { id: 2, name: '华东公海' },
      at: '2026-11-26T18:00:01.000Z',
    });
    const groups = groupByRep([r(1, 'rep02', '李娜'), r(2, 'rep01', '张伟'), r(3, 'rep02', '李娜'), r(4, 'rep03', '王芳')]);
    expect(groups.map((g) => [g.userId, g.name, g.items.map((i) => i.customerId)])).toEqual([
      ['rep02', '李娜', [1, 3]],
      ['rep03', '王芳', [4]],
      ['rep01', '张伟', [2]],
    ]);
  });
});
