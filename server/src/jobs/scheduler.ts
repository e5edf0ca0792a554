import { randomBytes } from 'node:crypto';
import os from 'node:os';
import cron, { type ScheduledTask, type TaskContext } from 'node-cron';
import type { AppDeps } from '../context';
import type { Tenant } from '../modules/tenants/tenants';
import { listTenants } from '../modules/tenants/tenants.repository';
import type { Job } from './job';
import { claimFire, finishFire, listStalledFires, pruneFires, releaseFire, renewFire, type FireKey } from './leases';

/** The scope of a server-wide job's fires in `job_leases`. */
export const SERVER_SCOPE = 'server';
/** How long a fire's lease lasts without renewal; a running fire renews it every third of this. */
export const LEASE_TTL_MS = 5 * 60_000;
/** Stalled fires older than this are not taken over any more (and daily jobs have fired again by then anyway). */
const STALLED_WINDOW_MS = 2 * 86_400_000;
/** Lease rows are kept this long, long enough for any straggling process to see a fire was already run. */
const KEEP_MS = 3 * 86_400_000;
/** Sub-minute jobs leave a row per tenant every few seconds: keep theirs for an hour only. */
const KEEP_SUB_MINUTE_MS = 3_600_000;

/** What one fire did in this process: scopes (tenant ids or 'server') it ran, lost to another holder, or saw fail. */
export interface FireResult {
  ran: string[];
  skipped: string[];
  failed: string[];
}

export interface FireOptions {
  /** The clock at the fire; the job's ctx.now. */
  now: number;
  /** Who claims the fire's leases (one per process). */
  holder: string;
  /** The instant the fire was scheduled for; defaults to `now` truncated to the schedule's resolution. */
  fireAt?: number;
  /** Only tenants in this zone (the zone of the cron task that fired). */
  timeZone?: string;
  /** Only this scope (taking over one stalled fire). */
  scope?: string;
  ttlMs?: number;
}

/** 1 s for 6-field (seconds) schedules, else 1 min: what a fire's instant is truncated to. */
export function fireResolution(schedule: string): number {
  return schedule.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
}

/** True when `schedule` fires at `at` in `timeZone` (node-cron's own matcher, so tests and cron agree). */
export function scheduleMatches(schedule: string, timeZone: string, at: number): boolean {
  // A created task is not started (no timer); destroying it takes it out of node-cron's registry again.
  const task = cron.createTask(schedule, () => undefined, { timezone: timeZone });
  try {
    return task.match(new Date(at));
  } finally {
    void task.destroy();
  }
}

/**
 * Runs one fire of a job in this process: for a per-tenant job, every tenant whose local time matches the schedule at
 * the fire's instant (each claimed, run and finished on its own, one tenant's failure logged and never stopping the
 * others); for a server-wide job, the server scope if the schedule matches in TZ_DEFAULT. A scope another holder
 * claimed is skipped. The cron callbacks use this; tests drive it with an injected clock.
 */
export async function runFire(deps: AppDeps, job: Job, o: FireOptions): Promise<FireResult> {
  const fireAt = o.fireAt ?? o.now - (o.now % fireResolution(job.schedule));
  const result: FireResult = { ran: [], skipped: [], failed: [] };
  if (!job.perTenant) {
    if (o.scope !== undefined && o.scope !== SERVER_SCOPE) return result;
    if (scheduleMatches(job.schedule, deps.config.timeZone, fireAt)) await runScope(deps, job, SERVER_SCOPE, undefined, fireAt, o, result);
    return result;
  }
  const due = new Map<string, boolean>();
  for (const tenant of await listTenants(deps.db)) {
    if (o.timeZone !== undefined && tenant.timeZone !== o.timeZone) continue;
    if (o.scope !== undefined && tenant.id !== o.scope) continue;
    let matches = due.get(tenant.timeZone);
    if (matches === undefined) {
      matches = scheduleMatches(job.schedule, tenant.timeZone, fireAt);
      due.set(tenant.timeZone, matches);
    }
    if (matches) await runScope(deps, job, tenant.id, tenant, fireAt, o, result);
  }
  return result;
}

async function runScope(deps: AppDeps, job: Job, scope: string, tenant: Tenant | undefined, fireAt: number, o: FireOptions, result: FireResult): Promise<void> {
  const key: FireKey = { job: job.name, scope, fireAt };
  const ttlMs = o.ttlMs ?? LEASE_TTL_MS;
  const log = { job: job.name, tenantId: tenant?.id, fireAt: new Date(fireAt).toISOString() };
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    if (!(await claimFire(deps.db, { ...key, holder: o.holder, now: o.now, ttlMs }))) {
      result.skipped.push(scope);
      return;
    }
    // A long run keeps its lease alive; only a holder that stopped renewing (crashed) is taken over.
    heartbeat = setInterval(() => {
      renewFire(deps.db, { ...key, holder: o.holder, now: deps.clock.now(), ttlMs }).catch((err: unknown) => deps.logger.warn({ err, ...log }, 'job lease renewal failed'));
    }, ttlMs / 3);
    heartbeat.unref();
    await job.run({ deps, now: o.now, tenant });
    clearInterval(heartbeat);
    await finishFire(deps.db, { ...key, holder: o.holder, now: deps.clock.now() });
    result.ran.push(scope);
  } catch (err) {
    clearInterval(heartbeat);
    result.failed.push(scope);
    deps.logger.error({ err, ...log }, 'job failed');
    // Given back unfinished: the next takeover retries it (jobs are safe to run twice), up to the attempt limit.
    await releaseFire(deps.db, { ...key, holder: o.holder, now: deps.clock.now() }).catch(() => undefined);
  }
}

