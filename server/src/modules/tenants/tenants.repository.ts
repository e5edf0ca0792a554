import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { defaultTenantSettings, type Tenant } from './tenants';
import type { TenantsTable } from './tenants.table';

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
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
