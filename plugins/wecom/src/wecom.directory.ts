import type { PlatformDepartment, PlatformUser } from '@gonghai/plugin-core';
import type { WeComDepartment, WeComUser } from './wecom.types';

/** WeCom has no hire date field; tenants keep it in a custom text attribute (`extattr`), by default this one. */
export const defaultHiredDateAttribute = '入职日期';

/**
 * The department list as a tree walk: every parent before its children, siblings by WeCom's `order` (larger first).
 * A department whose parent the app cannot see is a root of the visible tree, so its `parentId` is `null`.
 */
export function departmentsParentsFirst(departments: readonly WeComDepartment[]): PlatformDepartment[] {
  const visible = new Set(departments.map((department) => department.id));
  const children = new Map<number | null, WeComDepartment[]>();
  for (const department of departments) {
    const parent = visible.has(department.parentid) && department.parentid !== department.id ? department.parentid : null;
    children.set(parent, [...(children.get(parent) ?? []), department]);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => b.order - a.order || a.id - b.id);

  const walked: PlatformDepartment[] = [];
  const seen = new Set<number>();
  const stack: { department: WeComDepartment; parentId: string | null }[] = [];
  const pushChildren = (parent: number | null) => {
    const list = children.get(parent) ?? [];
    for (let index = list.length - 1; index >= 0; index -= 1) {
      const department = list[index] as WeComDepartment;
      stack.push({ department, parentId: parent === null ? null : String(parent) });
    }
  };
  pushChildren(null);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { department, parentId } = next;
    if (seen.has(department.id)) continue;
    seen.add(department.id);
    walked.push({ id: String(department.id), name: department.name, parentId });
    pushChildren(department.id);
  }
  return walked;
}

/** A WeCom member in the port's words; fields an app may not see (mobile since 2022-06-20, §3) become `null`. */
export function toPlatformUser(user: WeComUser, hiredDateAttribute: string = defaultHiredDateAttribute): PlatformUser {
  const departments = Array.isArray(user.department) ? user.department : [];
  const leaderFlags = user.is_leader_in_dept ?? [];
  const hiredDate = user.extattr?.attrs?.find((attr) => attr.type === 0 && attr.name === hiredDateAttribute)?.text?.value;
  return {
    userId: user.userid,
    name: user.name,
    departmentIds: departments.map(String),
    leaderOf: departments.filter((_, index) => leaderFlags[index] === 1).map(String),
    managerUserId: nonEmpty(user.direct_leader?.[0]),
    mobile: nonEmpty(user.mobile),
    title: nonEmpty(user.position),
    hiredDate: hiredDate !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(hiredDate) ? hiredDate : null,
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
