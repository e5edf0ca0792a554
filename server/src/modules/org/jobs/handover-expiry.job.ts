import { tenantOf, type Job } from '../../../jobs/job';
import { expireHandovers } from '../handover.service';

/** Hourly: a leaver's customers nobody was named to take over within 72 hours go to the pool (policy `successor`). */
export const handoverExpiryJob: Job = {
  name: 'handover-expiry',
  schedule: '17 * * * *',
  perTenant: true,
  async run(ctx) {
    await expireHandovers(ctx.deps, tenantOf(ctx, 'handover-expiry'), ctx.now);
  },
};
