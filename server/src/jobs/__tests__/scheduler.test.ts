import type { AppDeps } from '../../context';
import { FakeClock, TEST_NOW } from '../../../test/clock';
import { createTestDb, dialects, type TestDb } from '../../../test/databases';
import { testConfig } from '../../../test/harness';
import { createRuntime } from '../../runtime';
import type { Job, JobContext } from '../job';
import { claimFire, finishFire, listStalledFires, pruneFires, renewFire } from '../leases';
import { LEASE_TTL_MS, resumeStalledFires, runFire, startScheduler } from '../scheduler';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A per-tenant (or server-wide) job that records who it ran for and when, and throws for the tenants named. */
function recordingJob(name: string, schedule: string, opts: { perTenant?: boolean; throwFor?: string[] } = {}) {
  const runs: { scope: string; zone?: string; now: number }[] = [];
  const job: Job = {
    name,
    schedule,
    perTenant: opts.perTenant ?? true,
    async run({ tenant, now }: JobContext) {
      runs.push({ scope: tenant?.id ?? 'server', zone: tenant?.timeZone, now });
      if (tenant && opts.throwFor?.includes(tenant.id)) throw new Error(`${tenant.id} is broken`);
    },
  };
  return { job, runs };
}

const scopes = (runs: { scope: string }[]) => runs.map((r) => r.scope).sort();

