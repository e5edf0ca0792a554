import { tenantOf, type Job } from '../../../jobs/job';
import { syncTenantOrg } from '../org-sync.service';

/** Every 30 minutes: a full directory sync per tenant, in case a contact-change callback was lost. */
export const orgSyncJob: Job = {
  name: 'org-sync',
  schedule: '*/30 * * * *',
  perTenant: true,
  async run(ctx) {
    await syncTenantOrg(ctx.deps, tenantOf(ctx, 'org-sync').id);
  },
};