/**
 * Takes over fires whose holder crashed or failed (claimed, unfinished, lease lapsed) and runs them again, each for its
 * own scope only. A stalled fire whose tenant is gone, or no longer due at that instant, is closed instead.
 */
export async function resumeStalledFires(deps: AppDeps, jobs: readonly Job[], o: { now: number; holder: string; ttlMs?: number }): Promise<FireResult> {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const total: FireResult = { ran: [], skipped: [], failed: [] };
  for (const fire of await listStalledFires(deps.db, { now: o.now, since: o.now - STALLED_WINDOW_MS })) {
    // Another process's job (a different version during a rolling deploy): leave it to a process that knows it.
    const job = byName.get(fire.job);
    if (!job) continue;
    const r = await runFire(deps, job, { now: o.now, holder: o.holder, fireAt: fire.fireAt, scope: fire.scope, ttlMs: o.ttlMs });
    if (r.ran.length + r.skipped.length + r.failed.length === 0) {
      const close = { ...fire, holder: o.holder, now: o.now };
      if (await claimFire(deps.db, { ...close, ttlMs: o.ttlMs ?? LEASE_TTL_MS })) await finishFire(deps.db, close);
      continue;
    }
    const label = (scope: string) => `${fire.job}:${scope}`;
    total.ran.push(...r.ran.map(label));
    total.skipped.push(...r.skipped.map(label));
    total.failed.push(...r.failed.map(label));
  }
  return total;
}

/** Deletes old lease rows: a few days' worth is kept, an hour's for sub-minute jobs. */
export async function pruneJobLeases(deps: AppDeps, jobs: readonly Job[], now: number): Promise<number> {
  const subMinute = jobs.filter((j) => fireResolution(j.schedule) < 60_000).map((j) => j.name);
  return (await pruneFires(deps.db, { before: now - KEEP_SUB_MINUTE_MS, jobs: subMinute })) + (await pruneFires(deps.db, { before: now - KEEP_MS }));
}

/** A running scheduler: call it to stop every task. */
export interface Scheduler {
  (): void;
  /** The cron tasks now scheduled, as `job@zone` (server-wide jobs in TZ_DEFAULT too). */
  tasks(): string[];
  /** Re-reads the tenants' time zones now (it also happens every five minutes). */
  refresh(): Promise<void>;
}

/**
 * The only importer of node-cron. Server-wide jobs get one task in TZ_DEFAULT; per-tenant jobs one task per distinct
 * tenant time zone, kept in step with the tenants every five minutes. Every fire goes through `runFire`, so each
 * (job, scope, fire) runs in exactly one process; a minute tick takes over fires whose holder crashed.
 */
export function startScheduler(deps: AppDeps, jobs: readonly Job[], options: { holder?: string; ttlMs?: number } = {}): Scheduler {
  const holder = options.holder ?? `${os.hostname()}#${process.pid}#${randomBytes(3).toString('hex')}`.slice(-128);
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  // Keyed `job@zone`; `zone` is kept apart so a per-tenant job's tasks can follow the tenants' zones.
  const tasks = new Map<string, { task: ScheduledTask; job: Job; zone: string }>();
  let stopped = false;

  const guarded = (what: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (err) {
      deps.logger.error({ err, task: what }, 'scheduler task failed');
    }
  };
  const schedule = (job: Job, zone: string) => {
    const key = `${job.name}@${zone}`;
    if (stopped || tasks.has(key)) return;
    const fire = async (ctx: TaskContext) => {
      await guarded(key, async () => {
        // node-cron hands over the scheduled instant, so a late callback still claims the right fire.
        const r = await runFire(deps, job, { now: deps.clock.now(), fireAt: ctx.date.getTime(), holder, timeZone: job.perTenant ? zone : undefined, ttlMs });
        deps.logger.debug({ job: job.name, zone, ...r }, 'job fired');
      })();
    };
    tasks.set(key, { task: cron.schedule(job.schedule, fire, { name: key, timezone: zone, noOverlap: true }), job, zone });
  };

  for (const job of jobs) if (!job.perTenant) schedule(job, deps.config.timeZone);
  const refresh = async () => {
    const zones = new Set((await listTenants(deps.db)).map((t) => t.timeZone));
    for (const job of jobs) if (job.perTenant) for (const zone of zones) schedule(job, zone);
    // A zone no tenant uses any more loses its tasks.
    for (const [key, t] of tasks) {
      if (t.job.perTenant && !zones.has(t.zone)) {
        void t.task.destroy();
        tasks.delete(key);
      }
    }
  };
  const maintenance = [
    cron.schedule('*/5 * * * *', guarded('refresh', async () => {
      await refresh();
      await pruneJobLeases(deps, jobs, deps.clock.now());
    }), { name: 'jobs:refresh', noOverlap: true }),
    cron.schedule('* * * * *', guarded('takeover', () => resumeStalledFires(deps, jobs, { now: deps.clock.now(), holder, ttlMs })), { name: 'jobs:takeover', noOverlap: true }),
  ];
  void guarded('refresh', refresh)();

  const stop = (() => {
    stopped = true;
    for (const task of [...[...tasks.values()].map((t) => t.task), ...maintenance]) void task.destroy();
    tasks.clear();
  }) as Scheduler;
  stop.tasks = () => [...tasks.keys()].sort();
  stop.refresh = guarded('refresh', refresh);
  return stop;
}
