import { tenantOf, type Job } from '../../../jobs/job';
import { refreshCheckpoint } from '../today.service';

/**
 * Every five minutes in each tenant's zone: today's intraday checkpoint rebuilt while one is held (someone has looked
 * at the dashboard), so no request waits for a rebuild; a tenant nobody looks at costs nothing.
 */
export const dashboardCheckpointJob: Job = {
  name: 'dashboard-checkpoint',
  schedule: '*/5 * * * *',
  perTenant: true,
  async run(ctx) {
    const tenant = tenantOf(ctx, 'dashboard-checkpoint');
    await refreshCheckpoint(ctx.deps.db, tenant, ctx.now);
  },
};
