import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { formatLocal } from '../../time';
import type { OnboardingFacts, OnboardingStep } from './onboarding';
import { readOnboardingFacts } from './onboarding.repository';

/** Mini-program pages of the steps done in the app. */
export const onboardingPages = {
  org: '/pages/admin-org/index',
  pools: '/pages/admin-pools/index',
  import: '/pages/admin-import/index',
} as const;

const PLATFORM_NAMES = { dingtalk: '钉钉', wecom: '企业微信' } as const;

/** At most five names, then «等 N 个» (or 人). */
function names(list: string[], unit = '个'): string {
  return list.length <= 5 ? list.join('、') : `${list.slice(0, 5).join('、')} 等 ${list.length} ${unit}`;
}

/** What an in-use pool still lacks before it works: «「杭州公海」缺成员部门和启用的回收规则». */
function lacking(pool: OnboardingFacts['pools'][number]): string {
  const missing = [pool.departments === 0 ? '成员部门' : null, pool.enabledRules === 0 ? '启用的回收规则' : null].filter((m) => m !== null);
  return `「${pool.name}」缺${missing.join('和')}`;
}

/**
 * The go-live checklist from what the database holds (pure: facts in, steps out). A pool counts as set up once it is
 * in use with at least one member department (someone can claim from it) and one enabled reclaim rule (its customers
 * come back); the step is done when at least one pool is, and the detail names the pools that are not.
 */
export function decideOnboarding(facts: OnboardingFacts, timeZone: string): OnboardingStep[] {
  const { tenant } = facts;
  const ready = facts.pools.filter((p) => p.departments > 0 && p.enabledRules > 0);
  const unready = facts.pools.filter((p) => !ready.includes(p));
  const synced = facts.activeUsers > 0;
  return [
    {
      key: 'tenant',
      title: '登记企业',
      done: true,
      detail: `${PLATFORM_NAMES[tenant.platform]} · CorpId ${tenant.corpId} · 企业编号 ${tenant.id}`,
      page: null,
      command: 'npm run tenant -- add --id <编号> … --admin <UserID>',
    },
    {
      key: 'org',
      title: '同步组织架构',
      done: synced,
      detail: synced
        ? `${facts.departments} 个部门、${facts.activeUsers} 名在职成员${facts.orgUpdatedAt === null ? '' : `，最近更新 ${formatLocal(facts.orgUpdatedAt, timeZone)}`}`
        : `还没有同步到成员：请在服务器上运行同步命令（之后每 30 分钟自动同步）。`,
      page: null,
      command: `npm run tenant -- sync ${tenant.id}`,
    },
    {
      key: 'admins',
      title: '指定管理员',
      done: facts.admins.length > 0,
      detail: facts.admins.length > 0 ? `${facts.admins.length} 位管理员：${names(facts.admins, '人')}` : '还没有管理员：登记时用 --admin <UserID> 指定，同步后生效。',
      page: onboardingPages.org,
      command: null,
    },
    {
      key: 'regions',
      title: '标记大区',
      done: facts.regions.length > 0,
      detail: facts.regions.length > 0 ? `${facts.regions.length} 个大区：${names(facts.regions)}` : '还没有标记大区：在「组织与角色」里把大区部门设为大区，看板按大区汇总公海。',
      page: onboardingPages.org,
      command: null,
    },
    {
      key: 'pools',
      title: '建好公海（成员部门与回收规则）',
      done: ready.length > 0,
      detail:
        facts.pools.length === 0
          ? '还没有公海：在「公海池」新建公海，选成员部门并设回收规则。'
          : [`${ready.length} 个公海已设好`, ...unready.map(lacking)].join('；'),
      page: onboardingPages.pools,
      command: null,
    },
    {
      key: 'customers',
      title: '导入客户',
      done: facts.customers > 0,
      detail: facts.customers > 0 ? `已有 ${facts.customers} 个客户` : '还没有客户：用「导入客户」上传 Excel 或 CSV（可先试导入）。',
      page: onboardingPages.import,
      command: null,
    },
    {
      key: 'approval',
      title: '设置人事分配审批模板',
      done: tenant.approvalTemplateId !== null,
      detail: tenant.approvalTemplateId !== null ? `审批模板 ${tenant.approvalTemplateId}` : '还没有审批模板：新人分配无法发起审批。请在服务器上用下面的命令设置。',
      page: null,
      command: `npm run tenant -- set ${tenant.id} --approval-template <模板编号>`,
    },
    {
      key: 'robots',
      title: '设置公海回收群机器人',
      done: tenant.poolReturnBots > 0,
      detail: tenant.poolReturnBots > 0 ? `${tenant.poolReturnBots} 个群机器人接收每晚的回收汇总` : '还没有群机器人：每晚回收的客户不会发到群里。请在服务器上用下面的命令添加。',
      page: null,
      command: `npm run tenant -- set ${tenant.id} --robot <群机器人 Webhook 地址>`,
    },
  ];
}

/** The tenant's go-live checklist (`GET /api/v1/admin/onboarding`). */
export async function onboardingSteps(db: Db, tenantId: string, timeZone: string): Promise<OnboardingStep[]> {
  const facts = await readOnboardingFacts(db, tenantId);
  if (!facts) throw notFound('企业');
  return decideOnboarding(facts, timeZone);
}
