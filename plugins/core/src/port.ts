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

export interface PlatformAuth {
  /** Exchanges a single-use login code from the mini-program; throws PlatformError `INVALID_CODE` when it is bad. */
  exchangeLoginCode(code: string): Promise<LoginIdentity>;
}

/** The credentials and endpoints of one tenant's app on one platform. */
export interface PlatformAppCredentials {
  corpId: string;
  appKey: string;
  appSecret: string;
  agentId: string;
  /** Base URL of the vendor's API (the real host in production, the sandbox in development and tests). */
  baseUrl: string;
}

export interface PlatformAdapter {
  readonly platform: PlatformKind;
  readonly auth: PlatformAuth;
}

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
  }[];
  app: { appKey: string; appSecret: string; agentId: string };
}
