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
import { dingTalkError, isBusy, isTokenRefused } from './dingtalk.errors';
import type { DingTalkGetUserInfoReply, DingTalkLoginUser, DingTalkReply, DingTalkTokenReply } from './dingtalk.types';

export type DingTalkClientOptions = PlatformClientOptions;

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
 * The legacy `oapi` API of one tenant's DingTalk app (dingtalk-api §0–§1). Caches the app token, retries HTTP 5xx and
 * "busy" answers with backoff, refreshes a refused token once, and throws only `PlatformError`.
 */
export class DingTalkClient {
  private readonly credentials: PlatformAppCredentials;
  private readonly tokens: AccessTokenCache;
  private readonly tokenKey: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(options: DingTalkClientOptions) {
    this.credentials = options.credentials;
    this.tokens = options.tokenCache ?? new AccessTokenCache({ clock: options.clock ?? systemClock });
    this.tokenKey = `dingtalk:${options.credentials.corpId}/${options.credentials.appKey}`;
    this.retry = { delaysMs: options.retryDelaysMs ?? defaultRetryDelaysMs, sleep: options.sleep ?? realSleep };
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
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

  /** Calls with the app token; a refused token is dropped and refreshed once, and the call retried once, never more. */
  private async callWithToken(call: Call): Promise<DingTalkReply> {
    const token = await this.getAccessToken();
    let reply = await this.send({ ...call, query: { ...call.query, access_token: token } });
    if (isTokenRefused(reply.errcode)) {
      this.tokens.invalidate(this.tokenKey, token);
      const fresh = await this.getAccessToken();
      reply = await this.send({ ...call, query: { ...call.query, access_token: fresh } });
    }
    if (reply.errcode !== 0) throw dingTalkError(call.operation, reply);
    return reply;
  }

  /** One call, retried on HTTP 5xx and "busy"; returns the vendor's answer, errcode and all. */
  private async send(call: Call): Promise<DingTalkReply> {
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
 * Gives a transport outcome its meaning. Network failures are not retried: the request may have reached DingTalk and
 * used up a single-use code.
 */
function interpret(operation: string, exchange: Exchange): DingTalkReply {
  if (exchange.kind === 'unreachable') {
    const reason = exchange.error instanceof Error ? exchange.error.message : String(exchange.error);
    throw new PlatformError('UNAVAILABLE', `DingTalk ${operation} unreachable: ${reason}`);
  }
  const { status, body } = exchange;
  const answered = `DingTalk ${operation} answered HTTP ${status}`;
  if (status >= 500) throw new PlatformError('UNAVAILABLE', answered, `HTTP ${status}`);
  if (status === 429 || isAntiAbusePage(body)) {
    throw new PlatformError('RATE_LIMITED', `DingTalk ${operation} is rate limited (HTTP ${status})`, `HTTP ${status}`);
  }
  if (status !== 200) throw new PlatformError('UNKNOWN', answered, `HTTP ${status}`);
  if (!isReply(body)) throw new PlatformError('BAD_RESPONSE', `DingTalk ${operation} answered without an errcode`);
  return body;
}

function isReply(body: unknown): body is DingTalkReply {
  return typeof body === 'object' && body !== null && typeof (body as { errcode?: unknown }).errcode === 'number';
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
