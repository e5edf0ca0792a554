import type { Db } from '../../db/create-db';
import { findTenantById } from '../tenants/tenants.repository';
import type { OnboardingFacts } from './onboarding';

const count = (row: { n: number | string } | undefined) => Number(row?.n ?? 0);

/** Everything the go-live checklist is decided from, for one tenant; undefined when there is no such tenant. */
export async function readOnboardingFacts(db: Db, tenantId: string): Promise<OnboardingFacts | undefined> {
  const tenant = await findTenantById(db, tenantId);
  if (!tenant) return undefined;
  const [departments, users, admins, regions, pools, members, rules, customers] = await Promise.all([
    db
      .selectFrom('departments')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('updated_at').as('last')])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).where('tenant_id', '=', tenantId).where('active', '=', 1).executeTakeFirst(),
    // `LIKE '%admin%'` matches the role name whole: no other role contains it (roles.repository.ts).
    db.selectFrom('users').select('name').where('tenant_id', '=', tenantId).where('active', '=', 1).where('roles', 'like', '%admin%').orderBy('id').execute(),
    db.selectFrom('departments').select('name').where('tenant_id', '=', tenantId).where('is_region', '=', 1).orderBy('path').execute(),
    db.selectFrom('pools').select(['id', 'name']).where('tenant_id', '=', tenantId).where('archived_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('pool_departments').select(['pool_id', (eb) => eb.fn.countAll<number | string>().as('n')]).where('tenant_id', '=', tenantId).groupBy('pool_id').execute(),
    db.selectFrom('pool_rules').select(['pool_id', (eb) => eb.fn.countAll<number | string>().as('n')]).where('tenant_id', '=', tenantId).where('enabled', '=', 1).groupBy('pool_id').execute(),
    db.selectFrom('customers').select((eb) => eb.fn.countAll<number | string>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirst(),
  ]);
  const per = (rows: { pool_id: number; n: number | string }[], poolId: number) => count(rows.find((r) => r.pool_id === poolId));
  return {
    tenant: {
      id: tenant.id,
      name: tenant.name,
      platform: tenant.platform,
      corpId: tenant.corpId,
      approvalTemplateId: tenant.settings.approvalTemplateId ?? null,
      poolReturnBots: tenant.settings.poolReturnBots?.length ?? 0,
    },
    departments: count(departments),
    activeUsers: count(users),
    orgUpdatedAt: departments?.last === null || departments?.last === undefined ? null : Number(departments.last),
    admins: admins.map((a) => a.name),
    regions: regions.map((r) => r.name),
    pools: pools.map((p) => ({ name: p.name, departments: per(members, p.id), enabledRules: per(rules, p.id) })),
    customers: count(customers),
  };
}
