import type { VirtualTimers } from './virtual-timers';
import { answer, recordUnknownReads, type CallbackOptions, type Navigation, type Phone } from './phone';

/**
 * DingTalk's `dd.httpRequest` / `dd.request` take only these methods (its documentation's `method` row: 目前支持 GET、POST;
 * issue 17 item 3). Anything else fails before the network, with DingTalk's error shape `{ error, errorMessage }`.
 */
export const DD_HTTP_METHODS = ['GET', 'POST'] as const;

/** Properties Taro's runtime only probes for (feature detection), not APIs the app needs. */
const PROBED = ['webpackJsonp', 'env', 'cloud', 'taroEventCenter', 'SDKVersion', 'then', 'toJSON', 'constructor'];

/** DingTalk's fail payload: a numeric `error` and its text; error 19 (an HTTP answer outside 2xx) carries the answer too. */
export interface DdError {
  error: number;
  errorMessage: string;
  status?: number;
  data?: unknown;
  headers?: Record<string, string>;
}

const ddError = (error: number, errorMessage: string): DdError => ({ error, errorMessage });

/** A `{ success, fail }` answer whose failures are DingTalk-shaped (error 3: 未知错误, unless the error says otherwise). */
function ddAnswer(options: CallbackOptions | undefined, work: () => Promise<unknown>): void {
  answer(options, work, (err) => ((err as Error & { dd?: DdError }).dd ?? ddError(3, err.message)));
}

function refuse(dd: DdError): Error {
  return Object.assign(new Error(dd.errorMessage), { dd });
}

/**
 * The `dd` global of DingTalk's mini-program logic layer, implemented on a Phone: login codes from the sandbox, HTTP
 * with GET/POST only, storage with DingTalk's `{ key }` / `{ data }` shapes, GPS fixes (`getLocation`, and the
 * continuous `startLocating` that carries `isFromMock`), the camera, uploads with `fileName`/`fileType`/`header`, and
 * the navigation and UI calls. Shapes follow dingtalk-jsapi's `api/union/*.d.ts` and the DingTalk mini-program docs.
 */
