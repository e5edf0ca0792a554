import { tenantOf, type Job } from '../../../jobs/job';
import { sendDashboardDigests } from '../digest.service';

/** 08:30 in each tenant's zone: each manager's morning digest of yesterday's biggest changes, sent once per day. */
export const dashboardDigestJob: Job = {
  name: 'dashboard-digest',
  schedule: '30 8 * * *',
  perTenant: true,
  async run(ctx) {
    const tenant = tenantOf(ctx, 'dashboard-digest');
    await sendDashboardDigests({ db: ctx.deps.db, publicBaseUrl: ctx.deps.config.publicBaseUrl }, tenant, ctx.now);
  },
};
