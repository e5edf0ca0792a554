import { z } from 'zod';
import { AppError } from '../../errors';
import type { SweepRule } from '../reclaim/reclaim.repository';
import type { Pool } from './pool';
import type { RuleKind } from './pool.table';

export type PoolAdminErrorCode =
  | 'invalid_pool_reference'
  | 'escalation_cycle'
  | 'parent_cycle'
  | 'unknown_rule'
  | 'unknown_department'
  | 'pool_name_taken'
  | 'rule_version_conflict'
  | 'pool_archived'
  | 'last_pool'
  | 'pool_in_use'
  | 'customers_reserved';

/** The pool administration's errors: a status, a code from the union above and a Chinese message. */
export const poolAdminError = (status: number, code: PoolAdminErrorCode, message: string, details?: Record<string, unknown>) => new AppError(status, code, message, details);

export const ruleKinds = ['no_verified_visit', 'no_follow_up', 'no_deal', 'protection_max'] as const satisfies readonly RuleKind[];

/** A rule as the admin API shows it: the stored rule without its pool (the pool carries it). */
export type AdminRule = Omit<SweepRule, 'poolId'>;

/** A pool with its settings, member departments and rules, as the admin API shows it. */
export interface AdminPool extends Omit<Pool, 'tenantId'> {
  departmentIds: string[];
  rules: AdminRule[];
  /** When the pool was archived (ISO), or null while it is in use. */
  archivedAt: string | null;
}

const int = (what: string, min: number, max: number, hint = '') =>
  z
    .number({ error: `${what}必须是数字` })
    .int(`${what}必须是整数`)
    .min(min, `${what}不能小于 ${min}${hint}`)
    .max(max, `${what}不能大于 ${max}`);

const poolRef = (what: string) => z.number({ error: `${what}必须是公海 id（数字）或 null` }).int(`${what}必须是公海 id`).positive(`${what}必须是公海 id`);

const shortStrings = (what: string) =>
  z
    .array(z.string({ error: `${what}必须是文字` }).trim().min(1, `${what}不能为空`).max(32, `${what}最长 32 个字`), { error: `${what}必须是数组` })
    .max(50, `${what}最多 50 个`)
    .refine((xs) => new Set(xs).size === xs.length, `${what}不能重复`);

const flag = (what: string) => z.boolean({ error: `${what}必须是 true 或 false` });

/** One rule of a PUT or a preview: with `id` an update of that rule, without a new rule. */
export const ruleInput = z
  .object({
    id: z.number().int().positive().optional(),
    /** The version the client last saw; when given and stale, the save is refused instead of overwriting. */
    version: z.number().int().positive().optional(),
    kind: z.enum(ruleKinds, { error: '规则类型 kind 必须是 no_verified_visit、no_follow_up、no_deal 或 protection_max 之一' }),
    days: int('天数 days', 1, 3650, '；要停用规则请设 enabled: false，不要用 0 天'),
    enabled: flag('enabled').default(true),
    levels: shortStrings('客户等级 levels').default([]),
    tags: shortStrings('标签 tags').default([]),
    exemptWonCustomers: flag('exemptWonCustomers').default(false),
    workingDaysOnly: flag('workingDaysOnly').default(false),
    remindDaysBefore: z.array(int('提前提醒天数', 1, 3650), { error: 'remindDaysBefore 必须是天数数组' }).max(10, '提前提醒最多 10 个').default([]),
    notifyManager: flag('notifyManager').default(false),
    targetPoolId: poolRef('回收目标 targetPoolId').nullable().default(null),
  })
  .superRefine((rule, ctx) => {
    const tooLate = rule.remindDaysBefore.find((d) => d > rule.days);
    if (tooLate !== undefined) ctx.addIssue({ code: 'custom', path: ['remindDaysBefore'], message: `提前 ${tooLate} 天提醒超过了规则的 ${rule.days} 天，提醒天数须在 1 到 ${rule.days} 之间` });
    if (new Set(rule.remindDaysBefore).size !== rule.remindDaysBefore.length) ctx.addIssue({ code: 'custom', path: ['remindDaysBefore'], message: '提前提醒天数不能重复' });
  })
  // Stored most-distant first, the order reminders go out in.
  .transform((rule) => ({ ...rule, remindDaysBefore: [...rule.remindDaysBefore].sort((a, b) => b - a) }));

