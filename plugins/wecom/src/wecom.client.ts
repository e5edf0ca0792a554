import {
  AccessTokenCache,
  PlatformError,
  defaultRetryDelaysMs,
  defaultTimeoutMs,
  realSleep,
  retryWithBackoff,
  systemClock,
  type PlatformAppCredentials,
  type PlatformClientOptions,
  type RetryPolicy,
} from '@gonghai/plugin-core';
import { request } from 'undici';
import { isBusy, isTokenRefused, weComError } from './wecom.errors';
import type {
  WeComApplyEventReply,
  WeComCode2SessionReply,
  WeComDepartment,
  WeComDepartmentListReply,
  WeComMessageSendReply,
  WeComMiniProgramSession,
  WeComOAuthUserInfoReply,
  WeComReply,
  WeComTemplateDetailReply,
  WeComTicketReply,
  WeComTokenReply,
  WeComUser,
  WeComUserListReply,
  WeComUserReply,
} from './wecom.types';

/** Which JS-SDK ticket (wecom-api §2c): the corp's for `wx.config`, the app's for `wx.agentConfig`. */
export type WeComTicketKind = 'corp' | 'agent';

export type WeComClientOptions = PlatformClientOptions;

/** One HTTP round trip, before any meaning is given to it. */
type Exchange = { kind: 'answer'; status: number; body: unknown } | { kind: 'unreachable'; error: unknown };

interface Call {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

/**
 * The `cgi-bin` API of one tenant's WeCom app (wecom-api §0–§2). Caches the app token, retries HTTP 5xx and "busy"
 * answers with backoff, refreshes a refused token once, and throws only `PlatformError`.
 */
export class WeComClient {
  private readonly credentials: PlatformAppCredentials;
  private readonly tokens: AccessTokenCache;
  private readonly tokenKey: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(options: WeComClientOptions) {
    this.credentials = options.credentials;
    this.tokens = options.tokenCache ?? new AccessTokenCache({ clock: options.clock ?? systemClock });
    // Each app has its own secret and token (wecom-api §0), so the agent is part of the key.
    this.tokenKey = `wecom:${options.credentials.corpId}/${options.credentials.agentId}`;
    this.retry = { delaysMs: options.retryDelaysMs ?? defaultRetryDelaysMs, sleep: options.sleep ?? realSleep };
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  }

  /** The app access token, from the cache unless it is missing or within 300 s of expiry. */
  getAccessToken(): Promise<string> {
    return this.tokens.get(this.tokenKey, async () => {
      const { corpId, appSecret } = this.credentials;
      const reply = await this.send({
        operation: 'gettoken',
        method: 'GET',
        path: '/cgi-bin/gettoken',
        query: { corpid: corpId, corpsecret: appSecret },
      });
      if (reply.errcode !== 0) throw weComError('gettoken', reply);
      const { access_token: accessToken, expires_in: expiresIn } = reply as WeComTokenReply;
      if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') {
        throw new PlatformError('BAD_RESPONSE', 'WeCom gettoken answered without access_token/expires_in');
      }
      return { accessToken, expiresInSeconds: expiresIn };
    });
  }

  /**
   * Who the mini-program's `wx.qy.login` code belongs to (`GET /cgi-bin/miniprogram/jscode2session`, wecom-api §2a).
   * The session key stays here; a code of another corp is refused, never followed.
   */
  async code2Session(code: string): Promise<WeComMiniProgramSession> {
    if (code === '') throw new PlatformError('INVALID_CODE', 'WeCom login code is empty');
    const reply = (await this.callWithToken({
      operation: 'miniprogram/jscode2session',
      method: 'GET',
      path: '/cgi-bin/miniprogram/jscode2session',
      query: { js_code: code, grant_type: 'authorization_code' },
    })) as WeComCode2SessionReply;
    if (typeof reply.corpid !== 'string' || typeof reply.userid !== 'string') {
      throw new PlatformError('BAD_RESPONSE', 'WeCom miniprogram/jscode2session answered without corpid/userid');
    }
    if (reply.corpid !== this.credentials.corpId) {
      throw new PlatformError('INVALID_CODE', 'WeCom login code belongs to a corp other than the configured one');
    }
    return { corpid: reply.corpid, userid: reply.userid };
  }

