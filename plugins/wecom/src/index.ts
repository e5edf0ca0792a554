export { createWeComAdapter } from './wecom.adapter';
export type { WeComAdapterOptions } from './wecom.adapter';
export { WeComClient } from './wecom.client';
export type { WeComClientOptions } from './wecom.client';
export type { WeComCode2SessionReply, WeComMiniProgramSession, WeComReply, WeComTokenReply } from './wecom.types';
export { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix } from './sandbox';
export type { WeComSandbox, WeComSandboxOptions } from './sandbox';
