/** The port between the server and a chat platform (DESIGN §6). The server only ever sees these types. */

export type PlatformKind = 'dingtalk' | 'wecom';

/** Milliseconds since the epoch; injected so token expiry and code expiry are testable without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Who a login code belongs to. */
export interface LoginIdentity {
  corpId: string;
  platformUserId: string;
}

/**
 * How the client got its login code: `miniprogram` from the client's in-app login API (DingTalk `dd.getAuthCode` and,
 * in H5, `requestAuthCode`; WeCom `wx.qy.login`), `oauth` from a web OAuth redirect (a WeCom H5 page). A vendor whose
 * codes are all exchanged alike (DingTalk, dingtalk-api §1.3) may ignore it.
 */
export type LoginChannel = 'miniprogram' | 'oauth';

export interface PlatformAuth {
  /**
   * Exchanges a single-use login code got through `channel` (default `miniprogram`); throws PlatformError
   * `INVALID_CODE` when it is bad or of another channel, `NOT_FOUND` when its holder is not a member of the corp.
   */
  exchangeLoginCode(code: string, channel?: LoginChannel): Promise<LoginIdentity>;
}

/** The credentials and endpoints of one tenant's app on one platform. */
export interface PlatformAppCredentials {
  corpId: string;
  appKey: string;
  appSecret: string;
  agentId: string;
  /** Base URL of the vendor's API (the real host in production, the sandbox in development and tests). */
  baseUrl: string;
  /** Base URL of the vendor's newer API (DingTalk `api.dingtalk.com` for `/v1.0/…`); default `baseUrl`. */
  apiBaseUrl?: string;
  /** Encrypted-callback settings; without them `callbacks.handle` refuses every request. */
  callback?: CallbackCredentials;
  /** The approval template (DingTalk `processCode`, WeCom `template_id`) used by `approvals.start`. */
  approvalTemplateId?: string;
}

export interface CallbackCredentials {
  /** The signing token set in the vendor console. */
  token: string;
  /** The 43-character EncodingAESKey. */
  aesKey: string;
  /** The id appended to every plaintext: DingTalk the app key (internal app), WeCom the corp id. */
  receiverId: string;
}

// ---- directory ----

/** One department; ids are the vendor's, as strings. */
export interface PlatformDepartment {
  id: string;
  name: string;
  /** `null` for the root. */
  parentId: string | null;
}

/** One member of the org as the platform describes them. */
export interface PlatformUser {
  userId: string;
  name: string;
  departmentIds: string[];
  /** The departments this user leads (the platform's leader flag). */
  leaderOf: string[];
  /** Direct manager when the platform knows one (DingTalk `manager_userid`, WeCom `direct_leader[0]`). */
  managerUserId: string | null;
  mobile: string | null;
  title: string | null;
  /** `YYYY-MM-DD` in the tenant's zone, when known. */
  hiredDate: string | null;
  /** True when the platform says this user administers the corp (DingTalk's `admin`); absent otherwise, and on WeCom, where no API says. */
  admin?: boolean;
}

export interface PlatformDirectory {
  /** The whole department tree, parents before children; pages and walks for you. */
  departments(): AsyncIterable<PlatformDepartment>;
  /** The members of one department (not its sub-departments); pages for you. */
  users(departmentId: string): AsyncIterable<PlatformUser>;
  /** One user, or `null` when the platform does not know them (left or never existed). */
  user(userId: string): Promise<PlatformUser | null>;
}

// ---- messages ----

/** What we send: markdown everywhere, or an action card with one link. */
export type PlatformMessage =
  | { kind: 'markdown'; title: string; text: string }
  | { kind: 'card'; title: string; text: string; url: string; buttonText: string };

/** A group robot: DingTalk custom robot (`access_token` + `SEC…` secret), WeCom webhook (`key`). */
export interface BotRef {
  token: string;
  /** DingTalk "加签" secret; absent for WeCom and for DingTalk robots without signing. */
  secret?: string;
}

export interface PlatformMessages {
  /**
   * Posts to a group robot. Robots take 20 messages a minute; the adapter waits for a slot instead of being refused,
   * so every message arrives (on the injected clock).
   */
  toGroupBot(bot: BotRef, message: PlatformMessage): Promise<void>;
  /** A direct message from the app to each of these users. */
  toUsers(userIds: readonly string[], message: PlatformMessage): Promise<void>;
}

// ---- approvals ----

