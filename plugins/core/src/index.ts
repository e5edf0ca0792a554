export { PlatformError } from './platform-error';
export type { PlatformErrorCode } from './platform-error';
export { systemClock } from './port';
export type {
  ApprovalRequest,
  BotRef,
  CallbackCredentials,
  CallbackRequest,
  CallbackResult,
  Clock,
  JsapiSignature,
  LoginChannel,
  LoginIdentity,
  OrgFixture,
  PlatformAdapter,
  PlatformAppCredentials,
  PlatformApprovals,
  PlatformAuth,
  PlatformCallbacks,
  PlatformDepartment,
  PlatformDirectory,
  PlatformEvent,
  PlatformJsapi,
  PlatformKind,
  PlatformMessage,
  PlatformMessages,
  PlatformUser,
} from './port';
export { CallbackCipher, assertFreshTimestamp, callbackAesKey, callbackTimestampWindowMs, randomAscii } from './crypto/callback-cipher';
export { RateLimiter } from './rate-limiter';
export type { RateLimiterOptions } from './rate-limiter';

export { AccessTokenCache } from './access-token-cache';
export type { AccessTokenCacheOptions, FetchedAccessToken } from './access-token-cache';
export { defaultRetryDelaysMs, defaultTimeoutMs } from './client-options';
export type { PlatformClientOptions } from './client-options';
export { realSleep, retryWithBackoff } from './retry';
export type { RetryPolicy, Sleep } from './retry';

export { SandboxAccessTokens } from './sandbox/access-tokens';
export type { AccessTokenCheck, SandboxAccessTokensOptions } from './sandbox/access-tokens';
export { SandboxControl, SandboxControlError, loginChannelField } from './sandbox/control';
export type { ControlReply, SandboxControlOptions } from './sandbox/control';
export { SandboxFaults } from './sandbox/faults';
export type { SandboxFault, SandboxFaultAnswer } from './sandbox/faults';
export { SandboxLoginCodes } from './sandbox/login-codes';
export type { LoginCodeOwner, LoginCodeScope } from './sandbox/login-codes';
export { readRequestBody } from './sandbox/request-body';
export { SandboxInbox, SandboxRateWindow } from './sandbox/inbox';
export type { InboxMessage, SandboxApproval, SandboxApprovalOutcome } from './sandbox/inbox';
export { deliverCallback, parseOrgUser } from './sandbox/callbacks';
export type { CallbackDelivery, OrgUserInput } from './sandbox/callbacks';
export type { BodyCarrier, RequestBody } from './sandbox/request-body';

// Test support: jest globals are touched only when `describeAuthContract` is called, never on import.
export { describeAuthContract } from './testing/auth-contract';
export type { AuthContractHarness, ContractSandbox } from './testing/auth-contract';
export { describePlatformContract } from './testing/platform-contract';
export type { PlatformContractHarness } from './testing/platform-contract';
export { listenOnEphemeralPort, unusedOrigin } from './testing/http-server';
export type { RunningServer } from './testing/http-server';
export { ManualClock } from './testing/manual-clock';
