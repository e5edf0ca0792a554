import { tenantOf, type Job } from '../../../jobs/job';
import { expireAssignments } from '../assignments.service';

/** Every 15 minutes: assignment requests whose approval never answered within the tenant's hold are released. */
export const assignmentExpiryJob: Job = {
  name: 'assignment-expiry',
  schedule: '*/15 * * * *',
  perTenant: true,
  async run(ctx) {
    await expireAssignments(ctx.deps, tenantOf(ctx, 'assignment-expiry').id, ctx.now);
  },
};
