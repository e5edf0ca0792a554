import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';

const T = 'demo-dingtalk';

describe.each(dialects)('working-day calendar administration on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let rep: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, rep] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'rep01')]);
  });
  afterAll(() => h.close());

  it('refuses the calendar to reps and managers', async () => {
    for (const token of [rep, manager]) {
      expect((await h.request('GET', '/api/v1/admin/calendar?year=2026', { token })).status).toBe(403);
      const res = await h.request('PUT', '/api/v1/admin/calendar', { token, body: { year: 2026, days: [] } });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'forbidden', message: '没有权限：此操作需要管理员角色。' });
    }
  });

  it("round-trips one year's working-day calendar and validates it", async () => {
    const cal = (year: number) => h.request('GET', `/api/v1/admin/calendar?year=${year}`, { token: admin });
    const putCal = (body: unknown) => h.request('PUT', '/api/v1/admin/calendar', { token: admin, body });
    expect((await putCal({ days: [{ day: '2027-01-01', kind: 'holiday', note: '元旦' }] })).status).toBe(200);
    const res = await putCal({
      year: 2026,
      days: [
        { day: '2026-10-10', kind: 'workday', note: '国庆调休' },
        { day: '2026-10-01', kind: 'holiday', note: '国庆节' },
        { day: '2026-10-05', kind: 'holiday' },
      ],
    });
    expect(res.status).toBe(200);
    const expected = {
      year: 2026,
      days: [
        { day: '2026-10-01', kind: 'holiday', note: '国庆节' },
        { day: '2026-10-05', kind: 'holiday', note: null },
        { day: '2026-10-10', kind: 'workday', note: '国庆调休' },
      ],
    };
    expect(res.body).toEqual(expected);
    expect((await cal(2026)).body).toEqual(expected);
    // The test clock is in 2026: the default year.
    expect((await h.request('GET', '/api/v1/admin/calendar', { token: admin })).body).toEqual(expected);

    const bad: [unknown, RegExp][] = [
      [{ days: [{ day: '2026-02-30', kind: 'holiday' }] }, /2026-02-30 不是有效日期/],
      [{ days: [{ day: '2026-10-09', kind: 'workday' }] }, /2026-10-09 是周五，本来就上班；调休上班日只能是周六或周日/],
      [{ days: [{ day: '2026-10-03', kind: 'holiday' }] }, /2026-10-03 是周六，本来就休息/],
      [{ year: 2026, days: [{ day: '2027-01-04', kind: 'holiday' }] }, /一次只能设置一年的日期/],
      [{ days: [{ day: '2026-10-01', kind: 'holiday' }, { day: '2026-10-01', kind: 'holiday' }] }, /2026-10-01 出现了两次/],
      [{ days: [{ day: '2026-10-01', kind: 'off' }] }, /kind 必须是 'holiday'（节假日）或 'workday'（调休上班）/],
      [{ days: [] }, /请提供 year/],
    ];
    for (const [body, message] of bad) {
      const r = await putCal(body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await cal(2026)).body).toEqual(expected);

    // Replacing 2026 leaves 2027 alone.
    expect((await putCal({ year: 2026, days: [] })).body).toEqual({ year: 2026, days: [] });
    expect((await cal(2027)).body).toEqual({ year: 2027, days: [{ day: '2027-01-01', kind: 'holiday', note: '元旦' }] });
    expect((await putCal({ year: 2027, days: [] })).status).toBe(200);
  });
});