const rules = z
  .array(ruleInput, { error: 'rules 必须是规则数组' })
  .max(20, '一个公海最多 20 条规则')
  .superRefine((list, ctx) => {
    const ids = list.map((r) => r.id).filter((id) => id !== undefined);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: '同一条规则（id）不能出现两次' });
  });

/**
 * `PUT /api/v1/admin/pools/:id` and `POST /api/v1/admin/pools`: the pool's settings and its whole rule list. Nullable settings left out become null
 * (a PUT replaces); `departmentIds` left out keeps the member departments (a new pool: none); `rules` is required so that forgetting it
 * cannot disable every rule.
 */
export const poolBody = z
  .object({
    name: z.string({ error: '请填写公海名称 name' }).trim().min(1, '请填写公海名称 name').max(64, '公海名称最长 64 个字'),
    parentPoolId: poolRef('上级公海 parentPoolId').nullable().default(null),
    escalateAfterDays: int('无人领取升级天数 escalateAfterDays', 1, 3650).nullable().default(null),
    escalateToPoolId: poolRef('升级到 escalateToPoolId').nullable().default(null),
    maxOwnedPerRep: int('每人最多持有 maxOwnedPerRep', 1, 100_000),
    maxOwnedPerLevel: z
      .record(z.string().trim().min(1, '客户等级不能为空').max(32, '客户等级最长 32 个字'), int('按等级持有上限', 0, 100_000), { error: 'maxOwnedPerLevel 必须是 {等级: 上限} 对象' })
      .default({}),
    capExcludesWon: flag('capExcludesWon').default(false),
    dailyClaimLimit: int('每日领取上限 dailyClaimLimit', 1, 10_000),
    priorOwnerCooldownDays: int('原持有人冷却天数 priorOwnerCooldownDays', 0, 3650),
    claimRadiusM: int('领取距离 claimRadiusM（米）', 10, 50_000).nullable().default(null),
    departmentIds: z.array(z.string().trim().min(1).max(64), { error: 'departmentIds 必须是部门 id 数组' }).max(500, '成员部门最多 500 个').optional(),
    rules,
  })
  .superRefine((pool, ctx) => {
    if ((pool.escalateAfterDays === null) !== (pool.escalateToPoolId === null)) {
      ctx.addIssue({ code: 'custom', path: ['escalateToPoolId'], message: '无人领取升级需要同时设置 escalateAfterDays 和 escalateToPoolId（或都设为 null 关闭）' });
    }
  });

/** `POST /api/v1/admin/pools/:id/archive`: the pool in use that takes the archived pool's customers. */
export const archiveBody = z.object({
  moveCustomersToPoolId: z
    .number({ error: '请用 moveCustomersToPoolId 指定客户移入哪个公海（公海 id，数字）' })
    .int('moveCustomersToPoolId 必须是公海 id')
    .positive('moveCustomersToPoolId 必须是公海 id'),
});

export const previewBody = z.object({
  /** The pool's whole proposed rule list (missing stored rules count as disabled, as a PUT would do). */
  rules: rules.optional(),
  now: z.iso.datetime({ offset: true, error: 'now 必须是带时区的 ISO 时间，例如 2026-11-17T02:00:00+08:00' }).optional(),
});

export type RuleInput = z.infer<typeof ruleInput>;
export type PoolBody = z.infer<typeof poolBody>;
export type PreviewBody = z.infer<typeof previewBody>;
export type ArchiveBody = z.infer<typeof archiveBody>;
