import type { Job } from '../jobs/job';
import { deleteIdempotencyKeysBefore } from './idempotency.repository';
import { IDEMPOTENCY_TTL_MS } from './idempotency.middleware';

const BATCH = 1000;

/**
 * Every hour (server-wide): forgets Idempotency-Keys older than 24 h with the answers stored for them, in batches so no
 * statement holds many locks. A client retries within minutes; a day later the key is only stored data. Safe to rerun.
 */
export const idempotencyExpiryJob: Job = {
  name: 'idempotency-expiry',
  schedule: '17 * * * *',
  perTenant: false,
  async run({ deps, now }) {
    let deleted = 0;
    for (let n = BATCH; n >= BATCH; deleted += n) n = await deleteIdempotencyKeysBefore(deps.db, now - IDEMPOTENCY_TTL_MS, BATCH);
    if (deleted > 0) deps.logger.info({ deleted }, 'expired idempotency keys deleted');
  },
};