export interface ApprovalRequest {
  /** The platform user id of whoever starts it. */
  originatorUserId: string;
  title: string;
  /** Shown in the form, in order. */
  fields: readonly { name: string; value: string }[];
  /** Approvers in order; absent → the template's own flow. */
  approverUserIds?: readonly string[];
}

export interface PlatformApprovals {
  /** Starts an approval from the tenant's template; returns the vendor's instance id. */
  start(request: ApprovalRequest): Promise<string>;
}

// ---- events and callbacks ----

interface EventBase {
  /** Stable across the vendor's retries of the same event: dedupe on it. */
  eventId: string;
  /** When the platform says it happened (ms); the receive time when it says nothing. */
  occurredAt: number;
}

export type PlatformEvent =
  | (EventBase & { type: 'contact.user_joined'; userId: string })
  | (EventBase & { type: 'contact.user_updated'; userId: string })
  | (EventBase & { type: 'contact.user_left'; userId: string })
  /** WeCom may rename a user id (`NewUserID`); everything of the old id now belongs to the new one. */
  | (EventBase & { type: 'contact.user_renamed'; userId: string; newUserId: string })
  | (EventBase & { type: 'contact.department_changed'; departmentId: string; change: 'created' | 'updated' | 'deleted' })
  | (EventBase & { type: 'approval.finished'; instanceId: string; approved: boolean })
  | (EventBase & { type: 'approval.withdrawn'; instanceId: string });

/** A callback request as it arrived, before any parsing that could lose bytes. */
export interface CallbackRequest {
  method: 'GET' | 'POST';
  /** The raw query string without `?`, exactly as received (WeCom's `+` pitfall is handled by the adapter). */
  rawQuery: string;
  /** The raw body text (JSON for DingTalk, XML for WeCom); empty for GET. */
  body: string;
}

/** What to answer the platform, and the events the request carried (none for a URL-verification handshake). */
export interface CallbackResult {
  reply: { status: number; contentType: string; body: string };
  events: PlatformEvent[];
}

export interface PlatformCallbacks {
  /**
   * Verifies the signature (constant time), the timestamp window (±5 minutes on the injected clock) and the receiver
   * id, decrypts, and translates. Throws PlatformError `BAD_SIGNATURE` for anything not provably from the platform.
   */
  handle(request: CallbackRequest): CallbackResult;
}

// ---- JS-SDK ----

/** What an H5 page inside the chat app passes to `dd.config` / `ww.register`. */
export interface JsapiSignature {
  platform: PlatformKind;
  corpId: string;
  agentId: string;
  /** Seconds (WeCom) or milliseconds (DingTalk) as the vendor's JS-SDK expects it, as a string. */
  timestamp: string;
  nonceStr: string;
  signature: string;
  /** WeCom `agentConfig` signature (agent jsapi ticket); absent for DingTalk. */
  agentSignature?: string;
}

export interface PlatformJsapi {
  /** Signs `url` (without its `#fragment`) with the cached jsapi ticket(s). */
  signature(url: string): Promise<JsapiSignature>;
}

export interface PlatformAdapter {
  readonly platform: PlatformKind;
  readonly auth: PlatformAuth;
  readonly directory: PlatformDirectory;
  readonly messages: PlatformMessages;
  readonly approvals: PlatformApprovals;
  readonly callbacks: PlatformCallbacks;
  readonly jsapi: PlatformJsapi;
}

// ---- sandbox fixtures ----

/** One organisation as a sandbox serves it (DESIGN §6): the same fixture feeds both vendors. */
export interface OrgFixture {
  corpId: string;
  departments: { id: number; name: string; parentId: number | null }[];
  users: {
    userId: string;
    name: string;
    departmentIds: number[];
    leaderOf: number[];
    mobile: string;
    title: string;
    hiredDate: string;
    /** Direct manager; default the leader of the user's first department (not themselves). */
    managerUserId?: string;
    /** An administrator of the corp (DingTalk serves it as `admin`); default false. */
    admin?: boolean;
  }[];
  app: { appKey: string; appSecret: string; agentId: string };
  /**
   * Where and how the sandbox delivers this corp's encrypted callbacks (org changes, approval results). The URL is
   * read at delivery time, so a server listening on an ephemeral port can be named after it started.
   */
  callback?: CallbackCredentials & { url: () => string };
  /** Group robots the sandbox accepts (DingTalk access_token + secret, WeCom key). */
  robots?: BotRef[];
  /** Approval templates the sandbox accepts. */
  approvalTemplateIds?: string[];
}
