import { tenantOf, type Job } from '../../../jobs/job';
import { snapshotTenant } from '../snapshots.service';

/** 00:05 in each tenant's zone (DESIGN §10): yesterday's dashboard snapshot; the first run backfills from the ledger. */
export const dashboardSnapshotJob: Job = {
  name: 'dashboard-snapshot',
  schedule: '5 0 * * *',
  perTenant: true,
  async run(ctx) {
    const tenant = tenantOf(ctx, 'dashboard-snapshot');
    await snapshotTenant(ctx.deps.db, tenant, ctx.now);
  },
};
