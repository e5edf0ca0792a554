import type { Db } from '../../db/create-db';

/** A department as the admin API shows it. */
export interface AdminDepartment {
  id: string;
  name: string;
  parentId: string | null;
  region: boolean;
}

/** A department of the tree the admin pages show: its place, its region flag, its active members and leaders. */
export interface AdminDepartmentNode extends AdminDepartment {
  /** '/1/2/22/': the ids from the root down; sorting by it gives the tree in display order. */
  path: string;
  /** Active users who belong to the department itself (not its subdepartments). */
  memberCount: number;
  /** Names of its active leaders (the platform's leader flag), by user id. */
  leaders: string[];
}

/** The tenant's whole department tree as the last org sync wrote it, parents before children. */
export async function listDepartmentTree(db: Db, tenantId: string): Promise<AdminDepartmentNode[]> {
  const [departments, members] = await Promise.all([
    db.selectFrom('departments').select(['id', 'name', 'parent_id', 'is_region', 'path']).where('tenant_id', '=', tenantId).orderBy('path').execute(),
    db
      .selectFrom('user_departments as ud')
      .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'ud.tenant_id').onRef('u.id', '=', 'ud.user_id'))
      .select(['ud.department_id', 'ud.is_leader', 'u.name'])
      .where('ud.tenant_id', '=', tenantId)
      .where('u.active', '=', 1)
      .orderBy('ud.user_id')
      .execute(),
  ]);
  const counts = new Map<string, number>();
  const leaders = new Map<string, string[]>();
  for (const m of members) {
    counts.set(m.department_id, (counts.get(m.department_id) ?? 0) + 1);
    if (m.is_leader === 1) leaders.set(m.department_id, [...(leaders.get(m.department_id) ?? []), m.name]);
  }
  return departments.map((d) => ({
    id: d.id,
    name: d.name,
    parentId: d.parent_id,
    path: d.path,
    region: d.is_region === 1,
    memberCount: counts.get(d.id) ?? 0,
    leaders: leaders.get(d.id) ?? [],
  }));
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
