import { z } from 'zod';
import { queryNumber } from '../../http/validate';

const weekdayNames = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** The weekday (0 = Sunday) of a real YYYY-MM-DD date, or null when it is not one. */
export function weekdayOf(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day ? d.getUTCDay() : null;
}

const year = z.number({ error: 'year 必须是年份' }).int('year 必须是年份').min(2000, 'year 须在 2000 到 2100 之间').max(2100, 'year 须在 2000 到 2100 之间');

export const calendarQuery = z.object({ year: queryNumber(year.optional()) });

/** `PUT /api/v1/admin/calendar`: every exception of one year (the year's stored exceptions are replaced). */
export const calendarBody = z
  .object({
    year: year.optional(),
    days: z
      .array(
        z.object({
          day: z.string({ error: 'day 必须是 YYYY-MM-DD 日期' }),
          kind: z.enum(['holiday', 'workday'], { error: "kind 必须是 'holiday'（节假日）或 'workday'（调休上班）" }),
          note: z.string().trim().max(64, '备注最长 64 个字').optional(),
        }),
        { error: 'days 必须是日期数组' },
      )
      .max(366, '一年最多 366 天'),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.days.forEach((d, i) => {
      const weekday = weekdayOf(d.day);
      const path = ['days', i, 'day'];
      if (weekday === null) return ctx.addIssue({ code: 'custom', path, message: `${d.day} 不是有效日期，请用 YYYY-MM-DD 格式` });
      if (seen.has(d.day)) ctx.addIssue({ code: 'custom', path, message: `${d.day} 出现了两次` });
      seen.add(d.day);
      const weekend = weekday === 0 || weekday === 6;
      if (d.kind === 'workday' && !weekend) ctx.addIssue({ code: 'custom', path, message: `${d.day} 是${weekdayNames[weekday]}，本来就上班；调休上班日只能是周六或周日` });
      if (d.kind === 'holiday' && weekend) ctx.addIssue({ code: 'custom', path, message: `${d.day} 是${weekdayNames[weekday]}，本来就休息；节假日只需标出周一到周五` });
    });
    const years = new Set(body.days.map((d) => Number(d.day.slice(0, 4))));
    if (body.year !== undefined) years.add(body.year);
    if (years.size === 0) ctx.addIssue({ code: 'custom', path: ['year'], message: '请提供 year：要清空哪一年的节假日设置' });
    if (years.size > 1) ctx.addIssue({ code: 'custom', path: ['days'], message: '一次只能设置一年的日期（所有 day 须与 year 同一年）' });
  })
  .transform((body) => ({
    year: body.year ?? Number(body.days[0]!.day.slice(0, 4)),
    days: [...body.days].sort((a, b) => a.day.localeCompare(b.day)).map((d) => ({ day: d.day, kind: d.kind, note: d.note || null })),
  }));

export type CalendarBody = z.infer<typeof calendarBody>;

/** One exception to the Monday–Friday week. */
export interface CalendarDay {
  day: string;
  kind: 'holiday' | 'workday';
  note: string | null;
}
