import { z } from 'zod';
import type { StoredBotRef } from '../notify/robot-ref';
import type { TenantKind } from './tenants.table';

/**
 * When the dashboard calls a pool understaffed or saturated (DESIGN §1 scenario C): the ratio of pool customers to
 * what the pool's reps can still take (reps × cap − owned). At or above `understaffedRatio` the pool piles up faster
 * than the team can absorb; at or below `saturatedRatio` the pool is nearly empty and the territory is saturated.
 */
export const dashboardThresholds = z
  .object({
    understaffedRatio: z.number({ message: 'understaffedRatio 必须是数字' }).positive('understaffedRatio 必须大于 0').max(1000),
    saturatedRatio: z.number({ message: 'saturatedRatio 必须是数字' }).min(0, 'saturatedRatio 不能小于 0').max(1000),
  })
  .refine((t) => t.saturatedRatio < t.understaffedRatio, { message: '饱和阈值 saturatedRatio 必须小于人手不足阈值 understaffedRatio', path: ['saturatedRatio'] });

export type DashboardThresholds = z.infer<typeof dashboardThresholds>;

/** Per-tenant settings stored as JSON on the tenant row. */
export interface TenantSettings {
  /** The release-reason dictionary offered in the app; free text is accepted too. */
  releaseReasons: string[];
  /**
   * Where a departing employee's customers go: back to their pools (default), to the employee's manager, or to a
   * successor the manager picks within 72 hours (`successor`; after that, to their pools).
   */
  departurePolicy: 'pool' | 'manager' | 'successor';
  /** Days after a reclaim within which the rep may appeal it (issue 19 item 7); 3 when absent. */
  appealDays?: number;
  /** The approval template HR assignments start on the platform (DingTalk processCode, WeCom template_id). */
  approvalTemplateId?: string;
  /** Group robots that get the pool-return digest of every sweep, their tokens sealed (robot-ref.ts). */
  poolReturnBots?: StoredBotRef[];
  /** Origins (`https://host[:port]`) of H5 pages the JS-SDK signature may be issued for, besides PUBLIC_BASE_URL's. */
  h5Origins?: string[];
  /** How platform events arrive: HTTP callbacks (default) or DingTalk Stream mode (no public URL needed). */
  eventTransport?: 'callback' | 'stream';
  /** How long HR's reservation of customers waits for the approval's result before it is released (hours). */
  assignmentHoldHours: number;
  /** Saturation thresholds of the commander's dashboard (validated with `dashboardThresholds`). */
  dashboard?: DashboardThresholds;
  /**
   * Platform user ids `tenant add --admin` named: the org sync makes them admins when it meets them (WeCom has no API
   * that says who administers the corp; DingTalk's user detail does, and those are made admins too).
   */
  firstAdmins?: string[];
  /** The geocoding service customer imports place addresses with: AMap web service, its key sealed with the SecretBox. */
  geocoder?: { provider: 'amap'; sealedKey: string };
}

export const defaultTenantSettings: TenantSettings = {
  releaseReasons: ['客户无需求', '联系不上', '已转竞品', '区域调整', '重复客户', '其他'],
  departurePolicy: 'pool',
  appealDays: 3,
  assignmentHoldHours: 72,
  dashboard: { understaffedRatio: 1, saturatedRatio: 0.25 },
};

export interface Tenant {
  id: string;
  kind: TenantKind;
  name: string;
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  appKey: string;
  agentId: string;
  timeZone: string;
  settings: TenantSettings;
}
