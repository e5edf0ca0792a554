import type { AppConfig } from '@gonghai/config';

/** PLATFORM_SANDBOX as configured: `auto` is unset outside production. */
export type SandboxSetting = AppConfig['sandbox'];

/** The tenants a database holds, by kind. */
export interface TenantCounts {
  production: number;
  demo: number;
}

/** What start-up does with the sandboxes and the demo, or why the server must not start. */
export type SandboxDecision = { ok: true; sandbox: boolean; warning?: string } | { ok: false; message: string };

const freshDatabase = '演示请另用一个新的 DATA_DIR（或 DATABASE_URL 指向一个空数据库），例如：DATA_DIR=./demo-data npm start';

/**
 * The sandboxes, which mint login codes for anyone and receive the platform calls of every tenant, and the demo exist
 * only in a database without a production tenant (DESIGN §11, §15). Unset, the sandbox follows the database: on for a
 * database of demo tenants or none, off beside a production tenant; set to `on` beside one, the server refuses to start.
 */
export function decideSandbox(setting: SandboxSetting, tenants: TenantCounts): SandboxDecision {
  if (tenants.production === 0) return { ok: true, sandbox: setting !== 'off' };
  if (setting === 'on') {
    return {
      ok: false,
      message:
        `PLATFORM_SANDBOX=on 不能用于这个数据库：其中已登记 ${tenants.production} 个正式企业，而沙箱会让任何人签发登录码，并把企业的平台调用（连同真实的 AppSecret）发往沙箱。` +
        `请去掉 PLATFORM_SANDBOX 或设为 off 后再启动；${freshDatabase}。`,
    };
  }
  return {
    ok: true,
    sandbox: false,
    ...(tenants.demo > 0
      ? { warning: `注意：数据库里除正式企业外还有 ${tenants.demo} 个演示企业。沙箱已关闭，演示企业无法登录，也不会再生成演示数据；${freshDatabase}。` }
      : {}),
  };
}

/** Why the demo may not be seeded into this database, or undefined when it may. */
export function demoRefusal(tenants: TenantCounts): string | undefined {
  if (tenants.production === 0) return undefined;
  return `不能在这个数据库里生成演示数据：其中已登记 ${tenants.production} 个正式企业，演示企业和沙箱不能与正式企业共用数据库。${freshDatabase}。`;
}

/** Why a production tenant may not be registered in this database (under this setting), or undefined when it may. */
export function productionTenantRefusal(setting: SandboxSetting, tenants: TenantCounts): string | undefined {
  if (tenants.demo > 0) {
    return `不能在这个数据库里登记正式企业：其中有演示数据（${tenants.demo} 个演示企业），演示企业和沙箱不能与正式企业共用数据库。请换一个新的 DATA_DIR（或 DATABASE_URL 指向一个空数据库）后再登记。`;
  }
  if (setting === 'on') {
    return '不能在 PLATFORM_SANDBOX=on 时登记正式企业：登记后服务将拒绝在沙箱模式下启动。请去掉 PLATFORM_SANDBOX 或设为 off 后再登记。';
  }
  return undefined;
}
