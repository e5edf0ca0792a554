import type { DocumentRequest, DocumentResult, LoginCode, Photo, UploadRequest, UploadResult } from '@/platform/platform';
import type { LoginResult } from './api-types';
import { ApiError, NetworkError, messageFor } from './errors';
import { randomKey } from '@/utils/random-key';

/** One HTTP exchange; rejects with NetworkError only when no answer arrived. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface HttpResponse {
  status: number;
  body: string;
}
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Where the session survives page reloads (Taro storage in the app, memory in tests). */
export interface SessionStore {
  load(): LoginResult | null;
  save(session: LoginResult | null): void;
}

export interface ApiClientOptions {
  /** '' for same-origin (H5), else e.g. http://localhost:3000. */
  origin: string;
  transport: HttpTransport;
  store: SessionStore;
  /** A fresh platform login code (the platform seam); may throw DemoLoginRequired on H5. */
  loginCode: () => Promise<LoginCode>;
  /** Multipart upload through the platform seam. */
  upload: (request: UploadRequest) => Promise<UploadResult>;
  /** Hands an authenticated document to the user through the platform seam (`platform.saveDocument`). */
  saveDocument?: (request: DocumentRequest) => Promise<DocumentResult>;
  /** Retries after a network failure (same idempotency key each time). Default 2. */
  networkRetries?: number;
  /** Waits between retries; injected so tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Fresh idempotency keys. */
  newKey?: () => string;
  /** Told whenever the session changes (login, silent re-login, logout). */
  onSession?: (session: LoginResult | null) => void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  /** Reuse one key for a user-level retry of the same action; by default each call gets its own. */
  idempotencyKey?: string;
  /** false for the login call itself. */
  auth?: boolean;
}

function queryString(query: RequestOptions['query']): string {
  const parts = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Builds the ApiError for a non-2xx answer from `{"error":{"code","message",…}}`. */
function errorFrom(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: string; message?: string } & Record<string, unknown> } | undefined)?.error;
  const { code, message, ...details } = err ?? {};
  return new ApiError(status, code ?? `http_${status}`, messageFor(status, code, message), details);
}

/**
 * The only code that talks to the server. Adds the JWT, gives every POST an idempotency key that retries reuse (so a
 * retry after a lost answer never claims or records twice), retries network failures, logs in again silently through
 * the platform when the token has expired (then retries once), and turns error codes into Chinese messages.
 */
export class ApiClient {
  private session: LoginResult | null;
  private relogin: Promise<LoginResult> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newKey: () => string;

  constructor(private readonly options: ApiClientOptions) {
    this.session = options.store.load();
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newKey = options.newKey ?? randomKey;
  }

  /** The signed-in user, or null. */
  current(): LoginResult | null {
    return this.session;
  }

  /** Exchanges a platform login code for a session (`POST /api/v1/auth/login`). */
  async login(code: LoginCode): Promise<LoginResult> {
    const result = await this.request<LoginResult>('POST', '/api/v1/auth/login', { body: code, auth: false });
    this.setSession(result);
    return result;
  }

  /** Logs in through the platform seam unless already signed in. */
  async ensureSession(): Promise<LoginResult> {
    return this.session ?? this.silentLogin();
  }

  logout(): void {
    this.setSession(null);
  }

