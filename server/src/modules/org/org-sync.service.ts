import type { PlatformDepartment, PlatformDirectory, PlatformUser } from '@gonghai/plugin-core';
import type { AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { promptHrForNewHire } from '../assignments/new-hire.service';
import { handleDeparture } from './departure.service';
import { refreshPoolMembers } from '../pool/pool.repository';
import { bumpStamp } from '../../db/change-stamps';
import { findTenantById } from '../tenants/tenants.repository';
import type { Role } from './org';
import {
  departmentLeaders,
  listDepartments,
  listUserRoles,
  replaceDepartments,
  upsertUsers,
  type DepartmentRecord,
  type UserRecord,
} from './org.repository';
import { usersWithRolesSetByHand } from './roles.repository';
import { writeTransaction } from '../../db/write-retry';

export interface OrgSyncResult {
  departments: number;
  users: number;
  added: number;
  /** The users seen for the first time; empty on a tenant's first import (nobody is new to a company we just met). */
  newcomers: string[];
  /** Users who were active here and are no longer in the platform's org: the caller runs their departure. */
  left: string[];
}

/** App roles the platform knows nothing about; a sync keeps them. */
const appRoles: readonly Role[] = ['hr', 'admin'];

/**
 * Full directory sync (DESIGN §6): walks the platform's department tree and pages through every department's users,
 * then makes our departments and users match — leader flags, managers, hire dates — and reports the users who
 * disappeared. It does not run departures itself: that is the caller's, after this returns.
 */
export async function syncOrg(
  db: Db,
  tenantId: string,
  directory: PlatformDirectory,
  now: number,
  progress: (line: string) => void = () => undefined,
): Promise<OrgSyncResult> {
  const departments = await collectDepartments(directory);
  progress(`  已读取 ${departments.length} 个部门`);
  const users = new Map<string, PlatformUser>();
  for (const department of departments) {
    for await (const user of directory.users(department.id)) {
      const seen = users.get(user.userId);
      users.set(user.userId, seen === undefined ? user : mergeMemberships(seen, user));
    }
  }
  progress(`  已读取 ${users.size} 名成员`);
  const records = departmentRecords(departments);
  const known = await listUserRoles(db, tenantId);
  const sources = await roleSourcesOf(db, tenantId);
  const leadersOf = leaderIndex([...users.values()]);
  const pathOf = new Map(records.map((d) => [d.id, d.path]));
  const rows = [...users.values()].map((u) => userRecord(u, known.get(u.userId)?.roles ?? [], sources, () => nearestLeader(u, pathOf, leadersOf)));
  let addedIds: string[] = [];
  await writeTransaction(db, async (trx) => {
    await replaceDepartments(trx, tenantId, records, now);
    addedIds = (await upsertUsers(trx, tenantId, rows, now)).addedIds;
  });
  await refreshPoolMembers(db, tenantId);
  const left = [...known].filter(([id, user]) => user.active && !users.has(id)).map(([id]) => id);
  return { departments: records.length, users: users.size, added: addedIds.length, newcomers: known.size === 0 ? [] : addedIds, left };
}

/** Full sync of one tenant through its platform adapter, then the departures of everyone who disappeared. */
export async function syncTenantOrg(deps: AppDeps, tenantId: string, progress: (line: string) => void = () => undefined): Promise<OrgSyncResult> {
  const adapter = await deps.platforms.adapterFor(tenantId);
  const result = await syncOrg(deps.db, tenantId, adapter.directory, deps.clock.now(), progress);
  // Anyone's roles may have changed (a leader no more, a returning employee active again).
  deps.users.invalidate(tenantId);
  // Other processes forget the users and the reps' pools (membership was rebuilt) at their next stamp poll.
  await bumpStamp(deps.db, tenantId, 'users', deps.clock.now());
  await bumpStamp(deps.db, tenantId, 'pools', deps.clock.now());
  for (const userId of result.newcomers) await promptHrForNewHire(deps, tenantId, userId, deps.clock.now());
  for (const userId of result.left) {
    const departure = await handleDeparture(deps, tenantId, userId, deps.clock.now(), adapter.messages);
    progress(`  ${userId} 已离职：${departure.returned} 个客户已处理`);
  }
  return result;
}

/** Re-reads the department tree only (a department event); memberships of removed departments go with them. */
export async function syncDepartments(db: Db, tenantId: string, directory: PlatformDirectory, now: number): Promise<void> {
  const records = departmentRecords(await collectDepartments(directory));
  await writeTransaction(db, (trx) => replaceDepartments(trx, tenantId, records, now));
  await refreshPoolMembers(db, tenantId);
}

/** Writes one user as the platform describes them now (a join or change event); true when they are new to us. */
export async function syncUser(db: Db, tenantId: string, user: PlatformUser, now: number): Promise<boolean> {
  const known = await listUserRoles(db, tenantId);
  const pathOf = new Map((await listDepartments(db, tenantId)).map((d) => [d.id, d.path]));
  const chain = [...new Set(user.departmentIds.flatMap((id) => ancestors(pathOf.get(id))))];
  const stored = await departmentLeaders(db, tenantId, chain);
  // The user's own leader flags are news: take them from the platform, not from what we stored before.
  for (const [departmentId, leaders] of stored) stored.set(departmentId, leaders.filter((id) => id !== user.userId));
  for (const departmentId of user.leaderOf) stored.set(departmentId, [...(stored.get(departmentId) ?? []), user.userId]);
  const record = userRecord(user, known.get(user.userId)?.roles ?? [], await roleSourcesOf(db, tenantId), () => nearestLeader(user, pathOf, stored));
  const { added } = await writeTransaction(db, (trx) => upsertUsers(trx, tenantId, [record], now));
  await refreshPoolMembers(db, tenantId);
  return added === 1;
}

async function collectDepartments(directory: PlatformDirectory): Promise<PlatformDepartment[]> {
  const departments: PlatformDepartment[] = [];
  for await (const department of directory.departments()) departments.push(department);
  return departments;
}

/** Materialised paths (`/1/2/21/`); a department whose parent is unknown hangs under the root. */
function departmentRecords(departments: PlatformDepartment[]): DepartmentRecord[] {
  const byId = new Map(departments.map((d) => [d.id, d]));
  const paths = new Map<string, string>();
  const pathOf = (id: string, depth = 0): string => {
    const cached = paths.get(id);
    if (cached !== undefined) return cached;
    const parentId = byId.get(id)?.parentId ?? null;
    const parentPath = parentId !== null && byId.has(parentId) && depth < 64 ? pathOf(parentId, depth + 1) : '/';
    const path = `${parentPath}${id}/`;
    paths.set(id, path);
    return path;
  };
  return departments.map((d) => ({
    id: d.id,
    parentId: d.parentId !== null && byId.has(d.parentId) ? d.parentId : null,
    name: d.name,
    path: pathOf(d.id),
  }));
}

function mergeMemberships(a: PlatformUser, b: PlatformUser): PlatformUser {
  return {
    ...a,
    departmentIds: [...new Set([...a.departmentIds, ...b.departmentIds])],
    leaderOf: [...new Set([...a.leaderOf, ...b.leaderOf])],
  };
}

function leaderIndex(users: PlatformUser[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const u of users) for (const d of u.leaderOf) index.set(d, [...(index.get(d) ?? []), u.userId]);
  for (const leaders of index.values()) leaders.sort();
  return index;
}

/** `/1/2/21/` → `['21', '2', '1']`: nearest first. */
function ancestors(path: string | undefined): string[] {
  return (path ?? '').split('/').filter(Boolean).reverse();
}

/**
 * The platform's direct manager when it names one; otherwise the nearest leader above the user's first department
 * who is not the user (a rep's team has no leader → the region leader).
 */
function nearestLeader(user: PlatformUser, pathOf: Map<string, string>, leadersOf: Map<string, string[]>): string | null {
  if (user.managerUserId !== null && user.managerUserId !== user.userId) return user.managerUserId;
  const first = user.departmentIds[0];
  for (const departmentId of ancestors(first === undefined ? undefined : pathOf.get(first))) {
    const leader = (leadersOf.get(departmentId) ?? []).find((id) => id !== user.userId);
    if (leader !== undefined) return leader;
  }
  return null;
}

/** What decides a user's roles besides the platform's answer about them. */
interface RoleSources {
  /** Users whose roles an admin has set (role_changes): theirs stay as set. */
  setByHand: Set<string>;
  /** Users `tenant add --admin` named. */
  namedAdmins: Set<string>;
}

async function roleSourcesOf(db: Db, tenantId: string): Promise<RoleSources> {
  const [setByHand, tenant] = await Promise.all([usersWithRolesSetByHand(db, tenantId), findTenantById(db, tenantId)]);
  return { setByHand, namedAdmins: new Set(tenant?.settings.firstAdmins ?? []) };
}

/**
 * A user's roles after a sync. An admin's hand wins: once their roles were set through the API, the sync keeps them
 * whatever the platform says (the admin decided, and it is audited). Otherwise the app roles the platform knows nothing
 * about (hr, admin) are kept, `admin` is added for the platform's admins and those `tenant add --admin` named, and a
 * user without either is a manager when they lead a department, else a rep. The sync never takes `admin` away: a
 * platform admin who stops being one keeps it until an admin removes it (never leaving the tenant without one).
 */
function userRecord(user: PlatformUser, previousRoles: Role[], sources: RoleSources, managerOf: () => string | null): UserRecord {
  const kept = previousRoles.filter((role) => appRoles.includes(role));
  if ((user.admin === true || sources.namedAdmins.has(user.userId)) && !kept.includes('admin')) kept.push('admin');
  const derived: Role[] = kept.length > 0 ? kept : user.leaderOf.length > 0 ? ['manager'] : ['rep'];
  const roles = sources.setByHand.has(user.userId) && previousRoles.length > 0 ? previousRoles : derived;
  return {
    id: user.userId,
    name: user.name,
    mobile: user.mobile,
    title: user.title,
    managerId: managerOf(),
    hiredDate: user.hiredDate,
    roles,
    departments: user.departmentIds.map((id) => ({ id, isLeader: user.leaderOf.includes(id) })),
  };
}
