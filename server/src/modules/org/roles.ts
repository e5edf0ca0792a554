import { z } from 'zod';
import { queryNumber } from '../../http/validate';
import type { Role } from './org';

/** Every role, in the order they are stored and shown. */
export const allRoles = ['rep', 'manager', 'hr', 'admin'] as const satisfies readonly Role[];

const roleMessage = '角色只能是 rep（业务员）、manager（经理）、hr（人事）或 admin（管理员）';

/** `GET /api/v1/admin/users?q=&role=&limit=&offset=`; an empty `q` or `role` counts as absent. */
export const adminUsersQuery = z.object({
  q: z.string({ error: 'q 必须是文字' }).trim().max(64, '搜索词最长 64 个字').optional(),
  role: z.preprocess((v) => (v === '' ? undefined : v), z.enum(allRoles, { error: roleMessage }).optional()),
  limit: queryNumber(z.number({ error: 'limit 必须是数字' }).int('limit 必须是整数').min(1, 'limit 至少为 1').max(200, 'limit 最多为 200').default(50)),
  offset: queryNumber(z.number({ error: 'offset 必须是数字' }).int('offset 必须是整数').min(0, 'offset 不能小于 0').max(1_000_000, 'offset 太大').default(0)),
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuery>;

/** `PUT /api/v1/admin/users/:userId/roles` `{roles}`: a non-empty set of the four roles. */
export const rolesBody = z.object({
  roles: z
    .array(z.enum(allRoles, { error: roleMessage }), { error: 'roles 必须是角色列表，例如 ["rep","hr"]' })
    .min(1, '至少要保留一个角色')
    .refine((roles) => new Set(roles).size === roles.length, '角色不能重复'),
});
export type RolesBody = z.infer<typeof rolesBody>;

/** One user as the admin's 组织与角色 list shows them. */
export interface AdminUserDto {
  id: string;
  name: string;
  active: boolean;
  roles: Role[];
  /** Names of the user's departments, in department id order. */
  departments: string[];
}

/** The roles in their canonical order (the stored form; two sets compare equal as strings). */
export const canonicalRoles = (roles: readonly Role[]): Role[] => allRoles.filter((role) => roles.includes(role));