export function createDdGlobal(phone: Phone, nav: Navigation, timers: VirtualTimers): Record<string, unknown> {
  const locating = new Map<string, number>();

  const http = (api: string) => (o: CallbackOptions) => {
    const method = String(o.method ?? 'GET').toUpperCase();
    const url = String(o.url ?? '');
    ddAnswer(o, async () => {
      if (!(DD_HTTP_METHODS as readonly string[]).includes(method)) {
        phone.refusals.push({ api, method, url, reason: 'method' });
        throw refuse(ddError(2, `参数错误：${api} 的 method 只支持 GET、POST，收到 ${method}`));
      }
      if (!phone.route(url)) {
        phone.refusals.push({ api, method, url, reason: 'domain' });
        throw refuse(ddError(11, `无权跨域：${url} 不在小程序的服务器域名白名单中`));
      }
      const headers = Object.fromEntries(Object.entries((o.headers as Record<string, string>) ?? {}).map(([k, v]) => [k, String(v)]));
      let target = url;
      let body: string | undefined;
      const data = o.data;
      if (method === 'GET' && data && typeof data === 'object') {
        const q = Object.entries(data as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
        if (q.length) target += (url.includes('?') ? '&' : '?') + q.join('&');
      } else if (method === 'POST' && data !== undefined && data !== null) {
        body = typeof data === 'string' ? data : JSON.stringify(data);
      }
      let res;
      try {
        res = await phone.fetch(method, target, headers, body);
      } catch (err) {
        throw refuse(ddError(12, `网络出错：${(err as Error).message}`));
      }
      const text = res.body.toString('utf8');
      const dataType = String(o.dataType ?? 'json');
      const ok = res.status >= 200 && res.status < 300;
      let parsed: unknown = text;
      if (dataType === 'json') {
        try {
          parsed = JSON.parse(text);
        } catch {
          if (ok) throw refuse(ddError(14, '解码失败：返回的不是 JSON'));
        }
      }
      // An answer outside 2xx goes to fail as error 19 「HTTP错误」 with its status, data and headers (the error-code
      // table of dd.httpRequest / my.request; Alipay's my.request FAQ reads the answer's status from the fail payload).
      if (!ok) throw refuse({ ...ddError(19, 'HTTP错误'), status: res.status, data: parsed, headers: res.headers });
      return { status: res.status, data: parsed, headers: res.headers };
    });
  };

  const fix = (extra: Record<string, unknown>) => {
    const f = phone.nextFix();
    return { ...f, ...extra };
  };

  const dd: Record<string, unknown> = {
    /** DingTalk tells a mini-program its company (`dd.corpId`). */
    corpId: phone.options.corpId,

    getAuthCode(o: CallbackOptions) {
      ddAnswer(o, async () => {
        if (o.corpId !== phone.options.corpId) throw refuse(ddError(3, `corpId ${String(o.corpId)} 不是当前企业`));
        return { authCode: await phone.mintLoginCode('dingtalk') };
      });
    },

    canIUse: (name: string) => typeof dd[String(name).split('.')[0]!] === 'function',
    httpRequest: http('httpRequest'),
    request: http('request'),

    getStorageSync: ({ key }: { key: string }) => ({ data: phone.storage.has(key) ? phone.storage.get(key) : null }),
    setStorageSync: ({ key, data }: { key: string; data: unknown }) => void phone.storage.set(key, data),
    removeStorageSync: ({ key }: { key: string }) => void phone.storage.delete(key),
    clearStorageSync: () => phone.storage.clear(),
    getStorage: (o: CallbackOptions) => ddAnswer(o, async () => ({ data: phone.storage.get(String(o.key)) ?? null })),
    setStorage: (o: CallbackOptions) => ddAnswer(o, async () => void phone.storage.set(String(o.key), o.data)),
    removeStorage: (o: CallbackOptions) => ddAnswer(o, async () => void phone.storage.delete(String(o.key))),

    getSystemInfoSync: () => systemInfo(),
    getSystemInfo: (o: CallbackOptions) => ddAnswer(o, async () => systemInfo()),

    /** One fix; the union type definition gives latitude, longitude and accuracy as strings. */
    getLocation(o: CallbackOptions) {
      ddAnswer(o, async () => {
        const f = fix({});
        return { latitude: String(f.lat), longitude: String(f.lng), accuracy: String(f.accuracy), address: '上海市黄浦区人民大道', province: '上海市', city: '上海市' };
      });
    },

    /** Continuous fixes every `callBackInterval` ms through `success`, with the Android-only `isFromMock`, until stopLocating. */
    startLocating(o: CallbackOptions) {
      const sceneId = String(o.sceneId ?? '');
      if (locating.has(sceneId)) {
        ddAnswer(o, async () => {
          throw refuse(ddError(3, `sceneId ${sceneId} 正在持续定位，不能重复开启`));
        });
        return;
      }
      const every = Math.max(Number(o.callBackInterval) || 1000, 1000);
      const reading = () => {
        const f = fix({});
        return {
          latitude: f.lat,
          longitude: f.lng,
          accuracy: f.accuracy,
          isFromMock: false,
          isGpsEnabled: true,
          isWifiEnabled: true,
          provider: 'gps',
          locationType: 1,
          netType: 'wifi',
          errorCode: 0,
          errorMessage: '',
        };
      };
      const g = timers.globals();
      const send = () => o.success?.(reading());
      g.setTimeout(send, 0);
      locating.set(sceneId, g.setInterval(send, every));
    },

    stopLocating(o: CallbackOptions) {
      const sceneId = String(o.sceneId ?? '');
      const id = locating.get(sceneId);
      if (id !== undefined) timers.globals().clearInterval(id);
      locating.delete(sceneId);
      ddAnswer(o, async () => ({ sceneId }));
    },

    chooseImage(o: CallbackOptions) {
      ddAnswer(o, async () => {
        phone.ui.push({ api: 'chooseImage', text: JSON.stringify(o.sourceType ?? ['camera', 'album']) });
        const shot = phone.takePhoto('https://resource/');
        return { filePaths: [shot.path], files: [{ path: shot.path, size: shot.size, fileType: 'image' }] };
      });
    },

    /** Multipart upload: `fileName` is the part's name, `header` the headers; answers `{ data, statusCode, header }`. */
    uploadFile(o: CallbackOptions) {
      ddAnswer(o, async () => {
        const url = String(o.url);
        if (!phone.route(url)) {
          phone.refusals.push({ api: 'uploadFile', url, reason: 'domain' });
          throw refuse(ddError(11, `无权跨域：${url}`));
        }
        if (o.fileType !== 'image') throw refuse(ddError(2, '参数错误：fileType 必填（image、video、audio）'));
        const res = await phone.upload(url, String(o.filePath), String(o.fileName), (o.header as Record<string, string>) ?? {}, (o.formData as Record<string, unknown>) ?? {});
        return { data: res.body.toString('utf8'), statusCode: String(res.status), header: res.headers };
      });
    },

    downloadFile(o: CallbackOptions) {
      ddAnswer(o, async () => {
        const res = await phone.fetch('GET', String(o.url), (o.header as Record<string, string>) ?? {});
        if (res.status < 200 || res.status >= 300) throw refuse(ddError(12, `下载失败：HTTP ${res.status}`));
        return { filePath: phone.saveTemp(res.body, 'https://resource/', 'image') };
      });
    },

    openLocation: (o: CallbackOptions) => ddAnswer(o, async () => ({})),
    showToast: (o: CallbackOptions) => ui('showToast', o, o.content),
    hideToast: (o: CallbackOptions) => ddAnswer(o, async () => ({})),
    showLoading: (o: CallbackOptions) => ui('showLoading', o, o.content),
    hideLoading: (o: CallbackOptions) => ddAnswer(o, async () => ({})),
    alert: (o: CallbackOptions) => ui('alert', o, `${String(o.title ?? '')} ${String(o.content ?? '')}`),
    confirm: (o: CallbackOptions) => ui('confirm', o, `${String(o.title ?? '')} ${String(o.content ?? '')}`, { confirm: true }),
    setNavigationBar: (o: CallbackOptions) => ddAnswer(o, async () => ({})),
    stopPullDownRefresh: (o: CallbackOptions) => ddAnswer(o, async () => ({})),

    navigateTo: (o: CallbackOptions) => ddAnswer(o, async () => (await nav.navigate('navigateTo', String(o.url)), {})),
    redirectTo: (o: CallbackOptions) => ddAnswer(o, async () => (await nav.navigate('redirectTo', String(o.url)), {})),
    switchTab: (o: CallbackOptions) => ddAnswer(o, async () => (await nav.navigate('switchTab', String(o.url)), {})),
    reLaunch: (o: CallbackOptions) => ddAnswer(o, async () => (await nav.navigate('reLaunch', String(o.url)), {})),
    navigateBack: (o: CallbackOptions = {}) => ddAnswer(o, async () => (await nav.back(Number(o.delta ?? 1)), {})),
  };

  function ui(api: string, o: CallbackOptions, text: unknown, result: Record<string, unknown> = {}) {
    phone.ui.push({ api, text: String(text ?? '') });
    ddAnswer(o, async () => result);
  }

  return recordUnknownReads(dd, phone, PROBED);
}

function systemInfo() {
  return {
    app: 'DINGTALK',
    platform: 'Android',
    system: '13',
    model: 'Pixel 7',
    brand: 'google',
    version: '7.6.0',
    language: 'zh-Hans',
    pixelRatio: 2,
    screenWidth: 375,
    screenHeight: 812,
    windowWidth: 375,
    windowHeight: 740,
    statusBarHeight: 24,
    titleBarHeight: 48,
  };
}
