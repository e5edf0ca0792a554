import { tenantOf, type Job } from '../../../jobs/job';
import { runSweep } from '../sweep.service';

/** 02:00 in each tenant's zone (DESIGN §10): the reclaim sweep and cascade; a second fire of the day changes nothing. */
export const reclaimSweepJob: Job = {
  name: 'reclaim-sweep',
  schedule: '0 2 * * *',
  perTenant: true,
  async run(ctx) {
    await runSweep(ctx.deps, tenantOf(ctx, 'reclaim-sweep').id, { now: ctx.now });
  },
};
