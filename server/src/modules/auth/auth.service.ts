import { PlatformError } from '@gonghai/plugin-core';
import type { AppDeps } from '../../context';
import { AppError } from '../../errors';
import { findUser } from '../org/org.repository';
import { findTenantByCorp } from '../tenants/tenants.repository';
import type { LoginInput } from './auth';
import { signToken } from './jwt';

/** Exchanges a platform login code through the tenant's adapter and issues our JWT. */
export async function login(deps: AppDeps, input: LoginInput) {
  const tenant = await findTenantByCorp(deps.db, input.platform, input.corpId);
  if (!tenant) {
    // The same answer as a wrong code: a stranger must not learn which corps are registered by trying corp ids.
    throw invalidLogin();
  }
  let identity;
  try {
    identity = await (await deps.platforms.adapterFor(tenant.id)).auth.exchangeLoginCode(input.code, input.channel);
  } catch (err) {
    // A code of the other channel is as invalid as a made-up one: the platform says so and so do we.
    if (err instanceof PlatformError && err.code === 'INVALID_CODE') {
      throw invalidLogin();
    }
    if (err instanceof PlatformError && err.code === 'NOT_FOUND') {
      throw new AppError(403, 'not_a_member', '登录失败：平台确认你不是本企业的成员，无法使用公海。请用本企业成员的账号从工作台打开应用；如需加入，请联系管理员。');
    }
    if (err instanceof PlatformError) {
      throw new AppError(502, 'platform_unavailable', `暂时无法连接${tenant.platform === 'dingtalk' ? '钉钉' : '企业微信'}完成登录，请稍后重试。`, {
        platformCode: err.code,
      });
    }
    throw err;
  }
  if (identity.corpId !== tenant.corpId) throw new AppError(401, 'invalid_code', '登录码不属于该企业，请从本企业的工作台重新打开应用。');
  const user = await findUser(deps.db, tenant.id, identity.platformUserId);
  if (!user || !user.active) {
    throw new AppError(403, 'user_not_registered', '你还不在公海的员工名单中（或已离职）；通讯录同步后即可使用，如有疑问请联系管理员。');
  }
  const token = signToken(
    { sub: user.id, tid: tenant.id, roles: user.roles, tz: tenant.timeZone },
    deps.config.jwt.secret,
    deps.config.jwt.ttlSeconds,
    deps.clock.now(),
  );
  return {
    token,
    expiresIn: deps.config.jwt.ttlSeconds,
    user: { id: user.id, name: user.name, roles: user.roles, departmentIds: user.departmentIds },
    tenant: { id: tenant.id, name: tenant.name, platform: tenant.platform },
  };
}

/** A login that cannot go on, whether the code is wrong or the corp is not ours: one answer for both. */
const invalidLogin = () =>
  new AppError(401, 'invalid_code', '登录失败：登录码无效或已过期（只能使用一次，5 分钟内有效），或本企业尚未开通公海。请重新打开应用；仍然失败请联系管理员。');