describe.each(dialects)('job scheduler on %s', (dialect) => {
  let t: TestDb;
  let deps: AppDeps;
  const clock = new FakeClock(TEST_NOW);

  const addTenant = (id: string, timeZone: string) =>
    t.db
      .insertInto('tenants')
      .values({ id, name: `企业${id}`, platform: 'dingtalk', corp_id: `corp-${id}`, app_key: 'k', app_secret_enc: 'x', agent_id: '1', callback_token_enc: null, callback_aes_key_enc: null, time_zone: timeZone, settings: '{}', created_at: 0 })
      .execute();

  beforeAll(async () => {
    t = await createTestDb(dialect);
    deps = createRuntime({ config: testConfig(), clock, db: t.db });
    // Two tenants in Shanghai (UTC+8), one in Urumqi (UTC+6), one in UTC.
    await addTenant('sh1', 'Asia/Shanghai');
    await addTenant('sh2', 'Asia/Shanghai');
    await addTenant('urc', 'Asia/Urumqi');
    await addTenant('utc', 'UTC');
  });
  afterAll(() => t.destroy());
  beforeEach(async () => {
    await t.db.deleteFrom('job_leases').execute();
    jest.restoreAllMocks();
  });

  it('fires a per-tenant job at 02:00 in each tenant’s own zone, with that tenant', async () => {
    const { job, runs } = recordingJob('sweep', '0 2 * * *');
    const fired: { at: string; ran: string[] }[] = [];
    // Every hour of one UTC day; the schedule can only match on the hour.
    for (let at = Date.parse('2026-11-27T00:00:00Z'); at < Date.parse('2026-11-28T00:00:00Z'); at += HOUR) {
      const r = await runFire(deps, job, { now: at, holder: 'p1' });
      expect(r.skipped).toEqual([]);
      if (r.ran.length) fired.push({ at: new Date(at).toISOString(), ran: r.ran });
    }
    expect(fired).toEqual([
      { at: '2026-11-27T02:00:00.000Z', ran: ['utc'] },
      { at: '2026-11-27T18:00:00.000Z', ran: ['sh1', 'sh2'] },
      { at: '2026-11-27T20:00:00.000Z', ran: ['urc'] },
    ]);
    expect(runs).toEqual([
      { scope: 'utc', zone: 'UTC', now: Date.parse('2026-11-27T02:00:00Z') },
      { scope: 'sh1', zone: 'Asia/Shanghai', now: Date.parse('2026-11-27T18:00:00Z') },
      { scope: 'sh2', zone: 'Asia/Shanghai', now: Date.parse('2026-11-27T18:00:00Z') },
      { scope: 'urc', zone: 'Asia/Urumqi', now: Date.parse('2026-11-27T20:00:00Z') },
    ]);
  });

  it('runs only the tenants of the zone whose cron task fired, and truncates a late callback to the minute', async () => {
    const { job, runs } = recordingJob('sweep', '0 2 * * *');
    // 02:00 in Shanghai is midnight in Urumqi: the Urumqi task has nothing to do.
    expect(await runFire(deps, job, { now: Date.parse('2026-11-27T18:00:00Z'), holder: 'p1', timeZone: 'Asia/Urumqi' })).toEqual({ ran: [], skipped: [], failed: [] });
    const late = Date.parse('2026-11-27T18:00:41.500Z');
    expect(await runFire(deps, job, { now: late, holder: 'p1', timeZone: 'Asia/Shanghai' })).toEqual({ ran: ['sh1', 'sh2'], skipped: [], failed: [] });
    const leases = await t.db.selectFrom('job_leases').select(['scope', 'fire_at', 'done_at']).orderBy('scope').execute();
    expect(leases.map((l) => ({ ...l, fire_at: Number(l.fire_at), done_at: Number(l.done_at) }))).toEqual([
      { scope: 'sh1', fire_at: Date.parse('2026-11-27T18:00:00Z'), done_at: clock.now() },
      { scope: 'sh2', fire_at: Date.parse('2026-11-27T18:00:00Z'), done_at: clock.now() },
    ]);
    expect(scopes(runs)).toEqual(['sh1', 'sh2']);
  });

  it('runs each tenant’s fire exactly once when several processes fire the same instant', async () => {
    const { job, runs } = recordingJob('sweep', '0 2 * * *');
    const at = Date.parse('2026-11-27T18:00:00Z');
    const holders = ['p1', 'p2', 'p3', 'p4'];
    // Each "process" sees the fire a few hundred milliseconds apart, as real ones would.
    const results = await Promise.all(holders.map((holder, i) => runFire(deps, job, { now: at + i * 300, holder })));
    expect(scopes(runs)).toEqual(['sh1', 'sh2']);
    expect(results.flatMap((r) => r.ran).sort()).toEqual(['sh1', 'sh2']);
    expect(results.flatMap((r) => r.skipped).sort()).toEqual(['sh1', 'sh1', 'sh1', 'sh2', 'sh2', 'sh2']);
    // A straggler later in the same minute, and a rerun by a winner, find the fire done.
    expect(await runFire(deps, job, { now: at + 59_999, holder: 'p5' })).toEqual({ ran: [], skipped: ['sh1', 'sh2'], failed: [] });
    for (const holder of holders) expect((await runFire(deps, job, { now: at, holder })).ran).toEqual([]);
    expect(scopes(runs)).toEqual(['sh1', 'sh2']);
    // The next day's fire is a fire of its own.
    await runFire(deps, job, { now: at + 24 * HOUR, holder: 'p2' });
    expect(scopes(runs)).toEqual(['sh1', 'sh1', 'sh2', 'sh2']);
  });

  it('runs a server-wide job once per fire, in TZ_DEFAULT, without a tenant', async () => {
    const { job, runs } = recordingJob('snapshot', '5 0 * * *', { perTenant: false });
    // 00:05 Shanghai (TZ_DEFAULT) is 16:05 UTC.
    expect(await runFire(deps, job, { now: Date.parse('2026-11-27T00:05:00Z'), holder: 'p1' })).toEqual({ ran: [], skipped: [], failed: [] });
    const at = Date.parse('2026-11-27T16:05:00Z');
    const [a, b] = await Promise.all([runFire(deps, job, { now: at, holder: 'p1' }), runFire(deps, job, { now: at + 10, holder: 'p2' })]);
    expect([...a!.ran, ...b!.ran]).toEqual(['server']);
    expect([...a!.skipped, ...b!.skipped]).toEqual(['server']);
    expect(runs).toEqual([{ scope: 'server', zone: undefined, now: expect.any(Number) }]);
  });

  it('truncates sub-minute schedules to the second', async () => {
    const { job, runs } = recordingJob('outbox', '*/10 * * * * *', { perTenant: false });
    const base = Date.parse('2026-11-27T03:00:00Z');
    expect((await runFire(deps, job, { now: base + 10_400, holder: 'p1' })).ran).toEqual(['server']);
    expect((await runFire(deps, job, { now: base + 10_900, holder: 'p2' })).skipped).toEqual(['server']);
    expect((await runFire(deps, job, { now: base + 15_000, holder: 'p2' })).ran).toEqual([]);
    expect((await runFire(deps, job, { now: base + 20_000, holder: 'p2' })).ran).toEqual(['server']);
    expect(runs).toHaveLength(2);
  });

  it('keeps going past a tenant that throws, logs it, and leaves that tenant’s fire to be retried', async () => {
    const errors = jest.spyOn(deps.logger, 'error');
    const { job, runs } = recordingJob('sweep', '0 2 * * *', { throwFor: ['sh1'] });
    const at = Date.parse('2026-11-27T18:00:00Z');
    expect(await runFire(deps, job, { now: at, holder: 'p1' })).toEqual({ ran: ['sh2'], skipped: [], failed: ['sh1'] });
    expect(scopes(runs)).toEqual(['sh1', 'sh2']);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0]).toMatchObject({ job: 'sweep', tenantId: 'sh1', err: expect.objectContaining({ message: 'sh1 is broken' }) });
    // The failed fire was given back: the next takeover retries it, up to three attempts in all; sh2 is never rerun.
    expect(await resumeStalledFires(deps, [job], { now: at + MINUTE, holder: 'p2' })).toEqual({ ran: [], skipped: [], failed: ['sweep:sh1'] });
    expect(await resumeStalledFires(deps, [job], { now: at + 2 * MINUTE, holder: 'p1' })).toEqual({ ran: [], skipped: [], failed: ['sweep:sh1'] });
    expect(await resumeStalledFires(deps, [job], { now: at + 3 * MINUTE, holder: 'p2' })).toEqual({ ran: [], skipped: [], failed: [] });
    expect(scopes(runs)).toEqual(['sh1', 'sh1', 'sh1', 'sh2']);
  });

  it('takes over a fire whose holder crashed once its lease expires, not before', async () => {
    const { job, runs } = recordingJob('sweep', '0 2 * * *');
    const at = Date.parse('2026-11-27T18:00:00Z');
    // Process "crashed" claimed sh1's fire and died without finishing it.
    expect(await claimFire(t.db, { job: 'sweep', scope: 'sh1', fireAt: at, holder: 'crashed', now: at, ttlMs: LEASE_TTL_MS })).toBe(true);
    expect(await runFire(deps, job, { now: at + 200, holder: 'p2' })).toEqual({ ran: ['sh2'], skipped: ['sh1'], failed: [] });
    // One millisecond before the lease ends, nobody may take it.
    expect(await resumeStalledFires(deps, [job], { now: at + LEASE_TTL_MS - 1, holder: 'p2' })).toEqual({ ran: [], skipped: [], failed: [] });
    expect(await runFire(deps, job, { now: at + LEASE_TTL_MS - 1, holder: 'p3', fireAt: at, scope: 'sh1' })).toEqual({ ran: [], skipped: ['sh1'], failed: [] });
    expect(scopes(runs)).toEqual(['sh2']);
    // From the moment it expires, exactly one of two takers runs it.
    const takeovers = await Promise.all([
      resumeStalledFires(deps, [job], { now: at + LEASE_TTL_MS, holder: 'p2' }),
      resumeStalledFires(deps, [job], { now: at + LEASE_TTL_MS, holder: 'p3' }),
    ]);
    expect(takeovers.flatMap((r) => r.ran)).toEqual(['sweep:sh1']);
    expect(runs).toEqual([
      { scope: 'sh2', zone: 'Asia/Shanghai', now: at + 200 },
      { scope: 'sh1', zone: 'Asia/Shanghai', now: at + LEASE_TTL_MS },
    ]);
    // Done now: the crashed holder coming back cannot finish it, and nobody runs it again.
    expect(await finishFire(t.db, { job: 'sweep', scope: 'sh1', fireAt: at, holder: 'crashed', now: at + HOUR })).toBe(false);
    expect(await resumeStalledFires(deps, [job], { now: at + HOUR, holder: 'p2' })).toEqual({ ran: [], skipped: [], failed: [] });
    expect(await claimFire(t.db, { job: 'sweep', scope: 'sh1', fireAt: at, holder: 'p4', now: at + HOUR, ttlMs: LEASE_TTL_MS })).toBe(false);
  });

  it('keeps a running fire’s lease alive while its holder renews it', async () => {
    const at = Date.parse('2026-11-27T18:00:00Z');
    const key = { job: 'sweep', scope: 'sh1', fireAt: at };
    expect(await claimFire(t.db, { ...key, holder: 'p1', now: at, ttlMs: LEASE_TTL_MS })).toBe(true);
    expect(await renewFire(t.db, { ...key, holder: 'p1', now: at + 4 * MINUTE, ttlMs: LEASE_TTL_MS })).toBe(true);
    // The original lease would have ended at +5 min; renewed, it runs to +9 min.
    expect(await claimFire(t.db, { ...key, holder: 'p2', now: at + 6 * MINUTE, ttlMs: LEASE_TTL_MS })).toBe(false);
    expect(await claimFire(t.db, { ...key, holder: 'p2', now: at + 9 * MINUTE, ttlMs: LEASE_TTL_MS })).toBe(true);
    // p1 lost it: its renewal and its finish both say so.
    expect(await renewFire(t.db, { ...key, holder: 'p1', now: at + 9 * MINUTE + 1, ttlMs: LEASE_TTL_MS })).toBe(false);
    expect(await finishFire(t.db, { ...key, holder: 'p1', now: at + 9 * MINUTE + 1 })).toBe(false);
    expect(await finishFire(t.db, { ...key, holder: 'p2', now: at + 9 * MINUTE + 1 })).toBe(true);
  });

  it('does not resume a stalled fire a later fire has superseded, and closes one whose tenant is gone', async () => {
    const { job, runs } = recordingJob('sweep', '0 2 * * *');
    const day1 = Date.parse('2026-11-27T18:00:00Z');
    const day2 = day1 + 24 * HOUR;
    await claimFire(t.db, { job: 'sweep', scope: 'sh1', fireAt: day1, holder: 'crashed', now: day1, ttlMs: LEASE_TTL_MS });
    await claimFire(t.db, { job: 'sweep', scope: 'sh1', fireAt: day2, holder: 'p1', now: day2, ttlMs: LEASE_TTL_MS });
    await claimFire(t.db, { job: 'sweep', scope: 'gone', fireAt: day1, holder: 'crashed', now: day1, ttlMs: LEASE_TTL_MS });
    expect(await listStalledFires(t.db, { now: day2 + 1, since: 0 })).toEqual([
      { job: 'sweep', scope: 'gone', fireAt: day1 },
    ]);
    expect(await resumeStalledFires(deps, [job], { now: day2 + 1, holder: 'p2' })).toEqual({ ran: [], skipped: [], failed: [] });
    expect(runs).toEqual([]);
    expect(await listStalledFires(t.db, { now: day2 + HOUR, since: 0 })).toEqual([{ job: 'sweep', scope: 'sh1', fireAt: day2 }]);
  });

  it('prunes lease rows of fires older than the cut-off', async () => {
    for (const fireAt of [1_000, 2_000, 3_000]) await claimFire(t.db, { job: 'a', scope: 'server', fireAt, holder: 'p1', now: fireAt, ttlMs: 1 });
    await claimFire(t.db, { job: 'b', scope: 'server', fireAt: 1_000, holder: 'p1', now: 1_000, ttlMs: 1 });
    expect(await pruneFires(t.db, { before: 2_500, jobs: ['a'] })).toBe(2);
    expect(await pruneFires(t.db, { before: 2_500, jobs: [] })).toBe(0);
    expect(await pruneFires(t.db, { before: 2_500 })).toBe(1);
    expect((await t.db.selectFrom('job_leases').select(['job', 'fire_at']).execute()).map((r) => [r.job, Number(r.fire_at)])).toEqual([['a', 3_000]]);
  });

  it('schedules one cron task per tenant zone and follows new and vanished zones', async () => {
    const { job: perTenant } = recordingJob('sweep', '0 2 * * *');
    const { job: serverWide } = recordingJob('snapshot', '5 0 * * *', { perTenant: false });
    const scheduler = startScheduler(deps, [perTenant, serverWide], { holder: 'p1' });
    try {
      await scheduler.refresh();
      expect(scheduler.tasks()).toEqual(['snapshot@Asia/Shanghai', 'sweep@Asia/Shanghai', 'sweep@Asia/Urumqi', 'sweep@UTC']);
      await addTenant('kol', 'Asia/Kolkata');
      await t.db.deleteFrom('tenants').where('id', '=', 'utc').execute();
      await scheduler.refresh();
      expect(scheduler.tasks()).toEqual(['snapshot@Asia/Shanghai', 'sweep@Asia/Kolkata', 'sweep@Asia/Shanghai', 'sweep@Asia/Urumqi']);
    } finally {
      scheduler();
      await t.db.deleteFrom('tenants').where('id', '=', 'kol').execute();
      await addTenant('utc', 'UTC');
    }
    expect(scheduler.tasks()).toEqual([]);
  });
});
