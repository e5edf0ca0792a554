import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { defaultTenantSettings, type Tenant } from './tenants';
import type { TenantsTable } from './tenants.table';

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    platform: row.platform,
    corpId: row.corp_id,
    appKey: row.app_key,
    agentId: row.agent_id,
    timeZone: row.time_zone,
    settings: { ...defaultTenantSettings, ...(JSON.parse(row.settings) as object) },
  };
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTenant(row);
}

export async function findTenantByCorp(db: Db, platform: string, corpId: string): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('platform', '=', platform as Tenant['platform'])
    .where('corp_id', '=', corpId)
    .executeTakeFirst();
  return row && toTenant(row);
}

export async function insertTenant(db: Db, row: Insertable<TenantsTable>): Promise<void> {
  await db.insertInto('tenants').values(row).execute();
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
  return rows.map(toTenant);
}

/** How many tenants of each kind the database holds: what the sandbox decision reads (sandbox.policy.ts). */
export async function countTenantsByKind(db: Db): Promise<{ production: number; demo: number }> {
  const rows = await db.selectFrom('tenants').select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('kind').execute();
  const count = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { production: count('production'), demo: count('demo') };
}

/** Every tenant's settings JSON as stored, for rewrites that must keep unknown keys. */
export async function listTenantSettings(db: Db): Promise<{ id: string; settings: string }[]> {
  return db.selectFrom('tenants').select(['id', 'settings']).orderBy('id').execute();
}

/** Replaces a tenant's settings JSON, only if it is still the one read; says whether it did. */
export async function replaceTenantSettings(db: Db, id: string, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('tenants').set({ settings: to }).where('id', '=', id).where('settings', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
