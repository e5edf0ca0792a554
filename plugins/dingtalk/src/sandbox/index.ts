export { createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from './dingtalk.sandbox';
export type { DingTalkSandbox, DingTalkSandboxOptions } from './dingtalk.sandbox';
