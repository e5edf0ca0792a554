import { CLIENT_VERSION, DemoLoginRequired, amapMarkerUrl, PlatformUnsupported, takeFixes, type JsapiSignature, type LocationFix, type PlatformApi } from './platform';
import { locationFailure } from './vendor-call';

/** Where the H5 page is running: inside DingTalk, inside WeCom, or in a plain browser (demo login via the sandbox). */
export type H5Host = 'dingtalk' | 'wecom' | 'browser';

export function detectHost(userAgent: string): H5Host {
  if (/DingTalk/i.test(userAgent)) return 'dingtalk';
  if (/wxwork/i.test(userAgent)) return 'wecom';
  return 'browser';
}

const host = (): H5Host => (typeof navigator === 'undefined' ? 'browser' : detectHost(navigator.userAgent));
const query = (name: string): string | null => new URLSearchParams(window.location.search).get(name);

/**
 * The corp id inside DingTalk/WeCom: from the app URL configured in the admin console (`?corpId=$CORPID$` for
 * DingTalk, `?corpId=…&agentId=…` for WeCom), remembered for later pages of the session.
 */
function remembered(name: 'corpId' | 'agentId'): string {
  const value = query(name) ?? sessionStorage.getItem(`gonghai.${name}`) ?? '';
  if (value) sessionStorage.setItem(`gonghai.${name}`, value);
  return value;
}

/** dingtalk-jsapi, declared only as wide as used; loaded only inside DingTalk so browsers never download it. */
interface DingTalkJsapi {
  config(options: Record<string, unknown>): void;
  ready(cb: () => void): void;
  error(cb: (err: unknown) => void): void;
  runtime: { permission: { requestAuthCode(o: { corpId: string }): Promise<{ code: string }> } };
  device: { geolocation: { get(o: Record<string, unknown>): Promise<{ latitude: number; longitude: number; accuracy: number; isFromMock?: boolean }> } };
  biz: {
    chat: { openSingleChat(o: { corpId: string; userId: string }): Promise<unknown> };
    util: { open(o: { name: string; params: Record<string, string> }): Promise<unknown> };
    map: { view(o: { latitude: number; longitude: number; title: string }): Promise<unknown> };
  };
}
const loadDingTalk = async (): Promise<DingTalkJsapi> => ((await import('dingtalk-jsapi')) as { default?: unknown }).default as DingTalkJsapi;

/** @wecom/jssdk, declared only as wide as used; loaded only inside WeCom. */
interface WeComJssdk {
  register(options: Record<string, unknown>): void;
  getLocation(o: { type: string }): Promise<{ latitude: number; longitude: number; accuracy: number }>;
  openEnterpriseChat(o: { userIds: string; groupName: string }): Promise<unknown>;
  openUserProfile(o: { type: number; userid: string }): Promise<unknown>;
  openLocation(o: { latitude: number; longitude: number; name: string; address: string; scale: number }): Promise<unknown>;
}
const loadWeCom = async (): Promise<WeComJssdk> => (await import('@wecom/jssdk')) as unknown as WeComJssdk;

const JS_API_LIST = ['device.geolocation.get', 'biz.chat.openSingleChat', 'biz.util.open', 'biz.map.view', 'getLocation', 'openEnterpriseChat', 'openUserProfile', 'openLocation'];

/** A WeCom OAuth code arrives once in the URL after the redirect; it must not be replayed on reload. */
function takeWeComCode(): string | null {
  const code = query('code');
  if (!code) return null;
  const url = new URL(window.location.href);
  url.searchParams.delete('code');
  url.searchParams.delete('state');
  window.history.replaceState(null, '', url.toString());
  return code;
}

function browserFix(): Promise<LocationFix> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('此浏览器不支持定位'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy, coord: 'wgs84', ts: p.timestamp || Date.now(), source: 'browser' }),
      (err) => reject(new Error(err.code === err.PERMISSION_DENIED ? 'permission denied' : err.message)),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 15000 },
    );
  });
}

