import type { AppDeps } from '../../context';
import { appPageUrl } from '../../http/app-links';
import { DAY_MS } from '../../time';
import { enqueueMessages } from '../notify/outbox.service';
import { findUser } from '../org/org.repository';
import { memberPoolIds } from '../pool/pool.repository';
import { findTenantById } from '../tenants/tenants.repository';
import { activeUsersWithRole, departmentNamesOf } from './assignments.repository';
import { suggestStarterPack } from './starter-pack.service';

/** Someone hired longer ago than this is a transfer or a late sync, not a new hire to onboard. */
const NEW_HIRE_DAYS = 30;
const STARTER_PACK_SIZE = 30;

/**
 * Org sync saw a user for the first time: when they are a rep in a sales team (a member of some pool) and newly hired,
 * HR gets one direct message suggesting a starter pack, with a link to the assignment page. Returns whether it did.
 */
export async function promptHrForNewHire(deps: AppDeps, tenantId: string, userId: string, now: number): Promise<boolean> {
  const { db } = deps;
  const user = await findUser(db, tenantId, userId);
  if (!user?.active || user.leaderOf.length > 0 || !user.roles.includes('rep')) return false;
  const row = await db.selectFrom('users').select('hired_date').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
  if (row?.hired_date && Date.parse(`${row.hired_date}T00:00:00Z`) < now - NEW_HIRE_DAYS * DAY_MS) return false;
  if ((await memberPoolIds(db, tenantId, userId)).length === 0) return false;
  const hr = await activeUsersWithRole(db, tenantId, 'hr');
  const tenant = await findTenantById(db, tenantId);
  if (hr.length === 0 || !tenant) {
    deps.logger.info({ tenantId, userId }, 'new hire seen, but the tenant has no HR user to tell');
    return false;
  }
  const team = (await departmentNamesOf(db, tenantId, user.departmentIds)).join('、') || '未分配部门';
  const pack = await suggestStarterPack(db, { tenantId, userId: hr[0]!, roles: ['hr'], timeZone: tenant.timeZone }, { assigneeUserId: userId, count: STARTER_PACK_SIZE, coord: 'gcj02' }, now);
  const levels = [...new Set(pack.items.map((i) => i.level))].sort().join('/');
  const offer =
    pack.items.length > 0
      ? `系统已在其团队附近挑好 ${pack.items.length} 个公海客户（${levels} 级均衡，距离中位数约 ${Math.round(pack.medianDistanceM ?? 0).toLocaleString('en-US')} 米），可调整后发起审批。`
      : '其所在公海暂时没有可分配的客户。';
  await enqueueMessages(
    db,
    [
      {
        tenantId,
        dedupeKey: `newhire:${userId}`,
        target: { kind: 'users', userIds: hr },
        message: {
          kind: 'card',
          title: `新同事 ${user.name} 加入${team}：为其分配起步客户`,
          text: `### 新同事 ${user.name} 加入${team}\n让新人第一天就有客户可跟进。${offer}`,
          url: appPageUrl(deps.config.publicBaseUrl, 'pages/hr/index', { assignee: userId }),
          buttonText: '查看推荐并分配',
        },
      },
    ],
    now,
  );
  return true;
}
