import type { Actor, AppDeps } from '../../context';
import { AppError, notFound } from '../../errors';
import type { Role } from './org';
import { canonicalRoles, type AdminUserDto } from './roles';
import { countActiveAdmins, findUserForAdmin, lockTenantRoles, userRolesForUpdate, writeRoleChange } from './roles.repository';
import { writeTransaction } from '../../db/write-retry';
import { bumpStamp } from '../../db/change-stamps';

/**
 * Whether `target` may be given `next`: refused when it would take `admin` from the tenant's last active admin
 * (`activeAdmins` counts the target if they are one). Returns the refusal, or undefined.
 */
export function lastAdminRefusal(target: { active: boolean; roles: readonly Role[] }, next: readonly Role[], activeAdmins: number): AppError | undefined {
  const losesAdmin = target.active && target.roles.includes('admin') && !next.includes('admin');
  if (!losesAdmin || activeAdmins > 1) return undefined;
  return new AppError(
    422,
    'last_admin',
    '不能取消这位同事的管理员角色：他是公司最后一位在职的管理员，取消后就没有人能管理公海了。请先给另一位同事授予管理员角色，再修改这位。',
  );
}

/**
 * Sets a user's roles (admin only, checked by the route). Inside one transaction: the tenant's role changes take turns,
 * the last-admin rule is checked on what is committed, and the change is written with its audit row (who, when, before,
 * after); setting the roles a user already has writes nothing. The user's next request sees the new roles: this
 * process forgets what it remembered about them (others at their next stamp poll, db/change-stamps.ts).
 */
export async function setUserRoles(deps: AppDeps, actor: Actor, userId: string, roles: Role[]): Promise<AdminUserDto> {
  const { tenantId } = actor;
  const next = canonicalRoles(roles);
  await writeTransaction(deps.db, async (trx) => {
    await lockTenantRoles(trx, tenantId);
    const target = await userRolesForUpdate(trx, tenantId, userId);
    if (!target) throw notFound('员工');
    const before = canonicalRoles(target.roles);
    if (before.join(',') === next.join(',')) return;
    const refusal = lastAdminRefusal(target, next, await countActiveAdmins(trx, tenantId));
    if (refusal) throw refusal;
    await writeRoleChange(trx, { tenantId, userId, actorId: actor.userId, before, after: next, at: deps.clock.now() });
    await bumpStamp(trx, tenantId, 'users', deps.clock.now());
  });
  deps.users.invalidate(tenantId, userId);
  const user = await findUserForAdmin(deps.db, tenantId, userId);
  if (!user) throw notFound('员工');
  return user;
}
