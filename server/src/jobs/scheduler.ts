import cron from 'node-cron';
import type { AppDeps } from '../context';
import type { Job } from './job';

/**
 * The only importer of node-cron: schedules each job in the default zone and logs each run's failure without
 * stopping the others. Returns a function that stops them all.
 */
export function startScheduler(deps: AppDeps, jobs: readonly Job[]): () => void {
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        try {
          await job.run({ deps, now: deps.clock.now() });
        } catch (err) {
          deps.logger.error({ err, job: job.name }, 'job failed');
        }
      },
      { name: job.name, timezone: deps.config.timeZone, noOverlap: true },
    ),
  );
  return () => {
    for (const task of tasks) void task.stop();
  };
}
