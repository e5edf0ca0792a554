import type { Db } from '../../db/create-db';
import type { CalendarDay } from './calendar-admin';

/** The tenant's calendar exceptions from `from` to `to` (YYYY-MM-DD, both included). */
export async function calendarDays(db: Db, tenantId: string, from: string, to: string): Promise<CalendarDay[]> {
  return db
    .selectFrom('tenant_calendar_days')
    .select(['day', 'kind', 'note'])
    .where('tenant_id', '=', tenantId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .execute();
}

/** Replaces the tenant's calendar exceptions from `from` to `to` with `days`. */
export async function replaceCalendarDays(trx: Db, tenantId: string, from: string, to: string, days: CalendarDay[]): Promise<void> {
  await trx.deleteFrom('tenant_calendar_days').where('tenant_id', '=', tenantId).where('day', '>=', from).where('day', '<=', to).execute();
  if (days.length === 0) return;
  await trx
    .insertInto('tenant_calendar_days')
    .values(days.map((d) => ({ tenant_id: tenantId, day: d.day, kind: d.kind, note: d.note })))
    .execute();
}
