import type { Job } from '../../../jobs/job';
import { dispatchOutbox } from '../outbox.service';

/**
 * Every 10 seconds (DESIGN §10 "continuously"): sends what is due in the outbox. Each message's failure is its own
 * (retried or dead-lettered by the dispatcher), and a second process running it at once claims different rows.
 */
export const outboxDispatchJob: Job = {
  name: 'outbox-dispatch',
  schedule: '*/10 * * * * *',
  // One run covers every tenant's due rows: the rows carry their tenant, and nothing here depends on a zone.
  perTenant: false,
  async run({ deps, now }) {
    const result = await dispatchOutbox(deps, { now });
    if (result.sent + result.retried + result.dead > 0) deps.logger.info({ ...result }, 'outbox dispatched');
  },
};
