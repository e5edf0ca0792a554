import type { AppDeps } from '../context';

/** A background job (STYLE habit 8): it selects its work, isolates each tenant's failure, and is safe to run twice. */
export interface Job {
  name: string;
  /** Cron expression (node-cron syntax), in the server's default zone. */
  schedule: string;
  run(ctx: { deps: AppDeps; now: number }): Promise<void>;
}
