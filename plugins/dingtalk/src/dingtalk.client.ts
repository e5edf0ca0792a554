import {
  AccessTokenCache,
  PlatformError,
  defaultRetryDelaysMs,
  defaultTimeoutMs,
  realSleep,
  retryWithBackoff,
  systemClock,
  type BotRef,
  type Clock,
  type PlatformAppCredentials,
  type PlatformClientOptions,
  type RetryPolicy,
} from '@gonghai/plugin-core';
import { request } from 'undici';
import { dingTalkRobotSign } from './dingtalk.crypto';
import { CallPacer } from './dingtalk.pacer';
import { dingTalkApiError, dingTalkError, isApiTokenRefused, isBusy, isTokenRefused } from './dingtalk.errors';
import type {
  DingTalkApiFailure,
  DingTalkApiTokenReply,
  DingTalkAsyncSendReply,
  DingTalkDepartment,
  DingTalkDepartmentListReply,
  DingTalkDepartmentReply,
  DingTalkGetUserInfoReply,
  DingTalkJsapiTicketReply,
  DingTalkLoginUser,
  DingTalkReply,
  DingTalkRobotMessage,
  DingTalkStartProcessReply,
  DingTalkStartProcessRequest,
  DingTalkTokenReply,
  DingTalkUser,
  DingTalkUserListReply,
  DingTalkUserReply,
  DingTalkWorkMessage,
} from './dingtalk.types';

export type DingTalkClientOptions = PlatformClientOptions;

/** One HTTP round trip, before any meaning is given to it. */
type Exchange = { kind: 'answer'; status: number; body: unknown } | { kind: 'unreachable'; error: unknown };

interface Call {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** `api` is the v1.0 host (`credentials.apiBaseUrl ?? baseUrl`), `oapi` the legacy one. */
  host?: 'oapi' | 'api';
  headers?: Record<string, string>;
}

/** One page of a department's members. */
export interface DingTalkUserPage {
  users: DingTalkUser[];
  /** Where the next page starts; `undefined` after the last page. */
  nextCursor: number | undefined;
}

/** `user/list` takes at most 100 a page (dingtalk-api §2.2). */
export const dingTalkMaxPageSize = 100;

/**
 * One tenant's DingTalk app over the legacy `oapi` API and the v1.0 API (dingtalk-api §0–§4, §6). Caches the app
 * tokens and the jsapi ticket, retries HTTP 5xx and "busy" answers with backoff, refreshes a refused token once, and
 * throws only `PlatformError`.
 */
export class DingTalkClient {
  private readonly credentials: PlatformAppCredentials;
  private readonly clock: Clock;
  private readonly tokens: AccessTokenCache;
  private readonly tokenKey: string;
  private readonly apiTokenKey: string;
  private readonly ticketKey: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  // DingTalk allows an internal app 20 calls a second per API and answers 90018 above (dingtalk-api §0); a directory
  // walk asks user/get once per member, so it paces itself instead of being refused halfway.
  private readonly pace: CallPacer;

  constructor(options: DingTalkClientOptions) {
    this.credentials = options.credentials;
    this.clock = options.clock ?? systemClock;
    this.tokens = options.tokenCache ?? new AccessTokenCache({ clock: this.clock });
    const app = `${options.credentials.corpId}/${options.credentials.appKey}`;
    this.tokenKey = `dingtalk:${app}`;
    this.apiTokenKey = `dingtalk-api:${app}`;
    this.ticketKey = `dingtalk-jsapi:${app}`;
    const sleep = options.sleep ?? realSleep;
    this.retry = { delaysMs: options.retryDelaysMs ?? defaultRetryDelaysMs, sleep };
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.pace = new CallPacer(20, 1000, this.clock, sleep);
  }

