import type { Clock } from '@gonghai/plugin-core';
import type { Db } from '../../db/create-db';
import { localDate } from '../../time';
import { bumpStamp } from '../../db/change-stamps';
import { invalidateRules } from '../pool/pool-rules.repository';
import type { CalendarBody, CalendarDay } from './calendar-admin';
import { calendarDays, replaceCalendarDays } from './calendar-admin.repository';
import { writeTransaction } from '../../db/write-retry';

const yearRange = (year: number) => ({ from: `${year}-01-01`, to: `${year}-12-31` });

/** The tenant's working-day exceptions of one year (holidays on weekdays, make-up workdays on weekends). */
export async function tenantCalendar(db: Db, tenantId: string, year: number): Promise<{ year: number; days: CalendarDay[] }> {
  const { from, to } = yearRange(year);
  return { year, days: await calendarDays(db, tenantId, from, to) };
}

/** Replaces one year's exceptions of the tenant's working-day calendar. */
export async function replaceCalendar(db: Db, tenantId: string, body: CalendarBody, now: number): Promise<{ year: number; days: CalendarDay[] }> {
  const { from, to } = yearRange(body.year);
  await writeTransaction(db, async (trx) => {
    await replaceCalendarDays(trx, tenantId, from, to, body.days);
    await bumpStamp(trx, tenantId, 'pools', now);
  });
  // Countdowns shown from cached rules may count working days (other processes: at their next stamp poll).
  invalidateRules(db, tenantId);
  return tenantCalendar(db, tenantId, body.year);
}

/** The current year in the caller's time zone (the calendar's default). */
export const currentYear = (clock: Clock, zone: string) => Number(localDate(clock.now(), zone).slice(0, 4));
