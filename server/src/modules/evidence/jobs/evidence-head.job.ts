import type { Job } from '../../../jobs/job';
import { listTenants } from '../../tenants/tenants.repository';
import { chainMissing, recordDailyHead } from '../evidence.service';

/**
 * 00:10 nightly (DESIGN §10): chains anything a crash left unchained, then records each tenant's chain head of the day
 * before; a rerun writes nothing.
 */
export const evidenceHeadJob: Job = {
  name: 'evidence-head',
  schedule: '10 0 * * *',
  async run({ deps, now }) {
    for (const tenant of await listTenants(deps.db)) {
      try {
        // Anything a crash left unchained goes in first, so the head covers it.
        await chainMissing(deps.db, deps.evidence, tenant.id, now);
        const head = await recordDailyHead(deps.db, tenant.id, tenant.timeZone, now);
        if (head.written) deps.logger.info({ tenantId: tenant.id, day: head.day, seq: head.seq }, 'evidence chain head recorded');
      } catch (err) {
        deps.logger.error({ err, tenantId: tenant.id }, 'evidence chain head failed');
      }
    }
  },
};
