export { DingTalkSandboxControlError, createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from './dingtalk.sandbox';
export type {
  DingTalkDecision,
  DingTalkOrgChange,
  DingTalkSandbox,
  DingTalkSandboxOptions,
  DingTalkSandboxUserInput,
} from './dingtalk.sandbox';
export type { SandboxApproval, SandboxApprovalOutcome } from './dingtalk.sandbox-approvals';
export type { DingTalkDeliveryOutcome } from './dingtalk.sandbox-callbacks';