/** Camera-only capture on the web: a file input with `capture`, which phones open straight in the camera. */
function cameraInput(): Promise<File> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'image/*';
    input.setAttribute('capture', 'environment');
    input.setAttribute('data-testid', 'camera-input');
    input.style.display = 'none';
    document.body.appendChild(input);
    const done = () => input.remove();
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      done();
      if (file) resolve(file);
      else reject(new Error('没有拍到照片，请重试'));
    });
    input.addEventListener('cancel', () => {
      done();
      reject(new Error('已取消拍照'));
    });
    input.click();
  });
}

/** How long a saved document's object URL lives: the browser has long taken the download by then. */
export const REVOKE_AFTER_MS = 60_000;

/** The H5 build: a browser, or the DingTalk / WeCom in-app browser through their JS-SDKs. */
export const h5Platform: PlatformApi = {
  name: 'h5',

  async loginCode() {
    const where = host();
    if (where === 'dingtalk') {
      const corpId = remembered('corpId');
      if (!corpId) throw new PlatformUnsupported('应用地址缺少 corpId 参数，请在钉钉开发者后台把首页地址设为 …?corpId=$CORPID$');
      const dd = await loadDingTalk();
      const { code } = await dd.runtime.permission.requestAuthCode({ corpId });
      // The H5 micro-app's 免登 code is the mini-program's kind, exchanged at the same API (dingtalk-api §1.3).
      return { platform: 'dingtalk', corpId, code, channel: 'miniprogram' };
    }
    if (where === 'wecom') {
      const corpId = remembered('corpId');
      const agentId = remembered('agentId');
      if (!corpId || !agentId) throw new PlatformUnsupported('应用地址缺少 corpId 或 agentId 参数，请在企业微信管理后台设置应用主页');
      const code = takeWeComCode();
      // An OAuth code, exchanged at auth/getuserinfo, not at the mini-program's jscode2session (wecom-api §2b).
      if (code) return { platform: 'wecom', corpId, code, channel: 'oauth' };
      // WeCom web login is an OAuth redirect that comes back with ?code=.
      const back = encodeURIComponent(window.location.href);
      window.location.href = `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${corpId}&redirect_uri=${back}&response_type=code&scope=snsapi_base&agentid=${agentId}#wechat_redirect`;
      return new Promise(() => undefined);
    }
    throw new DemoLoginRequired();
  },

  async ready(sign) {
    const where = host();
    if (where === 'browser') return;
    const signature: JsapiSignature = await sign(window.location.href.split('#')[0]!);
    if (where === 'dingtalk') {
      const dd = await loadDingTalk();
      await new Promise<void>((resolve, reject) => {
        dd.config({ agentId: signature.agentId, corpId: signature.corpId, timeStamp: signature.timestamp, nonceStr: signature.nonceStr, signature: signature.signature, type: 0, jsApiList: JS_API_LIST });
        dd.ready(resolve);
        dd.error(reject);
      });
      return;
    }
    const ww = await loadWeCom();
    ww.register({
      corpId: signature.corpId,
      agentId: signature.agentId,
      jsApiList: JS_API_LIST,
      getConfigSignature: async () => ({ timestamp: signature.timestamp, nonceStr: signature.nonceStr, signature: signature.signature }),
      getAgentConfigSignature: async () => ({ timestamp: signature.timestamp, nonceStr: signature.nonceStr, signature: signature.agentSignature ?? '' }),
    });
  },

  async locate({ count = 3, intervalMs = 2000 } = {}) {
    const where = host();
    const read = async (): Promise<LocationFix> => {
      if (where === 'dingtalk') {
        // device.geolocation.get carries `isFromMock` on Android (dingtalk-jsapi get.d.ts); iOS leaves it out.
        const dd = await loadDingTalk();
        const r = await dd.device.geolocation.get({ targetAccuracy: 200, coordinate: 1, withReGeocode: false, useCache: false });
        const isMock = typeof r.isFromMock === 'boolean' ? { isMock: r.isFromMock } : {};
        return { lat: r.latitude, lng: r.longitude, accuracy: r.accuracy, coord: 'gcj02', ts: Date.now(), source: 'dd.device.geolocation.get', ...isMock };
      }
      if (where === 'wecom') {
        // ww.getLocation has no mock flag (@wecom/jssdk types): the server judges WeCom fixes by the other signals.
        const ww = await loadWeCom();
        const r = await ww.getLocation({ type: 'gcj02' });
        return { lat: r.latitude, lng: r.longitude, accuracy: r.accuracy, coord: 'gcj02', ts: Date.now(), source: 'ww.getLocation' };
      }
      return browserFix();
    };
    try {
      return await takeFixes(read, count, intervalMs);
    } catch (err) {
      throw locationFailure(err);
    }
  },

  async connectedWifi() {
    // Browsers and the in-app web views expose no Wi-Fi details to pages.
    return [];
  },

  device() {
    const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
    const os = /Android [\d.]+/.exec(ua)?.[0] ?? /(iPhone|iPad) OS [\d_]+/.exec(ua)?.[0]?.replace(/_/g, '.') ?? (/Windows|Mac OS X|Linux/.exec(ua)?.[0] ?? '');
    return { platform: 'h5', os: os || 'unknown', model: host() === 'browser' ? 'browser' : `${host()}-webview`, clientVersion: CLIENT_VERSION };
  },

  async takePhoto() {
    const file = await cameraInput();
    return { path: URL.createObjectURL(file), file };
  },

  async chooseFile() {
    // The import page renders its own file input (a browser test fills it); nothing else picks documents on H5.
    throw new PlatformUnsupported('请在页面上的「选择文件」中选择表格');
  },

  async upload({ url, photo, field, headers, filename, fields }) {
    if (!photo.file) throw new Error(filename ? '文件已失效，请重新选择' : '照片已失效，请重新拍摄');
    const form = new FormData();
    for (const [k, v] of Object.entries(fields ?? {})) form.append(k, v);
    form.append(field, photo.file, filename ?? 'photo.jpg');
    const res = await fetch(url, { method: 'POST', headers, body: form });
    return { status: res.status, body: await res.text() };
  },

  async download({ url, headers }) {
    // An <img src> cannot carry the JWT: fetch with the header and show the bytes through an object URL.
    const res = await fetch(url, { headers });
    if (!res.ok) return { status: res.status, path: '' };
    return { status: res.status, path: URL.createObjectURL(await res.blob()) };
  },

  async saveDocument({ url, headers, filename }) {
    // A link to the file cannot carry the JWT either: fetch with the header, then click a temporary download link
    // on an object URL. The URL is released a minute later: revoked at once, some browsers fail the download.
    let res: Response;
    try {
      res = await fetch(url, { headers });
    } catch {
      return { status: 0, body: '' };
    }
    if (!res.ok) return { status: res.status, body: await res.text() };
    const href = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = href;
    link.download = filename;
    link.style.display = 'none';
    document.body.appendChild(link);
    try {
      link.click();
    } finally {
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), REVOKE_AFTER_MS);
    }
    return { status: res.status, body: '' };
  },

  async openLocation(target) {
    const where = host();
    if (where === 'dingtalk') await (await loadDingTalk()).biz.map.view({ latitude: target.lat, longitude: target.lng, title: target.name });
    else if (where === 'wecom') await (await loadWeCom()).openLocation({ latitude: target.lat, longitude: target.lng, name: target.name, address: target.address, scale: 16 });
    else window.open(amapMarkerUrl(target), '_blank', 'noopener');
  },

  async openChat(userId) {
    const where = host();
    if (where === 'dingtalk') await (await loadDingTalk()).biz.chat.openSingleChat({ corpId: remembered('corpId'), userId });
    else if (where === 'wecom') await (await loadWeCom()).openEnterpriseChat({ userIds: userId, groupName: '' });
    else throw new PlatformUnsupported('请在钉钉或企业微信中打开公海，才能发起聊天');
  },

  async openProfile(userId) {
    const where = host();
    if (where === 'dingtalk') await (await loadDingTalk()).biz.util.open({ name: 'profile', params: { id: userId, corpId: remembered('corpId') } });
    else if (where === 'wecom') await (await loadWeCom()).openUserProfile({ type: 1, userid: userId });
    else throw new PlatformUnsupported('请在钉钉或企业微信中打开公海，才能查看同事资料');
  },
};
