import { CLIENT_VERSION, PlatformUnsupported, takeFixes, type LocationFix, type PlatformApi } from './platform';
import { locationFailure, vendorCall, VendorError } from './vendor-call';

type Call = (options: Record<string, unknown>) => void;
/** DingTalk's mini-program API, declared only as wide as used here. */
interface DdGlobal {
  getAuthCode: Call;
  getLocation: Call;
  /** DingTalk ≥ 6.0.0: calls `success` for every fix until `stopLocating` with the same `sceneId`. */
  startLocating?: Call;
  stopLocating?: Call;
  getConnectedWifi?: Call;
  chooseImage: Call;
  uploadFile: Call;
  downloadFile: Call;
  openLocation: Call;
  openChatByUserId?: Call;
  getSystemInfoSync(): { platform?: string; system?: string; model?: string; version?: string };
  getLaunchOptionsSync?(): { query?: Record<string, string> };
  /** The corp the mini-program was opened in (企业内部应用); set by DingTalk at launch. */
  corpId?: string;
}
declare const dd: DdGlobal;
/** The corp id built in (`DD_CORP_ID`): the demo's, or '' in a release build, where DingTalk's launch gives it. */
declare const DD_CORP_ID: string;

/** The corp the app runs in: DingTalk's `dd.corpId`, else the launch query (`?corpId=$CORPID$`), else the build's. */
function corpId(): string {
  let fromLaunch: string | undefined;
  try {
    fromLaunch = dd.corpId || dd.getLaunchOptionsSync?.().query?.corpId;
  } catch {
    // older clients: fall back to the built-in corp id
  }
  const id = fromLaunch || DD_CORP_ID;
  if (!id) throw new Error('无法确定当前企业：请在钉钉的企业工作台里打开本应用');
  return id;
}

/** `dd.getLocation`'s result (jsapi-get-location): strings, and no mock flag. */
interface DdLocation {
  latitude: number | string;
  longitude: number | string;
  accuracy: number | string;
}

/** One `dd.startLocating` callback (jsapi-start-locating): `isFromMock` on Android only; errors come as `errorCode`. */
interface DdLocating {
  latitude?: number;
  longitude?: number;
  accuracy?: number;
  isFromMock?: boolean;
  errorCode?: number;
  errorMessage?: string;
}

/** How long a check-in waits for the fixes before saying so: GPS indoors can take this long, longer is a hang. */
const LOCATE_TIMEOUT_MS = 20_000;
let scenes = 0;

/**
 * Fixes from DingTalk's continuous location, the one mini-program API whose result says whether a fix is mocked
 * (`dd.getLocation` has no such field). `success` fires for each fix, `callBackInterval` apart; locating stops after
 * `count` fixes, on a failure, or at the time-out — which answers with the fixes taken so far, if any: iOS calls back
 * only when the phone moves by `iOSDistanceFilter`, so a rep standing still may get fewer.
 */
function startLocatingFixes(count: number, intervalMs: number, timeoutMs: number): Promise<LocationFix[]> {
  const sceneId = `gonghai-${Date.now().toString(36)}-${++scenes}`;
  return new Promise((resolve, reject) => {
    const fixes: LocationFix[] = [];
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Stopping is best effort: a failed stop must not turn fixes already taken into a failure.
      try {
        dd.stopLocating?.({ sceneId, success: () => undefined, fail: () => undefined });
      } catch {
        // nothing to undo
      }
      if (err && fixes.length === 0) reject(err);
      else resolve(fixes);
    };
    const timer = setTimeout(() => finish(new VendorError('定位超时', 14)), timeoutMs);
    try {
      dd.startLocating!({
        sceneId,
        targetAccuracy: 200,
        iOSDistanceFilter: 1,
        useCache: false,
        withReGeocode: false,
        // DingTalk wants at least a second between callbacks.
        callBackInterval: Math.max(1000, intervalMs),
        success: (r: DdLocating) => {
          if (done) return;
          if (typeof r.latitude !== 'number' || typeof r.longitude !== 'number') {
            finish(new VendorError(r.errorMessage || '定位失败', r.errorCode));
            return;
          }
          fixes.push({
            lat: r.latitude,
            lng: r.longitude,
            accuracy: Number(r.accuracy),
            coord: 'gcj02',
            ts: Date.now(),
            source: 'dd.startLocating',
            ...(typeof r.isFromMock === 'boolean' ? { isMock: r.isFromMock } : {}),
          });
          if (fixes.length >= count) finish();
        },
        fail: (e: { errorMessage?: string; error?: number } | undefined) => finish(new VendorError(e?.errorMessage ?? '定位失败', e?.error)),
      });
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
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

  async locate({ count = 3, intervalMs = 2000, timeoutMs = LOCATE_TIMEOUT_MS } = {}) {
    try {
      if (typeof dd.startLocating === 'function') return await startLocatingFixes(count, intervalMs, timeoutMs);
      // Clients older than startLocating: single readings, which say nothing about mocking (the source tells the server).
      return await takeFixes(async () => {
        // type 0: coordinates only; cacheTimeout 1 s so each fix is a new reading, not the cached one.
        const r = await vendorCall<DdLocation>(dd.getLocation, { type: 0, cacheTimeout: 1 });
        return { lat: Number(r.latitude), lng: Number(r.longitude), accuracy: Number(r.accuracy), coord: 'gcj02', ts: Date.now(), source: 'dd.getLocation' };
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
    // DingTalk's `system` is the bare version ("13", "16.1.1"); the OS name is in `platform`. The server needs both to
    // know whether the fixes carry a mock flag (Android only).
    const name = info.platform ?? '';
    const version = info.system ?? '';
    const os = name && version && !version.toLowerCase().includes(name.toLowerCase()) ? `${name} ${version}` : version || name || 'unknown';
    return { platform: 'dingtalk', os, model: info.model || 'unknown', clientVersion: `${CLIENT_VERSION} dd/${info.version ?? ''}` };
  },

  async takePhoto() {
    const r = await vendorCall<{ filePaths?: string[]; apFilePaths?: string[] }>(dd.chooseImage, { count: 1, sourceType: ['camera'] });
    const path = r.filePaths?.[0] ?? r.apFilePaths?.[0];
    if (!path) throw new Error('没有拍到照片，请重试');
    return { path };
  },

  async chooseFile() {
    throw new PlatformUnsupported('钉钉小程序不能选择表格文件：请在电脑端或 H5 中导入');
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

  async saveDocument() {
    // dd.downloadFile saves a file, but DingTalk's mini-program documents no API that opens or shares a spreadsheet
    // (biz.util.openDocument belongs to the H5 JS-API), so the file would be unreachable.
    throw new PlatformUnsupported('钉钉小程序不能打开表格文件：请在电脑端或 H5 中导出');
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
