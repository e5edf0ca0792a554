import type { OrgFixture, OrgUserInput } from '@gonghai/plugin-core';
import type { DingTalkDepartment, DingTalkUser } from '../dingtalk.types';

type FixtureUser = OrgFixture['users'][number];

/** China's zone, where the sandbox's corps live: `hiredDate` is a local date, `hired_date` an instant (§2.2). */
const utcOffsetMs = 8 * 3600_000;

/** A corp the sandbox can change: its own copy of the fixture, so tests sharing one fixture do not see each other. */
export class SandboxOrg {
  readonly fixture: OrgFixture;

  constructor(source: OrgFixture) {
    this.fixture = {
      ...source,
      departments: source.departments.map((department) => ({ ...department })),
      users: source.users.map((user) => ({ ...user, departmentIds: [...user.departmentIds], leaderOf: [...user.leaderOf] })),
    };
  }

  department(id: number): OrgFixture['departments'][number] | undefined {
    return this.fixture.departments.find((department) => department.id === id);
  }

  user(userId: string): FixtureUser | undefined {
    return this.fixture.users.find((user) => user.userId === userId);
  }

  /** `department/listsub` `result[]`: one level. */
  children(id: number): DingTalkDepartment[] {
    return this.fixture.departments.filter((department) => department.parentId === id).map(wireDepartment);
  }

  members(id: number): FixtureUser[] {
    return this.fixture.users.filter((user) => user.departmentIds.includes(id));
  }

  /** As `user/list` answers for `listedDept`: the leader flag is about that department only. */
  listedUser(user: FixtureUser, listedDept: number): DingTalkUser & Record<string, unknown> {
    return { ...this.commonFields(user), leader: user.leaderOf.includes(listedDept), dept_order: 0 };
  }

  /** As `user/get` answers: with every department's leader flag and the direct manager. */
  detailedUser(user: FixtureUser): DingTalkUser & Record<string, unknown> {
    const manager = this.managerOf(user);
    return {
      ...this.commonFields(user),
      leader_in_dept: user.departmentIds.map((id) => ({ dept_id: id, leader: user.leaderOf.includes(id) })),
      dept_order_list: user.departmentIds.map((id) => ({ dept_id: id, order: 0 })),
      role_list: [],
      ...(manager === undefined ? {} : { manager_userid: manager }),
    };
  }

  /** Adds the user, or replaces the one with the same id; says which. */
  upsert(input: OrgUserInput): 'added' | 'updated' {
    const existing = this.fixture.users.findIndex((user) => user.userId === input.userId);
    const previous = existing < 0 ? undefined : this.fixture.users[existing];
    const user: FixtureUser = {
      mobile: previous?.mobile ?? '',
      title: previous?.title ?? '',
      hiredDate: previous?.hiredDate ?? '',
      ...input,
    };
    if (previous === undefined) {
      this.fixture.users.push(user);
      return 'added';
    }
    this.fixture.users[existing] = user;
    return 'updated';
  }

  remove(userId: string): boolean {
    const index = this.fixture.users.findIndex((user) => user.userId === userId);
    if (index < 0) return false;
    this.fixture.users.splice(index, 1);
    return true;
  }

  /** The fixture's manager, else the leader of the user's first department who is not the user. */
  private managerOf(user: FixtureUser): string | undefined {
    if (user.managerUserId !== undefined) return user.managerUserId;
    const first = user.departmentIds[0];
    if (first === undefined) return undefined;
    return this.fixture.users.find((other) => other.userId !== user.userId && other.leaderOf.includes(first))?.userId;
  }

  private commonFields(user: FixtureUser): DingTalkUser & Record<string, unknown> {
    const hired = /^\d{4}-\d{2}-\d{2}$/.test(user.hiredDate)
      ? Date.parse(`${user.hiredDate}T00:00:00Z`) - utcOffsetMs
      : undefined;
    return {
      userid: user.userId,
      unionid: `union-${user.userId}`,
      name: user.name,
      avatar: '',
      mobile: user.mobile,
      title: user.title,
      dept_id_list: [...user.departmentIds],
      ...(hired === undefined ? {} : { hired_date: hired }),
      active: true,
      admin: user.admin === true,
      boss: false,
    };
  }
}

export function wireDepartment(department: OrgFixture['departments'][number]): DingTalkDepartment & Record<string, unknown> {
  return {
    dept_id: department.id,
    name: department.name,
    ...(department.parentId === null ? {} : { parent_id: department.parentId }),
    create_dept_group: false,
    auto_add_user: false,
  };
}
