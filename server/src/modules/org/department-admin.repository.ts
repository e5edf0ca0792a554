import type { Db } from '../../db/create-db';

/** A department as the admin API shows it. */
export interface AdminDepartment {
  id: string;
  name: string;
  parentId: string | null;
  region: boolean;
}

/** Marks a department as a region or not; false when the tenant has no such department. */
export async function setDepartmentRegion(db: Db, tenantId: string, departmentId: string, region: boolean, now: number): Promise<boolean> {
  const exists = await db.selectFrom('departments').select('id').where('tenant_id', '=', tenantId).where('id', '=', departmentId).executeTakeFirst();
  if (exists === undefined) return false;
  // Not `numUpdatedRows`: MySQL counts only rows whose values changed, and setting the flag it already has is fine.
  await db.updateTable('departments').set({ is_region: region ? 1 : 0, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', departmentId).execute();
  return true;
}

export async function findDepartment(db: Db, tenantId: string, departmentId: string): Promise<AdminDepartment | undefined> {
  const row = await db.selectFrom('departments').select(['id', 'name', 'parent_id', 'is_region']).where('tenant_id', '=', tenantId).where('id', '=', departmentId).executeTakeFirst();
  return row && { id: row.id, name: row.name, parentId: row.parent_id, region: row.is_region === 1 };
}