  /** The app access token, from the cache unless it is missing or within 300 s of expiry. */
  getAccessToken(): Promise<string> {
    return this.tokens.get(this.tokenKey, async () => {
      const { appKey, appSecret } = this.credentials;
      const reply = await this.send({
        operation: 'gettoken',
        method: 'GET',
        path: '/gettoken',
        query: { appkey: appKey, appsecret: appSecret },
      });
      if (reply.errcode !== 0) throw dingTalkError('gettoken', reply);
      const { access_token: accessToken, expires_in: expiresIn } = reply as DingTalkTokenReply;
      if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') {
        throw new PlatformError('BAD_RESPONSE', 'DingTalk gettoken answered without access_token/expires_in');
      }
      return { accessToken, expiresInSeconds: expiresIn };
    });
  }

  /** The v1.0 token (`POST /v1.0/oauth2/accessToken`, dingtalk-api §1.2), cached like the legacy one. */
  getApiAccessToken(): Promise<string> {
    return this.tokens.get(this.apiTokenKey, async () => {
      const { appKey, appSecret } = this.credentials;
      const call: Call = {
        operation: 'oauth2/accessToken',
        method: 'POST',
        path: '/v1.0/oauth2/accessToken',
        query: {},
        body: { appKey, appSecret },
        host: 'api',
      };
      const exchange = await retryWithBackoff(this.retry, () => this.exchange(call), isRetryableApi);
      const { accessToken, expireIn } = interpretApi(call.operation, exchange) as Partial<DingTalkApiTokenReply>;
      if (typeof accessToken !== 'string' || typeof expireIn !== 'number') {
        throw new PlatformError('BAD_RESPONSE', 'DingTalk oauth2/accessToken answered without accessToken/expireIn');
      }
      return { accessToken, expiresInSeconds: expireIn };
    });
  }

  /** 免登: who the mini-program's auth code belongs to (`POST /topapi/v2/user/getuserinfo`, dingtalk-api §1.3). */
  async getUserInfoByCode(code: string): Promise<DingTalkLoginUser> {
    if (code === '') throw new PlatformError('INVALID_CODE', 'DingTalk auth code is empty');
    const reply = await this.callWithToken({
      operation: 'user/getuserinfo',
      method: 'POST',
      path: '/topapi/v2/user/getuserinfo',
      query: {},
      body: { code },
    });
    const { result } = reply as DingTalkGetUserInfoReply;
    if (typeof result?.userid !== 'string') {
      throw new PlatformError('BAD_RESPONSE', 'DingTalk user/getuserinfo answered without result.userid');
    }
    return result;
  }

  /** One department (`POST /topapi/v2/department/get`); the walk needs it for the root's name. */
  async getDepartment(deptId: number): Promise<DingTalkDepartment> {
    const reply = await this.callWithToken({
      operation: 'department/get',
      method: 'POST',
      path: '/topapi/v2/department/get',
      query: {},
      body: { dept_id: deptId, language: 'zh_CN' },
    });
    const { result } = reply as DingTalkDepartmentReply;
    if (typeof result?.dept_id !== 'number') {
      throw new PlatformError('BAD_RESPONSE', 'DingTalk department/get answered without result.dept_id');
    }
    return result;
  }

  /** The direct children of a department, one level only (`POST /topapi/v2/department/listsub`, dingtalk-api §2.1). */
  async listSubDepartments(deptId: number): Promise<DingTalkDepartment[]> {
    const reply = await this.callWithToken({
      operation: 'department/listsub',
      method: 'POST',
      path: '/topapi/v2/department/listsub',
      query: {},
      body: { dept_id: deptId, language: 'zh_CN' },
    });
    const { result } = reply as DingTalkDepartmentListReply;
    if (!Array.isArray(result)) throw new PlatformError('BAD_RESPONSE', 'DingTalk department/listsub answered without result[]');
    return result;
  }

  /** One page of a department's own members (`POST /topapi/v2/user/list`, dingtalk-api §2.2). */
  async listUsers(deptId: number, cursor: number, size: number = dingTalkMaxPageSize): Promise<DingTalkUserPage> {
    const reply = await this.callWithToken({
      operation: 'user/list',
      method: 'POST',
      path: '/topapi/v2/user/list',
      query: {},
      body: { dept_id: deptId, cursor, size, contain_access_limit: false, language: 'zh_CN' },
    });
    const { result } = reply as DingTalkUserListReply;
    if (!Array.isArray(result?.list)) throw new PlatformError('BAD_RESPONSE', 'DingTalk user/list answered without result.list');
    const nextCursor = result.has_more ? result.next_cursor : undefined;
    if (result.has_more && typeof nextCursor !== 'number') {
      throw new PlatformError('BAD_RESPONSE', 'DingTalk user/list has more but gave no next_cursor');
    }
    return { users: result.list, nextCursor };
  }

  /** One user with manager and leader flags (`POST /topapi/v2/user/get`, §2.3); `null` on 60121 (no such user). */
  async getUser(userId: string): Promise<DingTalkUser | null> {
    await this.pace.next();
    const reply = await this.replyWithToken({
      operation: 'user/get',
      method: 'POST',
      path: '/topapi/v2/user/get',
      query: {},
      body: { userid: userId, language: 'zh_CN' },
    });
    if (reply.errcode === 60121) return null;
    if (reply.errcode !== 0) throw dingTalkError('user/get', reply);
    const { result } = reply as DingTalkUserReply;
    if (typeof result?.userid !== 'string') {
      throw new PlatformError('BAD_RESPONSE', 'DingTalk user/get answered without result.userid');
    }
    return result;
  }

  /**
   * Posts to a custom group robot (`POST /robot/send`, dingtalk-api §3.1), signed when it has a `SEC…` secret. The
   * robot's own token is the credential: no app token is involved.
   */
  async sendRobot(bot: BotRef, message: DingTalkRobotMessage): Promise<void> {
    const query: Record<string, string> = { access_token: bot.token };
    if (bot.secret !== undefined) {
      const timestamp = String(this.clock.now());
      query.timestamp = timestamp;
      // The query builder percent-encodes it: the wire value is urlEncode(base64(…)) as DingTalk wants.
      query.sign = dingTalkRobotSign(bot.secret, timestamp);
    }
    const reply = await this.send({ operation: 'robot/send', method: 'POST', path: '/robot/send', query, body: message });
    if (reply.errcode !== 0) throw dingTalkError('robot/send', reply);
  }

  /**
   * A work notification from the app to these users (`POST /topapi/message/corpconversation/asyncsend_v2`, §3.3);
   * returns DingTalk's task id.
   */
  async sendWorkNotification(userIds: readonly string[], msg: DingTalkWorkMessage): Promise<number> {
    const reply = await this.callWithToken({
      operation: 'corpconversation/asyncsend_v2',
      method: 'POST',
      path: '/topapi/message/corpconversation/asyncsend_v2',
      query: {},
      body: { agent_id: Number(this.credentials.agentId), userid_list: userIds.join(','), to_all_user: false, msg },
    });
    return (reply as DingTalkAsyncSendReply).task_id;
  }

  /** Starts an approval (`POST /v1.0/workflow/processInstances`, dingtalk-api §4.1); returns the instance id. */
  async startProcessInstance(body: DingTalkStartProcessRequest): Promise<string> {
    const reply = (await this.callApi({
      operation: 'workflow/processInstances',
      method: 'POST',
      path: '/v1.0/workflow/processInstances',
      query: {},
      body,
    })) as Partial<DingTalkStartProcessReply>;
    if (typeof reply.instanceId !== 'string' || reply.instanceId === '') {
      throw new PlatformError('BAD_RESPONSE', 'DingTalk workflow/processInstances answered without instanceId');
    }
    return reply.instanceId;
  }

  /** The corp's jsapi ticket (`GET /get_jsapi_ticket`), cached until 300 s before it expires, fetched once at a time. */
  getJsapiTicket(): Promise<string> {
    return this.tokens.get(this.ticketKey, async () => {
      const reply = await this.callWithToken({
        operation: 'get_jsapi_ticket',
        method: 'GET',
        path: '/get_jsapi_ticket',
        query: {},
      });
      const { ticket, expires_in: expiresIn } = reply as DingTalkJsapiTicketReply;
      if (typeof ticket !== 'string' || typeof expiresIn !== 'number') {
        throw new PlatformError('BAD_RESPONSE', 'DingTalk get_jsapi_ticket answered without ticket/expires_in');
      }
      return { accessToken: ticket, expiresInSeconds: expiresIn };
    });
  }

  /** Like `replyWithToken`, but a non-zero errcode becomes a `PlatformError`. */
  private async callWithToken(call: Call): Promise<DingTalkReply> {
    const reply = await this.replyWithToken(call);
    if (reply.errcode !== 0) throw dingTalkError(call.operation, reply);
    return reply;
  }

  /** Calls with the app token; a refused token is dropped and refreshed once, and the call retried once, never more. */
  private async replyWithToken(call: Call): Promise<DingTalkReply> {
    const token = await this.getAccessToken();
    let reply = await this.send({ ...call, query: { ...call.query, access_token: token } });
    if (isTokenRefused(reply.errcode)) {
      this.tokens.invalidate(this.tokenKey, token);
      const fresh = await this.getAccessToken();
      reply = await this.send({ ...call, query: { ...call.query, access_token: fresh } });
    }
    return reply;
  }

  /** A v1.0 call: token in the `x-acs-dingtalk-access-token` header (the query string does not work, §0). */
  private async callApi(call: Call): Promise<unknown> {
    const attempt = (token: string) => {
      const withToken: Call = { ...call, host: 'api', headers: { 'x-acs-dingtalk-access-token': token } };
      return retryWithBackoff(this.retry, () => this.exchange(withToken), isRetryableApi);
    };
    const token = await this.getApiAccessToken();
    let exchange = await attempt(token);
    if (exchange.kind === 'answer' && isApiFailure(exchange.body) && isApiTokenRefused(exchange.body)) {
      this.tokens.invalidate(this.apiTokenKey, token);
      exchange = await attempt(await this.getApiAccessToken());
    }
    return interpretApi(call.operation, exchange);
  }

  /** One legacy call, retried on HTTP 5xx and "busy"; returns the vendor's answer, errcode and all. */
  private async send(call: Call): Promise<DingTalkReply> {
    const exchange = await retryWithBackoff(this.retry, () => this.exchange(call), isRetryable);
    return interpret(call.operation, exchange);
  }

  private async exchange(call: Call): Promise<Exchange> {
    const host = call.host === 'api' ? (this.credentials.apiBaseUrl ?? this.credentials.baseUrl) : this.credentials.baseUrl;
    const base = host.replace(/\/+$/, '');
    const query = new URLSearchParams(call.query).toString();
    const url = `${base}${call.path}${query === '' ? '' : `?${query}`}`;
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await request(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await response.body.text();
      return { kind: 'answer', status: response.statusCode, body: parseJson(text) };
    } catch (error) {
      return { kind: 'unreachable', error };
    }
  }
}