  /**
   * The member an H5 page's OAuth code belongs to (`GET /cgi-bin/auth/getuserinfo`, wecom-api §2b). The answer names
   * no corp: it is the corp whose token asked. A visitor from outside the corp (an `openid`, no `userid`) is refused
   * with `NOT_FOUND`.
   */
  async userByOAuthCode(code: string): Promise<string> {
    if (code === '') throw new PlatformError('INVALID_CODE', 'WeCom OAuth code is empty');
    const reply = (await this.callWithToken({
      operation: 'auth/getuserinfo',
      method: 'GET',
      path: '/cgi-bin/auth/getuserinfo',
      query: { code },
    })) as WeComOAuthUserInfoReply;
    if (typeof reply.userid === 'string' && reply.userid !== '') return reply.userid;
    if (typeof reply.openid === 'string') {
      throw new PlatformError('NOT_FOUND', 'WeCom auth/getuserinfo: the visitor is not a member of the corp (openid only)');
    }
    throw new PlatformError('BAD_RESPONSE', 'WeCom auth/getuserinfo answered without userid or openid');
  }

  /** Every department the app can see, in WeCom's order (`GET /cgi-bin/department/list`, wecom-api §3). */
  async departments(): Promise<WeComDepartment[]> {
    const reply = (await this.callWithToken({
      operation: 'department/list',
      method: 'GET',
      path: '/cgi-bin/department/list',
      query: {},
    })) as WeComDepartmentListReply;
    if (!Array.isArray(reply.department)) {
      throw new PlatformError('BAD_RESPONSE', 'WeCom department/list answered without department[]');
    }
    return reply.department;
  }

  /** The members of one department, not of its sub-departments (`GET /cgi-bin/user/list`, §3). */
  async departmentUsers(departmentId: string): Promise<WeComUser[]> {
    const reply = (await this.callWithToken({
      operation: 'user/list',
      method: 'GET',
      path: '/cgi-bin/user/list',
      query: { department_id: departmentId },
    })) as WeComUserListReply;
    if (!Array.isArray(reply.userlist)) throw new PlatformError('BAD_RESPONSE', 'WeCom user/list answered without userlist[]');
    return reply.userlist;
  }

  /** One member, or `null` for 60111 "userid not found" (`GET /cgi-bin/user/get`, §3). */
  async user(userId: string): Promise<WeComUser | null> {
    try {
      const reply = (await this.callWithToken({
        operation: 'user/get',
        method: 'GET',
        path: '/cgi-bin/user/get',
        query: { userid: userId },
      })) as WeComUserReply;
      if (typeof reply.userid !== 'string') throw new PlatformError('BAD_RESPONSE', 'WeCom user/get answered without userid');
      return reply;
    } catch (error) {
      if (error instanceof PlatformError && error.vendorCode === 60111) return null;
      throw error;
    }
  }

  /** Posts to a group robot (`POST /cgi-bin/webhook/send?key=`, §4b); the key is the robot's only credential. */
  async sendToWebhook(key: string, message: Record<string, unknown>): Promise<void> {
    const reply = await this.send({
      operation: 'webhook/send',
      method: 'POST',
      path: '/cgi-bin/webhook/send',
      query: { key },
      body: message,
    });
    if (reply.errcode !== 0) throw weComError('webhook/send', reply);
  }

  /**
   * An app message (`POST /cgi-bin/message/send`, §4a); `agentid` is added. The answer may name invalid recipients:
   * the call still succeeded for the others.
   */
  async sendAppMessage(message: Record<string, unknown>): Promise<WeComMessageSendReply> {
    return (await this.callWithToken({
      operation: 'message/send',
      method: 'POST',
      path: '/cgi-bin/message/send',
      query: {},
      body: { ...message, agentid: Number(this.credentials.agentId) },
    })) as WeComMessageSendReply;
  }

  /** The controls of an approval template (`POST /cgi-bin/oa/gettemplatedetail`, §5). */
  async templateControls(templateId: string): Promise<{ control: string; id: string; titles: string[] }[]> {
    const reply = (await this.callWithToken({
      operation: 'oa/gettemplatedetail',
      method: 'POST',
      path: '/cgi-bin/oa/gettemplatedetail',
      query: {},
      body: { template_id: templateId },
    })) as WeComTemplateDetailReply;
    const controls = reply.template_content?.controls;
    if (!Array.isArray(controls)) {
      throw new PlatformError('BAD_RESPONSE', 'WeCom oa/gettemplatedetail answered without template_content.controls');
    }
    return controls.map(({ property }) => ({
      control: property.control,
      id: property.id,
      titles: (property.title ?? []).map((title) => title.text),
    }));
  }

