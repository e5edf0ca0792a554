export { createWeComSandbox, defaultWeComApprovalControlTitles, weComSandboxPaths, weComSandboxPrefix } from './wecom.sandbox';
export type { WeComOrgChangeResult, WeComSandbox, WeComSandboxApproval, WeComSandboxOptions } from './wecom.sandbox';
export type { WeComDelivery } from './wecom.callback-sender';
