import { addDays } from '../../time';

/** A tenant's working days: Monday to Friday, minus holidays, plus the weekend days worked instead (调休). */
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

export const plainWeek: WorkCalendar = { holidays: new Set(), workdays: new Set() };

export function isWorkingDay(day: string, calendar: WorkCalendar): boolean {
  if (calendar.workdays.has(day)) return true;
  if (calendar.holidays.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Calendars never go this far without a working day; beyond it a calendar is broken, not sparse. */
const MAX_WALK_DAYS = 3660;

/**
 * The local day a clock anchored on `anchorDay` becomes due (DESIGN §4.3): `anchorDay + days + 1` in calendar days, or
 * the `(days + 1)`-th working day after `anchorDay` when counting working days only.
 */
export function dueDay(anchorDay: string, days: number, workingDaysOnly: boolean, calendar: WorkCalendar): string {
  if (!workingDaysOnly) return addDays(anchorDay, days + 1);
  let day = anchorDay;
  for (let counted = 0, walked = 0; counted < days + 1; walked++) {
    if (walked > MAX_WALK_DAYS) throw new RangeError('the work calendar has no working days for ten years');
    day = addDays(day, 1);
    if (isWorkingDay(day, calendar)) counted++;
  }
  return day;
}

/**
 * The latest anchor day whose clock is due on `today`: every anchor on or before it is due, every later one is not —
 * the inverse of `dueDay`, which lets the sweep select due customers with one `anchor < threshold` comparison.
 */
export function latestDueAnchorDay(today: string, days: number, workingDaysOnly: boolean, calendar: WorkCalendar): string {
  if (!workingDaysOnly) return addDays(today, -(days + 1));
  // Walk back from today until days + 1 working days lie in (anchor, today].
  let day = today;
  for (let counted = 0, walked = 0; ; walked++) {
    if (walked > MAX_WALK_DAYS) throw new RangeError('the work calendar has no working days for ten years');
    if (isWorkingDay(day, calendar)) counted++;
    if (counted === days + 1) return addDays(day, -1);
    day = addDays(day, -1);
  }
}
