export { createDingTalkAdapter } from './dingtalk.adapter';
export type { DingTalkAdapterOptions } from './dingtalk.adapter';
export { DingTalkClient } from './dingtalk.client';
export type { DingTalkClientOptions } from './dingtalk.client';
export type { DingTalkGetUserInfoReply, DingTalkLoginUser, DingTalkReply, DingTalkTokenReply } from './dingtalk.types';
export { createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from './sandbox';
export type { DingTalkSandbox, DingTalkSandboxOptions } from './sandbox';
