import { CLIENT_VERSION, PlatformUnsupported, takeFixes, type PlatformApi } from './platform';
import { locationFailure, vendorCall } from './vendor-call';

type Call = (options: Record<string, unknown>) => void;
/** DingTalk's mini-program API, declared only as wide as used here. */
interface DdGlobal {
  getAuthCode: Call;
  getLocation: Call;
  getConnectedWifi?: Call;
  chooseImage: Call;
  uploadFile: Call;
  downloadFile: Call;
  openLocation: Call;
  openChatByUserId?: Call;
  getSystemInfoSync(): { platform?: string; system?: string; model?: string; version?: string };
  getLaunchOptionsSync?(): { query?: Record<string, string> };
}
declare const dd: DdGlobal;
/** The corp id built in (`DD_CORP_ID`), used when DingTalk's launch URL carries none (`?corpId=$CORPID$`). */
declare const DD_CORP_ID: string;

function corpId(): string {
  let fromLaunch: string | undefined;
  try {
    fromLaunch = dd.getLaunchOptionsSync?.().query?.corpId;
  } catch {
    // older clients: fall back to the built-in corp id
  }
  return fromLaunch || DD_CORP_ID;
}

interface DdLocation {
  latitude: number | string;
  longitude: number | string;
  accuracy: number | string;
  isFromMock?: boolean;
}

/** DingTalk mini-program (`taro build --type dd`). */
export const ddPlatform: PlatformApi = {
  name: 'dd',

  async loginCode() {
    const id = corpId();
    const res = await vendorCall<{ authCode: string }>(dd.getAuthCode, { corpId: id });
    return { platform: 'dingtalk', corpId: id, code: res.authCode, channel: 'miniprogram' };
  },

  async ready() {},

  async locate({ count = 3, intervalMs = 2000 } = {}) {
    try {
      return await takeFixes(async () => {
        // type 0: coordinates only; cacheTimeout 1 s so each fix is a new reading, not the cached one.
        const r = await vendorCall<DdLocation>(dd.getLocation, { type: 0, cacheTimeout: 1 });
        return {
          lat: Number(r.latitude),
          lng: Number(r.longitude),
          accuracy: Number(r.accuracy),
          coord: 'gcj02',
          ts: Date.now(),
          ...(r.isFromMock === undefined ? {} : { isMock: r.isFromMock }),
        };
      }, count, intervalMs);
    } catch (err) {
      throw locationFailure(err);
    }
  },

  async connectedWifi() {
    try {
      const r = await vendorCall<{ wifi?: { BSSID?: string; SSID?: string; signalStrength?: number } }>(dd.getConnectedWifi);
      return r.wifi?.BSSID ? [{ bssid: r.wifi.BSSID, ssid: r.wifi.SSID ?? '', signal: r.wifi.signalStrength }] : [];
    } catch {
      return [];
    }
  },

  device() {
    const info = dd.getSystemInfoSync();
    return { platform: 'dingtalk', os: info.system || info.platform || 'unknown', model: info.model || 'unknown', clientVersion: `${CLIENT_VERSION} dd/${info.version ?? ''}` };
  },

  async takePhoto() {
    const r = await vendorCall<{ filePaths?: string[]; apFilePaths?: string[] }>(dd.chooseImage, { count: 1, sourceType: ['camera'] });
    const path = r.filePaths?.[0] ?? r.apFilePaths?.[0];
    if (!path) throw new Error('没有拍到照片，请重试');
    return { path };
  },

  async upload({ url, photo, field, headers }) {
    // DingTalk's uploadFile names the part `fileName` and needs the file type.
    const r = await vendorCall<{ statusCode?: number; status?: number; data: string }>(dd.uploadFile, {
      url,
      filePath: photo.path,
      fileName: field,
      fileType: 'image',
      header: headers,
    });
    return { status: Number(r.statusCode ?? r.status ?? 200), body: r.data };
  },

  async download({ url, headers }) {
    // DingTalk answers only with the saved path and reports no HTTP status on failure (status 0 then).
    try {
      const r = await vendorCall<{ filePath?: string; apFilePath?: string }>(dd.downloadFile, { url, header: headers });
      return { status: 200, path: r.filePath ?? r.apFilePath ?? '' };
    } catch {
      return { status: 0, path: '' };
    }
  },

  async openLocation({ lat, lng, name, address }) {
    await vendorCall(dd.openLocation, { latitude: String(lat), longitude: String(lng), name, address });
  },

  async openChat(userId) {
    await vendorCall(dd.openChatByUserId, { corpId: corpId(), userId });
  },

  async openProfile(userId) {
    // DingTalk mini-programs document no profile page for a colleague; the chat shows their card in one tap.
    if (!dd.openChatByUserId) throw new PlatformUnsupported('当前钉钉版本不支持打开同事资料');
    await vendorCall(dd.openChatByUserId, { corpId: corpId(), userId });
  },
};
