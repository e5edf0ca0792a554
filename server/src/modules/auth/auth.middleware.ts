import type { Middleware } from 'koa';
import type { AppDeps, AppState } from '../../context';
import { AppError } from '../../errors';
import type { Role } from '../org/org';
import { verifyToken } from './jwt';

/**
 * Requires `Authorization: Bearer <JWT>` and puts the caller in `ctx.state.actor`. The token says who is calling; whether
 * they still may, and with which roles, is what the database says now (DESIGN §15): a departed user is refused whatever
 * their token says, a demoted one has lost the roles.
 */
export function requireAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError(401, 'unauthenticated', '请先登录：缺少 Authorization: Bearer <token>。');
    const claims = verifyToken(match[1]!, deps.config.jwt.secret, deps.clock.now());
    const standing = await deps.users.standingOf(claims.tid, claims.sub);
    if (standing === undefined) {
      throw new AppError(401, 'user_inactive', '登录凭证对应的员工已不在公海的名单中（可能已离职或账号已变更），请重新打开应用登录；如有疑问请联系管理员。');
    }
    if (!standing.active) {
      throw new AppError(401, 'user_inactive', '你的账号已停用（已离职或被管理员停用），不能再使用公海；如有疑问请联系管理员。');
    }
    ctx.state.actor = { tenantId: claims.tid, userId: claims.sub, roles: standing.roles, timeZone: claims.tz };
    await next();
  };
}

const roleNames: Record<Role, string> = { rep: '业务员', manager: '经理', hr: '人事', admin: '管理员' };

/** Allows the route to callers holding any of the roles. */
export function requireRole(...roles: Role[]): Middleware<AppState> {
  return async (ctx, next) => {
    const actor = ctx.state.actor;
    if (!actor || !roles.some((r) => actor.roles.includes(r))) {
      throw new AppError(403, 'forbidden', `没有权限：此操作需要${roles.map((r) => roleNames[r]).join('或')}角色。`);
    }
    await next();
  };
}
