/** Per-tenant settings stored as JSON on the tenant row. */
export interface TenantSettings {
  /** The release-reason dictionary offered in the app; free text is accepted too. */
  releaseReasons: string[];
  /** Where a departing employee's customers go: back to their pools (default) or to the employee's manager. */
  departurePolicy: 'pool' | 'manager';
  /** The approval template HR assignments start on the platform (DingTalk processCode, WeCom template_id). */
  approvalTemplateId?: string;
  /** Group robots that get the pool-return digest of every sweep. */
  poolReturnBots?: { token: string; secret?: string }[];
  /** How platform events arrive: HTTP callbacks (default) or DingTalk Stream mode (no public URL needed). */
  eventTransport?: 'callback' | 'stream';
  /** How long HR's reservation of customers waits for the approval's result before it is released (hours). */
  assignmentHoldHours: number;
}

export const defaultTenantSettings: TenantSettings = {
  releaseReasons: ['客户无需求', '联系不上', '已转竞品', '区域调整', '重复客户', '其他'],
  departurePolicy: 'pool',
  assignmentHoldHours: 72,
};

export interface Tenant {
  id: string;
  name: string;
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  appKey: string;
  agentId: string;
  timeZone: string;
  settings: TenantSettings;
}
