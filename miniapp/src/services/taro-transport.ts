import Taro from '@tarojs/taro';
import { NetworkError } from './errors';
import type { HttpTransport, SessionStore } from './request';
import type { LoginResult } from './api-types';

/** HTTP through Taro.request (wx.request / dd.httpRequest / fetch on H5); answers of any status resolve. */
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
