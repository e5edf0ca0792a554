import type { OrgFixture } from '@gonghai/plugin-core';
import { defaultHiredDateAttribute } from '../wecom.directory';
import type { WeComDepartment, WeComUser } from '../wecom.types';

export type OrgUser = OrgFixture['users'][number];

/** A private, mutable copy of a fixture, so control calls never change the caller's objects. */
export function copyFixture(fixture: OrgFixture): OrgFixture {
  return {
    ...fixture,
    departments: fixture.departments.map((department) => ({ ...department })),
    users: fixture.users.map((user) => ({ ...user, departmentIds: [...user.departmentIds], leaderOf: [...user.leaderOf] })),
    app: { ...fixture.app },
    ...(fixture.robots === undefined ? {} : { robots: fixture.robots.map((robot) => ({ ...robot })) }),
    ...(fixture.approvalTemplateIds === undefined ? {} : { approvalTemplateIds: [...fixture.approvalTemplateIds] }),
  };
}

/** WeCom compares user ids without case (wecom-api §3). */
export function findUser(fixture: OrgFixture, userId: string): OrgUser | undefined {
  const wanted = userId.toLowerCase();
  return fixture.users.find((user) => user.userId.toLowerCase() === wanted);
}

/** The direct manager: the fixture's, or the leader of the user's first department who is not the user. */
export function managerOf(fixture: OrgFixture, user: OrgUser): string | undefined {
  if (user.managerUserId !== undefined) return user.managerUserId;
  const first = user.departmentIds[0];
  return fixture.users.find((other) => other.userId !== user.userId && first !== undefined && other.leaderOf.includes(first))
    ?.userId;
}

/**
 * `department/list` as WeCom answers it: root `parentid` 0, `order` larger-first in fixture order, and the list in
 * reverse (children before parents) so a client that relies on the answer's order is caught.
 */
export function weComDepartments(fixture: OrgFixture): WeComDepartment[] {
  return fixture.departments
    .map((department, index) => ({
      id: department.id,
      name: department.name,
      parentid: department.parentId ?? 0,
      order: 100_000_000 - index * 1000,
    }))
    .reverse();
}

/** The ids of `rootId` and everything under it. */
export function subtreeIds(fixture: OrgFixture, rootId: number): Set<number> {
  const ids = new Set([rootId]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const department of fixture.departments) {
      if (department.parentId !== null && ids.has(department.parentId) && !ids.has(department.id)) {
        ids.add(department.id);
        grown = true;
      }
    }
  }
  return ids;
}

/**
 * A member as `user/get` and `user/list` describe them; the hire date is a custom text attribute. `withMobile: false`
 * models an app created after 2022-06-20, which no longer sees mobiles (wecom-api §3).
 */
export function weComUser(fixture: OrgFixture, user: OrgUser, withMobile: boolean): WeComUser & Record<string, unknown> {
  const manager = managerOf(fixture, user);
  return {
    userid: user.userId,
    name: user.name,
    department: [...user.departmentIds],
    order: user.departmentIds.map(() => 0),
    position: user.title,
    ...(withMobile ? { mobile: user.mobile } : {}),
    is_leader_in_dept: user.departmentIds.map((id) => (user.leaderOf.includes(id) ? 1 : 0)),
    direct_leader: manager === undefined ? [] : [manager],
    main_department: user.departmentIds[0] ?? 1,
    status: 1,
    extattr: { attrs: [{ type: 0, name: defaultHiredDateAttribute, text: { value: user.hiredDate } }] },
  };
}
