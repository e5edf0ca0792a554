import { tenantOf, type Job } from '../../../jobs/job';
import { runReminders } from '../reminders.service';

/** 09:00 in each tenant's zone: "N days left" reminders, each sent once. */
export const reclaimRemindersJob: Job = {
  name: 'reclaim-reminders',
  schedule: '0 9 * * *',
  perTenant: true,
  async run(ctx) {
    await runReminders(ctx.deps.db, tenantOf(ctx, 'reclaim-reminders').id, ctx.now);
  },
};