  /** Submits an approval and returns its `sp_no` (`POST /cgi-bin/oa/applyevent`, §5a). */
  async applyEvent(application: Record<string, unknown>): Promise<string> {
    const reply = (await this.callWithToken({
      operation: 'oa/applyevent',
      method: 'POST',
      path: '/cgi-bin/oa/applyevent',
      query: {},
      body: application,
    })) as WeComApplyEventReply;
    if (typeof reply.sp_no !== 'string' || reply.sp_no === '') {
      throw new PlatformError('BAD_RESPONSE', 'WeCom oa/applyevent answered without sp_no');
    }
    return reply.sp_no;
  }

  /**
   * A JS-SDK ticket, cached until 300 s before expiry and fetched once for concurrent callers: WeCom allows 400 corp
   * and 100 app tickets an hour (§2c).
   */
  jsapiTicket(kind: WeComTicketKind): Promise<string> {
    const call: Call =
      kind === 'corp'
        ? { operation: 'get_jsapi_ticket', method: 'GET', path: '/cgi-bin/get_jsapi_ticket', query: {} }
        : { operation: 'ticket/get', method: 'GET', path: '/cgi-bin/ticket/get', query: { type: 'agent_config' } };
    return this.tokens.get(`${this.tokenKey}:jsapi-${kind}`, async () => {
      const reply = (await this.callWithToken(call)) as WeComTicketReply;
      if (typeof reply.ticket !== 'string' || typeof reply.expires_in !== 'number') {
        throw new PlatformError('BAD_RESPONSE', `WeCom ${call.operation} answered without ticket/expires_in`);
      }
      return { accessToken: reply.ticket, expiresInSeconds: reply.expires_in };
    });
  }

  /** Calls with the app token; a refused token is dropped and refreshed once, and the call retried once, never more. */
  private async callWithToken(call: Call): Promise<WeComReply> {
    const token = await this.getAccessToken();
    // access_token goes first, where WeCom's docs put it.
    let reply = await this.send({ ...call, query: { access_token: token, ...call.query } });
    if (isTokenRefused(reply.errcode)) {
      this.tokens.invalidate(this.tokenKey, token);
      const fresh = await this.getAccessToken();
      reply = await this.send({ ...call, query: { access_token: fresh, ...call.query } });
    }
    if (reply.errcode !== 0) throw weComError(call.operation, reply);
    return reply;
  }

  /** One call, retried on HTTP 5xx and "busy"; returns the vendor's answer, errcode and all. */
  private async send(call: Call): Promise<WeComReply> {
    const exchange = await retryWithBackoff(this.retry, () => this.exchange(call), isRetryable);
    return interpret(call.operation, exchange);
  }

  private async exchange(call: Call): Promise<Exchange> {
    const base = this.credentials.baseUrl.replace(/\/+$/, '');
    const query = new URLSearchParams(call.query).toString();
    const url = `${base}${call.path}${query === '' ? '' : `?${query}`}`;
    try {
      const response = await request(url, {
        method: call.method,
        headers: call.body === undefined ? {} : { 'content-type': 'application/json' },
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

/**
 * Gives a transport outcome its meaning. Network failures are not retried: the request may have reached WeCom and
 * used up a single-use code.
 */
function interpret(operation: string, exchange: Exchange): WeComReply {
  if (exchange.kind === 'unreachable') {
    const reason = exchange.error instanceof Error ? exchange.error.message : String(exchange.error);
    throw new PlatformError('UNAVAILABLE', `WeCom ${operation} unreachable: ${reason}`);
  }
  const { status, body } = exchange;
  const answered = `WeCom ${operation} answered HTTP ${status}`;
  if (status >= 500) throw new PlatformError('UNAVAILABLE', answered, `HTTP ${status}`);
  if (status === 429) {
    throw new PlatformError('RATE_LIMITED', `WeCom ${operation} is rate limited (HTTP ${status})`, `HTTP ${status}`);
  }
  if (status !== 200) throw new PlatformError('UNKNOWN', answered, `HTTP ${status}`);
  if (!isReply(body)) throw new PlatformError('BAD_RESPONSE', `WeCom ${operation} answered without an errcode`);
  return body;
}

function isReply(body: unknown): body is WeComReply {
  return typeof body === 'object' && body !== null && typeof (body as { errcode?: unknown }).errcode === 'number';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
