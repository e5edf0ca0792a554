import type { Job } from '../jobs/job';
import { deleteExpiredRateLimits } from './rate-limit.repository';

/**
 * Every 10 minutes: drops the rate-limit counters whose window has ended (a counter is only read within its window, so
 * nothing is lost; a key seen again starts a new row). Keeps the table as small as the keys active in one window.
 */
export const rateLimitsPruneJob: Job = {
  name: 'rate-limits-prune',
  schedule: '*/10 * * * *',
  perTenant: false,
  async run({ deps, now }) {
    const pruned = await deleteExpiredRateLimits(deps.db, now);
    if (pruned > 0) deps.logger.debug({ pruned }, 'rate-limit counters pruned');
  },
};
