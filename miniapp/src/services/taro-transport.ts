import Taro from '@tarojs/taro';
import { NetworkError } from './errors';
import type { HttpResponse, HttpTransport, SessionStore } from './request';
import type { LoginResult } from './api-types';

/**
 * The server's answer inside a platform failure, or null when none arrived. DingTalk's `dd.httpRequest` (like Alipay's
 * `my.request`) hands a non-2xx answer to `fail`, as error 19 「HTTP错误」 with the answer's `status`, `data` and
 * `headers` (Alipay's my.request FAQ: 「查看 status 的 HTTP 状态码」), and Taro's alipay runtime rejects with that payload
 * unchanged (`request` in @tarojs/plugin-platform-alipay/dist/runtime-utils.js). Such a failure is an answer: a refused
 * claim must show the server's message, not 「网络连接失败」. Failures without an HTTP status never reached the server.
 */
function answerInFailure(err: unknown): HttpResponse | null {
  if (err === null || typeof err !== 'object') return null;
  const { status, data } = err as { status?: unknown; data?: unknown };
  const code = typeof status === 'number' ? status : typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : NaN;
  if (!Number.isInteger(code) || code < 300 || code > 599) return null;
  return { status: code, body: typeof data === 'string' ? data : data === undefined || data === null ? '' : JSON.stringify(data) };
}

/** HTTP through Taro.request (wx.request / dd.httpRequest / fetch on H5); answers of any status resolve, DingTalk's failed ones too. */
export const taroTransport: HttpTransport = async ({ method, url, headers, body }) => {
  try {
    const res = await Taro.request<string>({
      url,
      method: method as 'GET',
      header: headers,
      data: body,
      dataType: 'text',
      responseType: 'text',
      timeout: 20000,
    });
    return { status: res.statusCode, body: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) };
  } catch (err) {
    const answer = answerInFailure(err);
    if (answer) return answer;
    throw new NetworkError(err);
  }
};

const KEY = 'gonghai.session';

/** The session in Taro storage (localStorage on H5), so a reload stays signed in. */
export const taroSessionStore: SessionStore = {
  load() {
    try {
      const raw = Taro.getStorageSync(KEY) as string;
      return raw ? (JSON.parse(raw) as LoginResult) : null;
    } catch {
      return null;
    }
  },
  save(session) {
    if (session) Taro.setStorageSync(KEY, JSON.stringify(session));
    else Taro.removeStorageSync(KEY);
  },
};
