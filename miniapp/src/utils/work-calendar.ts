import type { CalendarBody, CalendarDay } from '@/services/api-types';

/**
 * Editing one year of the working-day calendar: the exceptions to a Monday–Friday week (节假日 on weekdays, 调休上班
 * on weekends), checked as the server checks them so the admin sees the problem before saving.
 */
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** The weekday (0 = Sunday) of a real YYYY-MM-DD date, or null. */
export function weekdayOf(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day ? d.getUTCDay() : null;
}

export const weekdayName = (day: string): string => {
  const w = weekdayOf(day);
  return w === null ? '' : WEEKDAYS[w]!;
};

/** The kind a date can take: holidays fall on weekdays, make-up workdays on weekends. */
export function kindFor(day: string): CalendarDay['kind'] | null {
  const w = weekdayOf(day);
  if (w === null) return null;
  return w === 0 || w === 6 ? 'workday' : 'holiday';
}

/** Adds a date (its kind follows from the weekday), kept sorted; or says why it cannot be added. */
export function addCalendarDay(days: readonly CalendarDay[], year: number, day: string, note: string): { days: CalendarDay[]; error: string | null } {
  const kind = kindFor(day.trim());
  const d = day.trim();
  if (kind === null) return { days: [...days], error: `${d || '日期'} 不是有效日期，请用 YYYY-MM-DD 格式` };
  if (Number(d.slice(0, 4)) !== year) return { days: [...days], error: `只能编辑 ${year} 年的日期` };
  if (days.some((x) => x.day === d)) return { days: [...days], error: `${d} 已经在列表中` };
  if (note.trim().length > 64) return { days: [...days], error: '备注最长 64 个字' };
  const next = [...days, { day: d, kind, note: note.trim() || null }].sort((a, b) => a.day.localeCompare(b.day));
  return { days: next, error: null };
}

export const removeCalendarDay = (days: readonly CalendarDay[], day: string): CalendarDay[] => days.filter((d) => d.day !== day);

/** The `PUT /api/v1/admin/calendar` body for one year. */
export function toCalendarBody(year: number, days: readonly CalendarDay[]): CalendarBody {
  return { year, days: days.map((d) => (d.note ? { day: d.day, kind: d.kind, note: d.note } : { day: d.day, kind: d.kind })) };
}

/** «节假日 3 天 · 调休上班 1 天». */
export function calendarSummary(days: readonly CalendarDay[]): string {
  const holidays = days.filter((d) => d.kind === 'holiday').length;
  const workdays = days.length - holidays;
  return `节假日 ${holidays} 天 · 调休上班 ${workdays} 天`;
}
