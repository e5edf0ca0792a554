import type { Job } from '../../../jobs/job';
import { tenantOf } from '../../../jobs/job';
import { chainMissing, recordDailyHead } from '../evidence.service';

/**
 * 00:10 nightly in each tenant's zone (DESIGN §10): chains anything a crash left unchained, then records the tenant's
 * chain head of the day before; a rerun writes nothing.
 */
export const evidenceHeadJob: Job = {
  name: 'evidence-head',
  schedule: '10 0 * * *',
  perTenant: true,
  async run(ctx) {
    const { deps, now } = ctx;
    const tenant = tenantOf(ctx, evidenceHeadJob.name);
    // Anything a crash left unchained goes in first, so the head covers it.
    await chainMissing(deps.db, deps.evidence, tenant.id, now);
    const head = await recordDailyHead(deps.db, tenant.id, tenant.timeZone, now);
    if (head.written) deps.logger.info({ tenantId: tenant.id, day: head.day, seq: head.seq }, 'evidence chain head recorded');
  },
};
