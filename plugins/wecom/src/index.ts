export { createWeComAdapter, createWeComRobotLimiter } from './wecom.adapter';
export type { WeComAdapterOptions, WeComLogger } from './wecom.adapter';
export { WeComClient } from './wecom.client';
export type { WeComClientOptions, WeComTicketKind } from './wecom.client';
export { createWeComCallbacks } from './wecom.callbacks';
export { passiveReplyXml, readCallbackQuery, readPassiveReply, sealWeComMessage } from './wecom.crypto';
export type { WeComEnvelope } from './wecom.crypto';
export { defaultHiredDateAttribute } from './wecom.directory';
export { translateWeComEvent } from './wecom.events';
export { weComJsapiSignature } from './wecom.jsapi';
export type { WeComCode2SessionReply, WeComMiniProgramSession, WeComReply, WeComTokenReply } from './wecom.types';
export {
  createWeComSandbox,
  defaultWeComApprovalControlTitles,
  weComSandboxPaths,
  weComSandboxPrefix,
} from './sandbox';
export type { WeComDelivery, WeComOrgChangeResult, WeComSandbox, WeComSandboxApproval, WeComSandboxOptions } from './sandbox';
