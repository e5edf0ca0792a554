import { CLIENT_VERSION, takeFixes, type PlatformApi } from './platform';
import { locationFailure, vendorCall } from './vendor-call';

type Call = (options: Record<string, unknown>) => void;
/** WeChat's mini-program API with WeCom's `wx.qy`, declared only as wide as used here. */
interface WxGlobal {
  qy: { login: Call; openUserProfile: Call; openEnterpriseChat: Call; chooseMessageFile: Call };
  getLocation: Call;
  startWifi: Call;
  getConnectedWifi: Call;
  chooseImage: Call;
  uploadFile: Call;
  downloadFile: Call;
  openDocument: Call;
  openLocation: Call;
  getSystemInfoSync(): { platform?: string; system?: string; model?: string; version?: string };
  getLaunchOptionsSync?(): { query?: Record<string, string> };
}
declare const wx: WxGlobal;
/** The corp id built in (`WECOM_CORP_ID`); `wx.qy.login` returns only the code, the server needs the corp too. */
declare const WECOM_CORP_ID: string;

function corpId(): string {
  let fromLaunch: string | undefined;
  try {
    fromLaunch = wx.getLaunchOptionsSync?.().query?.corpId;
  } catch {
    // fall back to the built-in corp id
  }
  return fromLaunch || WECOM_CORP_ID;
}

/** WeCom mini-program (`taro build --type qywx`). */
export const qywxPlatform: PlatformApi = {
  name: 'qywx',

  async loginCode() {
    const res = await vendorCall<{ code: string }>(wx.qy.login);
    return { platform: 'wecom', corpId: corpId(), code: res.code, channel: 'miniprogram' };
  },

  async ready() {},

  async locate({ count = 3, intervalMs = 2000 } = {}) {
    try {
      return await takeFixes(async () => {
        // wx.getLocation has no mock flag in WeChat or WeCom: the server judges these fixes by the other signals.
        const r = await vendorCall<{ latitude: number; longitude: number; accuracy: number }>(wx.getLocation, { type: 'gcj02', isHighAccuracy: true, highAccuracyExpireTime: 4000 });
        return { lat: r.latitude, lng: r.longitude, accuracy: r.accuracy, coord: 'gcj02', ts: Date.now(), source: 'wx.getLocation' };
      }, count, intervalMs);
    } catch (err) {
      throw locationFailure(err);
    }
  },

  async connectedWifi() {
    try {
      await vendorCall(wx.startWifi);
      const r = await vendorCall<{ wifi?: { BSSID?: string; SSID?: string; signalStrength?: number } }>(wx.getConnectedWifi);
      return r.wifi?.BSSID ? [{ bssid: r.wifi.BSSID, ssid: r.wifi.SSID ?? '', signal: r.wifi.signalStrength }] : [];
    } catch {
      return [];
    }
  },

  device() {
    const info = wx.getSystemInfoSync();
    return { platform: 'wecom', os: info.system || info.platform || 'unknown', model: info.model || 'unknown', clientVersion: `${CLIENT_VERSION} wxwork/${info.version ?? ''}` };
  },

  async takePhoto() {
    // chooseImage, not chooseMedia: WeCom's mini-program runtime supports only the former (taro-toolchain reference).
    const r = await vendorCall<{ tempFilePaths: string[] }>(wx.chooseImage, { count: 1, sourceType: ['camera'], sizeType: ['compressed'] });
    const path = r.tempFilePaths?.[0];
    if (!path) throw new Error('没有拍到照片，请重试');
    return { path };
  },

  async chooseFile() {
    // wx.qy.chooseMessageFile, not wx.chooseMessageFile (which WeCom answers 暂不支持): a file from a WeCom chat, after
    // wx.qy.login (done at sign-in); phones only.
    const r = await vendorCall<{ tempFiles?: { path: string; name: string }[] }>(wx.qy.chooseMessageFile, { count: 1, type: 'file' });
    const file = r.tempFiles?.[0];
    if (!file) throw new Error('没有选择文件，请重试');
    return { path: file.path, name: file.name };
  },

  async upload({ url, photo, field, headers, fields }) {
    const r = await vendorCall<{ statusCode: number; data: string }>(wx.uploadFile, { url, filePath: photo.path, name: field, header: headers, formData: fields ?? {} });
    return { status: r.statusCode, body: r.data };
  },

  async download({ url, headers }) {
    const r = await vendorCall<{ statusCode: number; tempFilePath: string }>(wx.downloadFile, { url, header: headers });
    return { status: r.statusCode, path: r.statusCode >= 200 && r.statusCode < 300 ? r.tempFilePath : '' };
  },

  async saveDocument({ url, headers, fileType }) {
    let r: { statusCode: number; tempFilePath: string };
    try {
      r = await vendorCall<{ statusCode: number; tempFilePath: string }>(wx.downloadFile, { url, header: headers });
    } catch {
      return { status: 0, body: '' };
    }
    // A refusal's JSON lands in the temp file, which is not read here: the status alone gives the message.
    if (r.statusCode < 200 || r.statusCode >= 300) return { status: r.statusCode, body: '' };
    // wx.openDocument (supported in WeCom); showMenu (base library 2.11.0+) gives the menu to forward or save the sheet.
    try {
      await vendorCall(wx.openDocument, { filePath: r.tempFilePath, fileType, showMenu: true });
    } catch {
      throw new Error('表格已下载，但无法打开：请在电脑端或 H5 中导出');
    }
    return { status: r.statusCode, body: '' };
  },

  async openLocation({ lat, lng, name, address }) {
    await vendorCall(wx.openLocation, { latitude: lat, longitude: lng, name, address, scale: 16 });
  },

  async openChat(userId) {
    await vendorCall(wx.qy.openEnterpriseChat, { userIds: userId, groupName: '' });
  },

  async openProfile(userId) {
    await vendorCall(wx.qy.openUserProfile, { type: 1, userid: userId });
  },
};
