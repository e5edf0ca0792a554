import gcoord from 'gcoord';
import { answer, recordUnknownReads, type CallbackOptions, type Navigation, type Phone } from './phone';

/** `wx.request`'s documented `method` values (upper case). PATCH is not among them. */
export const WX_HTTP_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT'] as const;

const PROBED = ['webpackJsonp', 'env', 'cloud', 'taroEventCenter', 'SDKVersion', 'then', 'toJSON', 'constructor'];

/** WeChat's fail payload: `errMsg` as `<api>:fail <reason>` (some APIs add an `errCode`). */
export interface WxError {
  errMsg: string;
  errCode?: number;
}

function refuse(api: string, reason: string, errCode?: number): Error {
  const wx: WxError = { errMsg: `${api}:fail ${reason}`, ...(errCode === undefined ? {} : { errCode }) };
  return Object.assign(new Error(wx.errMsg), { wx });
}

function wxAnswer(api: string, options: CallbackOptions | undefined, work: () => Promise<Record<string, unknown>>): void {
  answer(
    options,
    async () => ({ ...(await work()), errMsg: `${api}:ok` }),
    (err) => (err as Error & { wx?: WxError }).wx ?? { errMsg: `${api}:fail ${err.message}` },
  );
}

/**
 * The `wx` global of WeCom's mini-program logic layer (WeChat's API plus `wx.qy`), implemented on a Phone: `wx.qy.login`
 * codes from the WeCom sandbox (mini-program channel), `wx.request` with WeChat's method list and
 * `{ statusCode, data, header }`, storage by key, `getLocation` in the coordinate system asked for, the camera through
 * `chooseImage`, uploads with `name`/`header`, and the navigation and UI calls.
 */
