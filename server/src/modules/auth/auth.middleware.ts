import type { Middleware } from 'koa';
import type { AppDeps, AppState } from '../../context';
import { AppError } from '../../errors';
import type { Role } from '../org/org';
import { verifyToken } from './jwt';

/** Requires `Authorization: Bearer <JWT>` and puts the caller in `ctx.state.actor`. */
export function requireAuth(deps: AppDeps): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError(401, 'unauthenticated', '请先登录：缺少 Authorization: Bearer <token>。');
    const claims = verifyToken(match[1]!, deps.config.jwt.secret, deps.clock.now());
    ctx.state.actor = { tenantId: claims.tid, userId: claims.sub, roles: claims.roles, timeZone: claims.tz };
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
