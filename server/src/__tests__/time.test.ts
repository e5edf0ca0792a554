import { DateTime } from 'luxon';
import { SeededRandom } from '../demo/random';
import { formatLocal, localDate, localMidnightAfter, startOfLocalDay } from '../time';

describe('tenant-local calendar arithmetic', () => {
  it('puts the due day of DESIGN §4.3 at local midnight', () => {
    // Anchor 2026-11-01 14:00 Shanghai, 15 days → reclaimable from 2026-11-17 00:00 Shanghai.
    const anchor = Date.parse('2026-11-01T06:00:00Z');
    expect(new Date(localMidnightAfter(anchor, 16, 'Asia/Shanghai')).toISOString()).toBe('2026-11-16T16:00:00.000Z');
    expect(localDate(Date.parse('2026-11-27T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-28');
    expect(formatLocal(Date.parse('2026-11-27T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-28 00:30');
  });

  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'])(
    'agrees with luxon across DST changes in %s',
    (zone) => {
      const rnd = new SeededRandom(11);
      for (let i = 0; i < 800; i++) {
        const ms = Date.parse('2025-01-01T00:00:00Z') + Math.floor(rnd.next() * 800 * 86_400_000);
        const days = rnd.int(0, 120);
        const expected = DateTime.fromMillis(ms, { zone }).startOf('day').plus({ days });
        expect({ ms, days, at: localMidnightAfter(ms, days, zone) }).toEqual({ ms, days, at: expected.toMillis() });
        expect(localDate(ms, zone)).toBe(DateTime.fromMillis(ms, { zone }).toISODate());
        expect(startOfLocalDay(ms, zone)).toBe(DateTime.fromMillis(ms, { zone }).startOf('day').toMillis());
      }
    },
  );
});