  /**
   * One JSON call. Resolves with the parsed body of a 2xx answer; rejects with ApiError or NetworkError. Only GET and
   * POST reach the transport: `wx.request` has no PATCH and `dd.httpRequest` takes GET and POST alone, so PUT, PATCH
   * and DELETE go as a POST with `X-HTTP-Method-Override` (and an idempotency key, like any POST) on every build.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth !== false;
    const asked = method.toUpperCase();
    const wire = asked === 'GET' ? 'GET' : 'POST';
    const key = wire === 'POST' ? options.idempotencyKey ?? this.newKey() : undefined;
    const send = async (): Promise<HttpResponse> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (wire !== asked) headers['x-http-method-override'] = asked;
      if (key) headers['idempotency-key'] = key;
      if (auth) headers.authorization = `Bearer ${(await this.ensureSession()).token}`;
      return this.withRetries(() =>
        this.options.transport({
          method: wire,
          url: `${this.options.origin}${path}${queryString(options.query)}`,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        }),
      );
    };
    let res = await send();
    if (res.status === 401 && auth) {
      // The token expired (or the secret rotated): log in again without asking, then try once more with the same key.
      await this.silentLogin(true);
      res = await send();
    }
    const body = parseBody(res.body);
    if (res.status >= 200 && res.status < 300) return body as T;
    throw errorFrom(res.status, body);
  }

  /** Multipart photo upload with the visit's photo token (`POST /api/v1/visits/:id/photos`). */
  async uploadPhoto<T>(path: string, photo: Photo, extraHeaders: Record<string, string>): Promise<T> {
    return this.uploadFile<T>(path, photo, { field: 'photo', headers: extraHeaders });
  }

  /** Multipart upload of one file in `field`, with plain form fields (the customer import's `poolId`, `dryRun`). */
  async uploadFile<T>(path: string, file: Photo, form: { field: string; filename?: string; fields?: Record<string, string>; headers?: Record<string, string> }): Promise<T> {
    const key = this.newKey();
    const send = async () =>
      this.withRetries(async () => {
        try {
          return await this.options.upload({
            url: `${this.options.origin}${path}`,
            photo: file,
            field: form.field,
            filename: form.filename,
            fields: form.fields,
            headers: { ...form.headers, 'idempotency-key': key, authorization: `Bearer ${(await this.ensureSession()).token}` },
          });
        } catch (err) {
          throw err instanceof NetworkError ? err : new NetworkError(err);
        }
      });
    let res = await send();
    if (res.status === 401) {
      await this.silentLogin(true);
      res = await send();
    }
    const body = parseBody(res.body);
    if (res.status >= 200 && res.status < 300) return body as T;
    throw errorFrom(res.status, body);
  }

  /**
   * Downloads a file behind the JWT and hands it to the user (saved in a browser, opened in the WeCom viewer). A
   * refusal is an ApiError with the server's message, no answer a NetworkError; an expired token logs in again once.
   */
  async saveFile(path: string, file: { query?: RequestOptions['query']; filename: string; fileType: DocumentRequest['fileType'] }): Promise<void> {
    const save = this.options.saveDocument;
    if (!save) throw new Error('当前版本不支持下载文件');
    const send = async () =>
      save({
        url: `${this.options.origin}${path}${queryString(file.query)}`,
        headers: { authorization: `Bearer ${(await this.ensureSession()).token}` },
        filename: file.filename,
        fileType: file.fileType,
      });
    let res = await send();
    if (res.status === 401) {
      await this.silentLogin(true);
      res = await send();
    }
    if (res.status === 0) throw new NetworkError();
    if (res.status >= 200 && res.status < 300) return;
    throw errorFrom(res.status, parseBody(res.body));
  }

  /** Network failures and "the first try is still running" (409 request_in_progress) are retried with the same key. */
  private async withRetries(attempt: () => Promise<HttpResponse>): Promise<HttpResponse> {
    const retries = this.options.networkRetries ?? 2;
    for (let i = 0; ; i++) {
      try {
        const res = await attempt();
        if (res.status === 409 && i < retries && /"request_in_progress"/.test(res.body)) {
          await this.sleep(500 * (i + 1));
          continue;
        }
        return res;
      } catch (err) {
        if (!(err instanceof NetworkError) || i >= retries) throw err;
        await this.sleep(500 * 2 ** i);
      }
    }
  }

  /** One platform login at a time: parallel 401s share it. */
  private silentLogin(force = false): Promise<LoginResult> {
    if (!force && this.session) return Promise.resolve(this.session);
    if (force) this.setSession(null);
    this.relogin ??= (async () => {
      try {
        return await this.login(await this.options.loginCode());
      } finally {
        this.relogin = null;
      }
    })();
    return this.relogin;
  }

  private setSession(session: LoginResult | null): void {
    this.session = session;
    this.options.store.save(session);
    this.options.onSession?.(session);
  }
}
