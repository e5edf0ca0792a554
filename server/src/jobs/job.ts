import type { AppDeps } from '../context';
import type { Tenant } from '../modules/tenants/tenants';

/** What a job's run gets: the app, the clock reading of the fire, and for per-tenant jobs the tenant it runs for. */
export interface JobContext {
  deps: AppDeps;
  now: number;
  /** Set for per-tenant jobs. */
  tenant?: Tenant;
}

/** A background job (STYLE habit 8): it selects its work, is safe to run twice, and the clock is injected. */
export interface Job {
  name: string;
  /** node-cron expression (5 or 6 fields), evaluated in each tenant's time zone for per-tenant jobs, else in TZ_DEFAULT. */
  schedule: string;
  /** true: fired once per tenant at the schedule in the tenant's own time zone, with ctx.tenant; false: once per fire for the server. */
  perTenant: boolean;
  run(ctx: JobContext): Promise<void>;
}

/** The tenant of a per-tenant job's run; a per-tenant job started without one is a wiring mistake, not a quiet no-op. */
export function tenantOf(ctx: JobContext, jobName: string): Tenant {
  if (!ctx.tenant) throw new Error(`job ${jobName} is per-tenant and was run without a tenant`);
  return ctx.tenant;
}
