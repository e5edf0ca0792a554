import type { Db } from '../../db/create-db';
import { isMysql } from '../../db/create-db';

/** The tenant's newest intraday checkpoint, shared by every process (today.service.ts). */
export interface DashboardCheckpointsTable {
  tenant_id: string;
  day: string;
  day_start: number;
  built_at: number;
  /** The checkpoint as JSON, maps written as `{"$map": [[key, value], …]}`. */
  body: string;
}

const replacer = (_key: string, value: unknown) => (value instanceof Map ? { $map: [...value.entries()] } : value);
const reviver = (_key: string, value: unknown) =>
  value !== null && typeof value === 'object' && '$map' in value && Array.isArray((value as { $map: unknown }).$map) ? new Map((value as { $map: [unknown, unknown][] }).$map) : value;

/** The day of the tenant's stored checkpoint, if any (without reading its body). */
export async function storedCheckpointDay(db: Db, tenantId: string): Promise<string | undefined> {
  return (await db.selectFrom('dashboard_checkpoints').select('day').where('tenant_id', '=', tenantId).executeTakeFirst())?.day;
}

export async function readCheckpointRow<T>(db: Db, tenantId: string): Promise<T | undefined> {
  const row = await db.selectFrom('dashboard_checkpoints').select('body').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.body, reviver) as T);
}

/** Stores a checkpoint unless the row holds one built later (two processes building at once: the newer stays). */
export async function writeCheckpointRow(db: Db, tenantId: string, cp: { day: string; dayStart: number; builtAt: number }): Promise<void> {
  const row = { tenant_id: tenantId, day: cp.day, day_start: cp.dayStart, built_at: cp.builtAt, body: JSON.stringify(cp, replacer) };
  await (isMysql(db) ? db.insertInto('dashboard_checkpoints').ignore() : db.insertInto('dashboard_checkpoints').orIgnore()).values(row).execute();
  await db
    .updateTable('dashboard_checkpoints')
    .set({ day: row.day, day_start: row.day_start, built_at: row.built_at, body: row.body })
    .where('tenant_id', '=', tenantId)
    .where('built_at', '<', row.built_at)
    .execute();
}
