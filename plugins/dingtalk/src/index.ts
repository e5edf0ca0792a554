export { createDingTalkAdapter } from './dingtalk.adapter';
export type { DingTalkAdapterOptions } from './dingtalk.adapter';
export { DingTalkClient, dingTalkMaxPageSize } from './dingtalk.client';
export type { DingTalkClientOptions, DingTalkUserPage } from './dingtalk.client';
export {
  dingTalkJsapiSignature,
  dingTalkRobotSign,
  dingTalkSuccessReply,
  openSealedCallback,
  parseRawQuery,
  readSealedCallback,
  sealCallback,
} from './dingtalk.crypto';
export type { DingTalkCallbackReply, DingTalkSealedCallback } from './dingtalk.crypto';
export { dingTalkEvents, fromStreamEvent, isDingTalkHandshake } from './dingtalk.events';
export type { DingTalkEventPayload } from './dingtalk.events';
export type * from './dingtalk.types';
export {
  DingTalkSandboxControlError,
  createDingTalkSandbox,
  dingTalkSandboxPaths,
  dingTalkSandboxPrefix,
} from './sandbox';
export type {
  DingTalkDecision,
  DingTalkDeliveryOutcome,
  DingTalkOrgChange,
  DingTalkSandbox,
  DingTalkSandboxOptions,
  DingTalkSandboxUserInput,
  SandboxApproval,
  SandboxApprovalOutcome,
} from './sandbox';
export { DingTalkStreamClient, createDingTalkStreamTransport, dingTalkStreamAck } from './dingtalk.stream';
export type { DingTalkStreamTransport, DingTalkStreamTransportOptions } from './dingtalk.stream';
