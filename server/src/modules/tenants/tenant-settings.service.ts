import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { AppError } from '../../errors';
import { sealBot, storedBotKey, type StoredBotRef } from '../notify/robot-ref';
import { sharedSettingFields } from './tenant-settings';
import type { TenantSettings } from './tenants';
import { listTenantSettings, replaceTenantSettings } from './tenants.repository';

/**
 * A pool-return robot as an operator pastes it: the webhook address the group's robot settings show (DingTalk
 * `…/robot/send?access_token=…`, WeCom `…/webhook/send?key=…`) or the bare token, and for a DingTalk robot with 加签 its
 * `SEC…` secret after a comma.
 */
export function parseRobot(value: string): { token: string; secret?: string } {
  const [address = '', secret] = value.split(',').map((part) => part.trim());
  let token = address;
  if (/^https?:\/\//i.test(address)) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw new AppError(400, 'invalid_request', `机器人地址「${address}」不是有效的网址：请从群机器人设置里复制完整的 Webhook 地址。`);
    }
    token = url.searchParams.get('access_token') ?? url.searchParams.get('key') ?? '';
    if (token === '') throw new AppError(400, 'invalid_request', `机器人地址里没有 access_token（钉钉）或 key（企业微信）：请复制完整的 Webhook 地址。`);
  }
  if (!/^[0-9A-Za-z_-]{16,128}$/.test(token)) {
    throw new AppError(400, 'invalid_request', `机器人令牌「${token}」格式不对：应为 Webhook 地址里 access_token 或 key 的值（字母、数字、- 和 _）。`);
  }
  if (secret !== undefined && !/^SEC[0-9a-f]{16,128}$/i.test(secret)) {
    throw new AppError(400, 'invalid_request', '钉钉机器人加签密钥应以 SEC 开头（在机器人安全设置「加签」处复制）。');
  }
  return secret === undefined ? { token } : { token, secret };
}

/** What `npm run tenant -- set` may change after registration. */
export const tenantSettingsPatch = z
  .object({
    approvalTemplateId: z.string().trim().min(1, '审批模板编号不能为空').max(128).optional(),
    ...sharedSettingFields,
    /** Robots added to the pool-return digest (a robot already there is kept once). */
    addRobots: z.array(z.string()).default([]),
    /** Removes every robot before adding. */
    clearRobots: z.boolean().default(false),
  })
  .refine((p) => p.approvalTemplateId !== undefined || p.departurePolicy !== undefined || p.appealDays !== undefined || p.addRobots.length > 0 || p.clearRobots, {
    message: '没有要修改的设置：请至少给出 --approval-template、--robot、--clear-robots、--departure-policy 或 --appeal-days 之一',
  });

export type TenantSettingsPatch = z.input<typeof tenantSettingsPatch>;

/**
 * Changes a registered tenant's settings (the approval template HR assignments start, the pool-return robots, the
 * departure policy, the appeal period). Robot tokens are sealed like the app secrets. Other keys of the stored settings
 * are kept as stored; a concurrent change of the same row wins and this one is refused, to be run again.
 */
export async function updateTenantSettings(
  db: Db,
  secrets: SecretBox,
  tenantId: string,
  input: TenantSettingsPatch,
): Promise<{ approvalTemplateId: string | null; robots: number; departurePolicy: TenantSettings['departurePolicy']; appealDays: number | null }> {
  const patch = tenantSettingsPatch.parse(input);
  const robots = patch.addRobots.map(parseRobot);
  const row = (await listTenantSettings(db)).find((t) => t.id === tenantId);
  if (!row) throw new AppError(404, 'not_found', `企业「${tenantId}」不存在：用 npm run tenant -- list 查看已登记的企业。`);
  const settings = JSON.parse(row.settings) as TenantSettings & Record<string, unknown>;
  const bots: StoredBotRef[] = patch.clearRobots ? [] : [...(settings.poolReturnBots ?? [])];
  const known = new Set(bots.map(storedBotKey));
  for (const robot of robots) {
    const sealed = sealBot(secrets, robot);
    if (known.has(sealed.key)) continue;
    known.add(sealed.key);
    bots.push(sealed);
  }
  const next = {
    ...settings,
    ...(patch.approvalTemplateId === undefined ? {} : { approvalTemplateId: patch.approvalTemplateId }),
    ...(patch.departurePolicy === undefined ? {} : { departurePolicy: patch.departurePolicy }),
    ...(patch.appealDays === undefined ? {} : { appealDays: patch.appealDays }),
    poolReturnBots: bots,
  };
  const text = JSON.stringify(next);
  // MySQL counts a row written with its own value as unchanged: nothing to write is not a conflict.
  if (text !== row.settings && !(await replaceTenantSettings(db, tenantId, row.settings, text))) throw new AppError(409, 'conflict', '企业设置刚被其他操作修改过，请重试。');
  return { approvalTemplateId: next.approvalTemplateId ?? null, robots: bots.length, departurePolicy: next.departurePolicy, appealDays: next.appealDays ?? null };
}