function isRetryable(exchange: Exchange): boolean {
  if (exchange.kind !== 'answer') return false;
  if (exchange.status >= 500) return true;
  return isReply(exchange.body) && isBusy(exchange.body);
}

/** The v1.0 gateway says "try again" with HTTP 5xx only (504 = DingTalk's 3 s timeout, §0). */
function isRetryableApi(exchange: Exchange): boolean {
  return exchange.kind === 'answer' && exchange.status >= 500;
}

/**
 * Gives a transport outcome its meaning. Network failures are not retried: the request may have reached DingTalk and
 * used up a single-use code.
 */
function interpret(operation: string, exchange: Exchange): DingTalkReply {
  const body = interpretTransport(operation, exchange);
  if (exchange.kind === 'answer' && exchange.status !== 200) {
    throw new PlatformError('UNKNOWN', `DingTalk ${operation} answered HTTP ${exchange.status}`, `HTTP ${exchange.status}`);
  }
  if (!isReply(body)) throw new PlatformError('BAD_RESPONSE', `DingTalk ${operation} answered without an errcode`);
  return body;
}

/** A v1.0 answer: HTTP 200 and a plain JSON body, or a `{code, message}` failure (§0). */
function interpretApi(operation: string, exchange: Exchange): unknown {
  const body = interpretTransport(operation, exchange);
  if (exchange.kind !== 'answer') return body;
  const { status } = exchange;
  if (status === 200) {
    if (typeof body !== 'object' || body === null) {
      throw new PlatformError('BAD_RESPONSE', `DingTalk ${operation} answered no JSON`);
    }
    return body;
  }
  if (isApiFailure(body)) throw dingTalkApiError(operation, status, body);
  throw new PlatformError('UNKNOWN', `DingTalk ${operation} answered HTTP ${status}`, `HTTP ${status}`);
}

/** What both API families share: unreachable, 5xx, the per-IP block and 429. */
function interpretTransport(operation: string, exchange: Exchange): unknown {
  if (exchange.kind === 'unreachable') {
    const reason = exchange.error instanceof Error ? exchange.error.message : String(exchange.error);
    throw new PlatformError('UNAVAILABLE', `DingTalk ${operation} unreachable: ${reason}`);
  }
  const { status, body } = exchange;
  if (status >= 500) throw new PlatformError('UNAVAILABLE', `DingTalk ${operation} answered HTTP ${status}`, `HTTP ${status}`);
  if (status === 429 || isAntiAbusePage(body)) {
    throw new PlatformError('RATE_LIMITED', `DingTalk ${operation} is rate limited (HTTP ${status})`, `HTTP ${status}`);
  }
  return body;
}

function isReply(body: unknown): body is DingTalkReply {
  return typeof body === 'object' && body !== null && typeof (body as { errcode?: unknown }).errcode === 'number';
}

function isApiFailure(body: unknown): body is DingTalkApiFailure {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';
}

/** The per-IP block answers with a page like `{"status":1111,"wait":5,"punish":"deny",…}`, not an errcode (§0). */
function isAntiAbusePage(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'punish' in body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