export function createWxGlobal(phone: Phone, nav: Navigation): Record<string, unknown> {
  const wx: Record<string, unknown> = {
    qy: {
      login: (o: CallbackOptions) => wxAnswer('qy.login', o, async () => ({ code: await phone.mintLoginCode('wecom', { channel: 'miniprogram' }) })),
      openUserProfile: (o: CallbackOptions) => wxAnswer('qy.openUserProfile', o, async () => ({})),
      openEnterpriseChat: (o: CallbackOptions) => wxAnswer('qy.openEnterpriseChat', o, async () => ({})),
    },

    canIUse: () => true,

    request(o: CallbackOptions) {
      const method = String(o.method ?? 'GET').toUpperCase();
      const url = String(o.url ?? '');
      wxAnswer('request', o, async () => {
        if (!(WX_HTTP_METHODS as readonly string[]).includes(method)) {
          phone.refusals.push({ api: 'request', method, url, reason: 'method' });
          throw refuse('request', `parameter error: parameter.method should be one of ${WX_HTTP_METHODS.join(', ')}, but got ${method}`);
        }
        if (!phone.route(url)) {
          phone.refusals.push({ api: 'request', method, url, reason: 'domain' });
          throw refuse('request', `url not in domain list`);
        }
        const headers = Object.fromEntries(Object.entries((o.header as Record<string, string>) ?? {}).map(([k, v]) => [k, String(v)]));
        let target = url;
        let body: string | undefined;
        const data = o.data;
        if (method === 'GET' && data && typeof data === 'object') {
          const q = Object.entries(data as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
          if (q.length) target += (url.includes('?') ? '&' : '?') + q.join('&');
        } else if (method !== 'GET' && data !== undefined && data !== null) {
          body = typeof data === 'string' ? data : JSON.stringify(data);
        }
        let res;
        try {
          res = await phone.fetch(method, target, headers, body);
        } catch (err) {
          throw refuse('request', (err as Error).message);
        }
        const text = res.body.toString('utf8');
        let parsed: unknown = text;
        if ((o.dataType ?? 'json') === 'json') {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text; // WeChat hands back the text when it is not JSON
          }
        }
        return { statusCode: res.status, data: parsed, header: res.headers };
      });
    },

    getStorageSync: (key: string) => (phone.storage.has(key) ? phone.storage.get(key) : ''),
    setStorageSync: (key: string, data: unknown) => void phone.storage.set(key, data),
    removeStorageSync: (key: string) => void phone.storage.delete(key),
    clearStorageSync: () => phone.storage.clear(),
    getSystemInfoSync: () => systemInfo(),
    getSystemInfo: (o: CallbackOptions) => wxAnswer('getSystemInfo', o, async () => systemInfo()),
    getLaunchOptionsSync: () => ({ path: 'pages/map/index', query: {}, scene: 1001, referrerInfo: {} }),

    /** `type` 'wgs84' (the default) or 'gcj02'; WeCom gives no mock flag. */
    getLocation(o: CallbackOptions) {
      wxAnswer('getLocation', o, async () => {
        const f = phone.nextFix();
        let { lat, lng } = f;
        if (o.type !== 'gcj02') [lng, lat] = gcoord.transform([f.lng, f.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number];
        return { latitude: lat, longitude: lng, accuracy: f.accuracy, speed: 0, altitude: 0, verticalAccuracy: 0, horizontalAccuracy: f.accuracy };
      });
    },
    startWifi: (o: CallbackOptions) => wxAnswer('startWifi', o, async () => ({})),
    // On mobile data: WeChat's 12005 (Wi-Fi off). The app then sends no Wi-Fi.
    getConnectedWifi: (o: CallbackOptions) =>
      wxAnswer('getConnectedWifi', o, async () => {
        throw refuse('getConnectedWifi', 'wifi is disable', 12005);
      }),

    chooseImage(o: CallbackOptions) {
      wxAnswer('chooseImage', o, async () => {
        phone.ui.push({ api: 'chooseImage', text: JSON.stringify(o.sourceType ?? ['album', 'camera']) });
        const shot = phone.takePhoto('wxfile://');
        return { tempFilePaths: [shot.path], tempFiles: [{ path: shot.path, size: shot.size }] };
      });
    },
    uploadFile(o: CallbackOptions) {
      wxAnswer('uploadFile', o, async () => {
        const url = String(o.url);
        if (!phone.route(url)) {
          phone.refusals.push({ api: 'uploadFile', url, reason: 'domain' });
          throw refuse('uploadFile', 'url not in domain list');
        }
        const res = await phone.upload(url, String(o.filePath), String(o.name), (o.header as Record<string, string>) ?? {}, (o.formData as Record<string, unknown>) ?? {});
        return { data: res.body.toString('utf8'), statusCode: res.status };
      });
    },
    downloadFile(o: CallbackOptions) {
      wxAnswer('downloadFile', o, async () => {
        const res = await phone.fetch('GET', String(o.url), (o.header as Record<string, string>) ?? {});
        return { tempFilePath: phone.saveTemp(res.body, 'wxfile://', 'jpg'), statusCode: res.status };
      });
    },

    openLocation: (o: CallbackOptions) => wxAnswer('openLocation', o, async () => ({})),
    showToast: (o: CallbackOptions) => ui('showToast', o, o.title),
    hideToast: (o: CallbackOptions) => wxAnswer('hideToast', o, async () => ({})),
    showLoading: (o: CallbackOptions) => ui('showLoading', o, o.title),
    hideLoading: (o: CallbackOptions) => wxAnswer('hideLoading', o, async () => ({})),
    showModal: (o: CallbackOptions) => ui('showModal', o, `${String(o.title ?? '')} ${String(o.content ?? '')}`, { confirm: true, cancel: false }),
    setNavigationBarTitle: (o: CallbackOptions) => wxAnswer('setNavigationBarTitle', o, async () => ({})),
    stopPullDownRefresh: (o: CallbackOptions) => wxAnswer('stopPullDownRefresh', o, async () => ({})),

    navigateTo: (o: CallbackOptions) => wxAnswer('navigateTo', o, async () => (await nav.navigate('navigateTo', String(o.url)), {})),
    redirectTo: (o: CallbackOptions) => wxAnswer('redirectTo', o, async () => (await nav.navigate('redirectTo', String(o.url)), {})),
    switchTab: (o: CallbackOptions) => wxAnswer('switchTab', o, async () => (await nav.navigate('switchTab', String(o.url)), {})),
    reLaunch: (o: CallbackOptions) => wxAnswer('reLaunch', o, async () => (await nav.navigate('reLaunch', String(o.url)), {})),
    navigateBack: (o: CallbackOptions = {}) => wxAnswer('navigateBack', o, async () => (await nav.back(Number(o.delta ?? 1)), {})),
  };

  function ui(api: string, o: CallbackOptions, text: unknown, result: Record<string, unknown> = {}) {
    phone.ui.push({ api, text: String(text ?? '') });
    wxAnswer(api, o, async () => result);
  }

  return recordUnknownReads(wx, phone, PROBED);
}

function systemInfo() {
  return {
    platform: 'android',
    system: 'Android 13',
    model: 'Pixel 7',
    brand: 'google',
    version: '8.0.50',
    environment: 'wxwork',
    language: 'zh_CN',
    SDKVersion: '3.3.4',
    pixelRatio: 2,
    screenWidth: 375,
    screenHeight: 812,
    windowWidth: 375,
    windowHeight: 740,
    statusBarHeight: 24,
  };
}
