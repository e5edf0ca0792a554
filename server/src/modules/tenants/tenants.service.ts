import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../../errors';
import { defaultTenantSettings, type Tenant } from './tenants';
import { productionTenantRefusal, type SandboxSetting } from './sandbox.policy';
import { countTenantsByKind, findTenantById, insertTenant, listTenants } from './tenants.repository';
import type { AdminTenantSettings, TenantSettingsBody } from './tenant-settings';
import { updateTenantSettings } from './tenant-settings.service';

/** What `npm run tenant -- add` accepts; secrets are sealed with MASTER_KEY before they reach the database. */
export const newTenant = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, '企业编号只能用小写字母、数字和连字符（2–63 位）'),
    name: z.string().trim().min(1, '需要企业名称').max(128),
    platform: z.enum(['dingtalk', 'wecom'], { message: '平台只能是 dingtalk 或 wecom' }),
    corpId: z.string().trim().min(1, '需要 CorpId').max(64),
    appKey: z.string().trim().min(1, '需要 AppKey（企业微信填 CorpId）').max(128),
    appSecret: z.string().min(1, '需要 AppSecret（企业微信填应用 Secret）').max(256),
    agentId: z.string().regex(/^\d{1,20}$/, 'AgentId 是纯数字'),
    callbackToken: z.string().regex(/^[A-Za-z0-9]{1,32}$/, '回调 Token 为 1–32 位字母或数字').optional(),
    callbackAesKey: z.string().regex(/^[A-Za-z0-9]{43}$/, 'EncodingAESKey 必须是 43 位字母或数字').optional(),
    timeZone: z
      .string()
      .default('Asia/Shanghai')
      .refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', '未知的时区（例如 Asia/Shanghai）'),
    approvalTemplateId: z.string().trim().min(1).max(128).optional(),
    departurePolicy: z.enum(['pool', 'manager', 'successor'], { message: '离职客户去向只能是 pool、manager 或 successor' }).default('pool'),
    eventTransport: z.enum(['callback', 'stream'], { message: '事件接收方式只能是 callback 或 stream' }).default('callback'),
    assignmentHoldHours: z.coerce
      .number({ error: '审批等待时长必须是数字（小时）' })
      .int('审批等待时长必须是整数小时')
      .min(1, '审批等待时长至少 1 小时')
      .max(24 * 30, '审批等待时长最多 720 小时（30 天）')
      .default(defaultTenantSettings.assignmentHoldHours),
    h5Origins: z
      .array(
        z
          .string()
          .refine((v) => /^https?:\/\/[^/?#]+$/.test(v) && URL.canParse(v), 'H5 地址只写到域名（和端口），例如 https://crm.example.com'),
      )
      .max(20, 'H5 地址最多 20 个')
      .optional(),
    admins: z
      .array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, '管理员填成员的 UserID（字母、数字或 _.@-，最长 64 位），例如 --admin ZhangSan'))
      .max(20, '首批管理员最多 20 位，其余的请在应用里授予')
      .optional(),
  })
  .refine((t) => t.eventTransport === 'callback' || t.platform === 'dingtalk', {
    message: 'Stream 模式只适用于钉钉',
    path: ['eventTransport'],
  })
  .refine((t) => (t.callbackToken === undefined) === (t.callbackAesKey === undefined), {
    message: '回调 Token 和 EncodingAESKey 需要同时提供',
    path: ['callbackAesKey'],
  });

export type NewTenant = z.infer<typeof newTenant>;

/**
 * Registers a real company's platform app. A second tenant for the same corp on the same platform is refused, and so is
 * any in a database that holds the demo, or while the sandbox is switched on (sandbox.policy.ts).
 */
export async function registerTenant(db: Db, secrets: SecretBox, input: NewTenant, now: number, options: { sandbox: SandboxSetting }): Promise<Tenant> {
  const refusal = productionTenantRefusal(options.sandbox, await countTenantsByKind(db));
  if (refusal !== undefined) throw new AppError(409, 'demo_database', refusal);
  if (await findTenantById(db, input.id)) throw new AppError(409, 'tenant_exists', `企业编号 ${input.id} 已被使用，请换一个。`);
  try {
    await insertTenant(db, {
      id: input.id,
      kind: 'production',
      name: input.name,
      platform: input.platform,
      corp_id: input.corpId,
      app_key: input.appKey,
      app_secret_enc: secrets.seal(input.appSecret),
      agent_id: input.agentId,
      callback_token_enc: input.callbackToken === undefined ? null : secrets.seal(input.callbackToken),
      callback_aes_key_enc: input.callbackAesKey === undefined ? null : secrets.seal(input.callbackAesKey),
      time_zone: input.timeZone,
      settings: JSON.stringify({
        ...defaultTenantSettings,
        departurePolicy: input.departurePolicy,
        eventTransport: input.eventTransport,
        assignmentHoldHours: input.assignmentHoldHours,
        ...(input.approvalTemplateId === undefined ? {} : { approvalTemplateId: input.approvalTemplateId }),
        ...(input.h5Origins === undefined ? {} : { h5Origins: input.h5Origins.map((o) => new URL(o).origin) }),
        ...(input.admins === undefined || input.admins.length === 0 ? {} : { firstAdmins: [...new Set(input.admins)] }),
      }),
      created_at: now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError(409, 'tenant_exists', `${input.platform} 企业 ${input.corpId} 已经登记过了。`);
    }
    throw error;
  }
  return (await findTenantById(db, input.id))!;
}

export { listTenants };

/** The settings an admin edits in the app, as they apply now (defaults filled in). */
export async function adminTenantSettings(db: Db, tenantId: string): Promise<AdminTenantSettings> {
  const tenant = await findTenantById(db, tenantId);
  if (tenant === undefined) throw new AppError(404, 'not_found', '企业不存在。');
  return { departurePolicy: tenant.settings.departurePolicy, appealDays: tenant.settings.appealDays ?? defaultTenantSettings.appealDays! };
}

/**
 * An admin changes the departure policy and the appeal window (`PUT /api/v1/admin/settings`), through the same
 * compare-and-set update as `npm run tenant -- set`: other keys of the stored settings are kept as stored.
 */
export async function setAdminTenantSettings(db: Db, secrets: SecretBox, tenantId: string, body: TenantSettingsBody): Promise<AdminTenantSettings> {
  await updateTenantSettings(db, secrets, tenantId, body);
  return adminTenantSettings(db, tenantId);
}
