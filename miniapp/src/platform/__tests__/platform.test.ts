import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ddPlatform } from '../dd';
import { REVOKE_AFTER_MS, detectHost, h5Platform } from '../h5';
import { DemoLoginRequired, PlatformUnsupported, amapMarkerUrl, type PlatformApi } from '../platform';
import { qywxPlatform } from '../qywx';

/** Every member of PlatformApi; the type below fails to compile when the interface gains one this list lacks. */
const MEMBERS = ['name', 'loginCode', 'ready', 'locate', 'connectedWifi', 'device', 'takePhoto', 'upload', 'chooseFile', 'download', 'saveDocument', 'openLocation', 'openChat', 'openProfile'] as const;
type Missing = Exclude<keyof PlatformApi, (typeof MEMBERS)[number]>;
const complete: [Missing] extends [never] ? true : false = true;

/** A vendor global (`dd` / `wx`) that answers like the real one and records each call's options. */
function scripted(answers: Record<string, (options: Record<string, unknown>) => unknown>) {
  const calls: { api: string; options: Record<string, unknown> }[] = [];
  const api: Record<string, unknown> = {};
  for (const [name, answer] of Object.entries(answers)) {
    api[name] = (options: { success: (r: unknown) => void; fail: (e: unknown) => void } & Record<string, unknown>) => {
      const { success, fail, ...rest } = options;
      calls.push({ api: name, options: rest });
      try {
        success(answer(rest));
      } catch (err) {
        fail(err);
      }
    };
  }
  return { api, calls };
}

const g = globalThis as Record<string, unknown>;

describe('the platform seam', () => {
  afterEach(() => {
    delete g.dd;
    delete g.wx;
    delete g.DD_CORP_ID;
    delete g.WECOM_CORP_ID;
  });

  it.each([
    ['dd', ddPlatform],
    ['qywx', qywxPlatform],
    ['h5', h5Platform],
  ] as const)('%s implements exactly the PlatformApi members, each a function but its name', (name, impl) => {
    expect(complete).toBe(true);
    expect(Object.keys(impl).sort()).toEqual([...MEMBERS].sort());
    expect(impl.name).toBe(name);
    for (const m of MEMBERS.filter((m) => m !== 'name')) expect(typeof impl[m]).toBe('function');
  });

  describe('DingTalk (dd)', () => {
    it('asks dd.getAuthCode for a code with the corp id from the launch URL', async () => {
      const { api, calls } = scripted({ getAuthCode: () => ({ authCode: 'code-1' }) });
      g.dd = { ...api, getLaunchOptionsSync: () => ({ query: { corpId: 'dingcorp9' } }) };
      g.DD_CORP_ID = 'dingdemo';
      expect(await ddPlatform.loginCode()).toEqual({ platform: 'dingtalk', corpId: 'dingcorp9', code: 'code-1', channel: 'miniprogram' });
      expect(calls).toEqual([{ api: 'getAuthCode', options: { corpId: 'dingcorp9' } }]);
    });

    it('falls back to the built-in corp id when the launch URL has none', async () => {
      const { api } = scripted({ getAuthCode: () => ({ authCode: 'code-2' }) });
      g.dd = { ...api, getLaunchOptionsSync: () => ({ query: {} }) };
      g.DD_CORP_ID = 'dingdemo';
      expect(await ddPlatform.loginCode()).toEqual({ platform: 'dingtalk', corpId: 'dingdemo', code: 'code-2', channel: 'miniprogram' });
    });

    it('takes the corp DingTalk launched the app in (dd.corpId) over the launch URL and the build', async () => {
      const { api, calls } = scripted({ getAuthCode: () => ({ authCode: 'code-3' }) });
      g.dd = { ...api, corpId: 'dingrealcorp', getLaunchOptionsSync: () => ({ query: { corpId: 'dingcorp9' } }) };
      g.DD_CORP_ID = 'dingdemo';
      expect(await ddPlatform.loginCode()).toEqual({ platform: 'dingtalk', corpId: 'dingrealcorp', code: 'code-3', channel: 'miniprogram' });
      expect(calls).toEqual([{ api: 'getAuthCode', options: { corpId: 'dingrealcorp' } }]);
    });

    it('a release build (no built-in corp) opened outside a corp says so instead of logging in nowhere', async () => {
      const { api, calls } = scripted({ getAuthCode: () => ({ authCode: 'code-4' }) });
      g.dd = { ...api, getLaunchOptionsSync: () => ({ query: {} }) };
      g.DD_CORP_ID = '';
      await expect(ddPlatform.loginCode()).rejects.toThrow('无法确定当前企业：请在钉钉的企业工作台里打开本应用');
      expect(calls).toEqual([]);
    });

    /**
     * DingTalk's continuous location as documented (jsapi-start-locating): `success` fires once per fix until
     * `stopLocating` with the same sceneId; on a real phone the callbacks come `callBackInterval` apart.
     */
    function locating(readings: Record<string, unknown>[], failWith?: unknown) {
      const started: Record<string, unknown>[] = [];
      const stopped: unknown[] = [];
      const startLocating = (options: { success: (r: unknown) => void; fail: (e: unknown) => void } & Record<string, unknown>) => {
        const { success, fail, ...rest } = options;
        started.push(rest);
        if (failWith !== undefined) {
          setTimeout(() => fail(failWith), 0);
          return;
        }
        let i = 0;
        const tick = () => {
          if (stopped.includes(rest.sceneId) || i >= readings.length) return;
          success(readings[i++]);
          setTimeout(tick, 0);
        };
        setTimeout(tick, 0);
      };
      const stopLocating = (options: { sceneId: string; success: (r: unknown) => void }) => {
        stopped.push(options.sceneId);
        options.success({ sceneId: options.sceneId });
      };
      return { api: { startLocating, stopLocating }, started, stopped };
    }

    it('takes fixes through dd.startLocating, passes on its Android isFromMock, and stops locating after them', async () => {
      const { api, started, stopped } = locating([
        { latitude: 31.2304, longitude: 121.4737, accuracy: 25, isFromMock: false, provider: 'gps', errorCode: 0 },
        { latitude: 31.23041, longitude: 121.47372, accuracy: 18, isFromMock: true, provider: 'gps', errorCode: 0 },
        { latitude: 31.23043, longitude: 121.47371, accuracy: 16, isFromMock: false, provider: 'gps', errorCode: 0 },
      ]);
      const fallback = scripted({ getLocation: () => ({ latitude: '1', longitude: '1', accuracy: '1' }) });
      g.dd = { ...fallback.api, ...api };
      const fixes = await ddPlatform.locate({ count: 2, intervalMs: 1500 });
      expect(fixes.map(({ ts: _ts, ...f }) => f)).toEqual([
        { lat: 31.2304, lng: 121.4737, accuracy: 25, coord: 'gcj02', source: 'dd.startLocating', isMock: false },
        { lat: 31.23041, lng: 121.47372, accuracy: 18, coord: 'gcj02', source: 'dd.startLocating', isMock: true },
      ]);
      expect(started).toEqual([{ sceneId: expect.stringMatching(/^gonghai-/), targetAccuracy: 200, iOSDistanceFilter: 1, useCache: false, withReGeocode: false, callBackInterval: 1500 }]);
      expect(stopped).toEqual([started[0]!.sceneId]);
      expect(fallback.calls).toEqual([]);
      // A second check-in starts a scene of its own (DingTalk refuses to start the same sceneId twice).
      await ddPlatform.locate({ count: 1 });
      expect(started[1]!.sceneId).not.toBe(started[0]!.sceneId);
    });

    it('leaves the mock flag out where DingTalk gives none (iOS), never guessing false', async () => {
      const { api } = locating([{ latitude: 31.2304, longitude: 121.4737, accuracy: 65, errorCode: 0 }]);
      g.dd = api;
      const [fix] = await ddPlatform.locate({ count: 1 });
      expect(fix).toEqual({ lat: 31.2304, lng: 121.4737, accuracy: 65, coord: 'gcj02', ts: expect.any(Number), source: 'dd.startLocating' });
    });

    it('falls back to dd.getLocation on clients without startLocating: no mock flag, and the source says so', async () => {
      const readings = [
        { latitude: '31.2304', longitude: '121.4737', accuracy: '25' },
        { latitude: 31.23041, longitude: 121.47372, accuracy: 18 },
      ];
      const { api, calls } = scripted({ getLocation: () => readings.shift() });
      g.dd = api;
      const fixes = await ddPlatform.locate({ count: 2, intervalMs: 0 });
      expect(fixes.map(({ ts: _ts, ...f }) => f)).toEqual([
        { lat: 31.2304, lng: 121.4737, accuracy: 25, coord: 'gcj02', source: 'dd.getLocation' },
        { lat: 31.23041, lng: 121.47372, accuracy: 18, coord: 'gcj02', source: 'dd.getLocation' },
      ]);
      expect(calls.map((c) => c.options)).toEqual([{ type: 0, cacheTimeout: 1 }, { type: 0, cacheTimeout: 1 }]);
    });

    it('does not hang when no fix comes: stops locating at the time-out and tells the rep what to do', async () => {
      const { api, stopped } = locating([]);
      g.dd = api;
      await expect(ddPlatform.locate({ count: 1, timeoutMs: 20 })).rejects.toThrow('无法获取位置：定位超时。请到室外或窗边重试');
      expect(stopped).toHaveLength(1);
    });

    it('answers with the fixes taken when the time-out comes after the first (iOS calls back only on movement)', async () => {
      const { api, stopped } = locating([{ latitude: 31.2304, longitude: 121.4737, accuracy: 12.5, errorCode: 0 }]);
      g.dd = api;
      const fixes = await ddPlatform.locate({ count: 3, timeoutMs: 30 });
      expect(fixes.map((f) => f.accuracy)).toEqual([12.5]);
      expect(stopped).toHaveLength(1);
    });

    it('turns a refused permission from startLocating into what the rep should do, and stops locating', async () => {
      const { api, stopped } = locating([], { error: 11, errorMessage: '用户拒绝授权' });
      g.dd = api;
      await expect(ddPlatform.locate({ count: 1 })).rejects.toThrow('无法获取位置：请在手机设置中允许本应用使用定位，然后重试');
      expect(stopped).toHaveLength(1);
    });

    it('turns a refused location permission into what the rep should do', async () => {
      const { api } = scripted({
        getLocation: () => {
          throw { error: 11, errorMessage: '用户拒绝授权' };
        },
      });
      g.dd = api;
      await expect(ddPlatform.locate({ count: 1 })).rejects.toThrow('无法获取位置：请在手机设置中允许本应用使用定位，然后重试');
    });

    it('names the OS with its version, as the server needs to tell Android (which has the mock flag) from iOS', () => {
      g.dd = { getSystemInfoSync: () => ({ platform: 'Android', system: '13', model: 'Pixel 7', version: '7.6.0' }) };
      expect(ddPlatform.device()).toEqual({ platform: 'dingtalk', os: 'Android 13', model: 'Pixel 7', clientVersion: '0.1.0 dd/7.6.0' });
      g.dd = { getSystemInfoSync: () => ({ platform: 'iOS', system: '16.1.1', model: 'iPhone13,2', version: '7.0.1' }) };
      expect(ddPlatform.device().os).toBe('iOS 16.1.1');
      g.dd = { getSystemInfoSync: () => ({ platform: 'Android', system: 'Android 14' }) };
      expect(ddPlatform.device().os).toBe('Android 14');
    });

    it('opens the camera only, never the album', async () => {
      const { api, calls } = scripted({ chooseImage: () => ({ filePaths: ['temp://a.jpg'] }) });
      g.dd = api;
      expect(await ddPlatform.takePhoto()).toEqual({ path: 'temp://a.jpg' });
      expect(calls).toEqual([{ api: 'chooseImage', options: { count: 1, sourceType: ['camera'] } }]);
    });

    it('uploads with DingTalk\'s fileName/fileType fields and reads Wi-Fi where the client has the API', async () => {
      const { api, calls } = scripted({
        uploadFile: () => ({ statusCode: 201, data: '{"photo":{}}' }),
        getConnectedWifi: () => ({ wifi: { BSSID: 'aa:bb:cc:dd:ee:ff', SSID: '客户WiFi', signalStrength: -40 } }),
      });
      g.dd = api;
      const res = await ddPlatform.upload({ url: 'http://x/api/v1/visits/1/photos', photo: { path: 'temp://a.jpg' }, field: 'photo', headers: { 'x-photo-token': 't' } });
      expect(res).toEqual({ status: 201, body: '{"photo":{}}' });
      expect(calls[0]).toEqual({
        api: 'uploadFile',
        options: { url: 'http://x/api/v1/visits/1/photos', filePath: 'temp://a.jpg', fileName: 'photo', fileType: 'image', header: { 'x-photo-token': 't' } },
      });
      expect(await ddPlatform.connectedWifi()).toEqual([{ bssid: 'aa:bb:cc:dd:ee:ff', ssid: '客户WiFi', signal: -40 }]);
      g.dd = {};
      expect(await ddPlatform.connectedWifi()).toEqual([]);
    });

    it('downloads a photo with the JWT header and opens the built-in map at the customer', async () => {
      const { api, calls } = scripted({ downloadFile: () => ({ filePath: 'dd://photo-7.jpg' }), openLocation: () => ({}) });
      g.dd = api;
      expect(await ddPlatform.download({ url: 'http://x/api/v1/photos/7', headers: { authorization: 'Bearer t' } })).toEqual({ status: 200, path: 'dd://photo-7.jpg' });
      await ddPlatform.openLocation({ lat: 31.2304, lng: 121.4737, name: '人民广场店', address: '黄浦区人民大道 1 号' });
      expect(calls).toEqual([
        { api: 'downloadFile', options: { url: 'http://x/api/v1/photos/7', header: { authorization: 'Bearer t' } } },
        { api: 'openLocation', options: { latitude: '31.2304', longitude: '121.4737', name: '人民广场店', address: '黄浦区人民大道 1 号' } },
      ]);
    });

    it('reports a failed download as status 0 with no path (DingTalk gives no HTTP status)', async () => {
      const { api } = scripted({
        downloadFile: () => {
          throw { error: 12, errorMessage: '下载失败' };
        },
      });
      g.dd = api;
      expect(await ddPlatform.download({ url: 'http://x/api/v1/photos/7', headers: {} })).toEqual({ status: 0, path: '' });
    });
  });

  describe('WeCom (qywx)', () => {
    it('logs in with wx.qy.login and the built-in corp id', async () => {
      const { api, calls } = scripted({ login: () => ({ code: 'qy-code' }) });
      g.wx = { qy: api };
      g.WECOM_CORP_ID = 'wwdemo';
      expect(await qywxPlatform.loginCode()).toEqual({ platform: 'wecom', corpId: 'wwdemo', code: 'qy-code', channel: 'miniprogram' });
      expect(calls).toEqual([{ api: 'login', options: {} }]);
    });

    it('takes GCJ-02 fixes with wx.getLocation, which has no mock flag: the source says so', async () => {
      const { api, calls } = scripted({ getLocation: () => ({ latitude: 31.2304, longitude: 121.4737, accuracy: 30, speed: 0, altitude: 0 }) });
      g.wx = { qy: {}, ...api };
      const [fix] = await qywxPlatform.locate({ count: 1 });
      expect(fix).toEqual({ lat: 31.2304, lng: 121.4737, accuracy: 30, coord: 'gcj02', ts: expect.any(Number), source: 'wx.getLocation' });
      expect(calls[0]!.options).toEqual({ type: 'gcj02', isHighAccuracy: true, highAccuracyExpireTime: 4000 });
    });

    it('takes photos with chooseImage from the camera (WeCom has no chooseMedia)', async () => {
      const { api, calls } = scripted({ chooseImage: () => ({ tempFilePaths: ['wxfile://p.jpg'] }) });
      g.wx = { qy: {}, ...api };
      expect(await qywxPlatform.takePhoto()).toEqual({ path: 'wxfile://p.jpg' });
      expect(calls).toEqual([{ api: 'chooseImage', options: { count: 1, sourceType: ['camera'], sizeType: ['compressed'] } }]);
    });

    it('starts Wi-Fi before reading the connected network, and gives [] when that is refused', async () => {
      const ok = scripted({ startWifi: () => ({}), getConnectedWifi: () => ({ wifi: { BSSID: '11:22:33:44:55:66', SSID: 'office' } }) });
      g.wx = { qy: {}, ...ok.api };
      expect(await qywxPlatform.connectedWifi()).toEqual([{ bssid: '11:22:33:44:55:66', ssid: 'office', signal: undefined }]);
      expect(ok.calls.map((c) => c.api)).toEqual(['startWifi', 'getConnectedWifi']);
      const refused = scripted({
        startWifi: () => {
          throw { errMsg: 'startWifi:fail' };
        },
        getConnectedWifi: () => ({}),
      });
      g.wx = { qy: {}, ...refused.api };
      expect(await qywxPlatform.connectedWifi()).toEqual([]);
    });

    it('picks a sheet from a chat with wx.qy.chooseMessageFile and uploads it with the form fields', async () => {
      const qy = scripted({ chooseMessageFile: () => ({ tempFiles: [{ path: 'wxfile://tmp_9.xlsx', size: 900, name: '客户.xlsx', type: 'file', time: 1 }] }) });
      const up = scripted({ uploadFile: () => ({ statusCode: 200, data: '{"created":1}' }) });
      g.wx = { qy: qy.api, ...up.api };
      const file = await qywxPlatform.chooseFile();
      expect(file).toEqual({ path: 'wxfile://tmp_9.xlsx', name: '客户.xlsx' });
      expect(qy.calls).toEqual([{ api: 'chooseMessageFile', options: { count: 1, type: 'file' } }]);
      const res = await qywxPlatform.upload({ url: 'http://x/api/v1/admin/customers/import', photo: file, field: 'file', filename: file.name, fields: { poolId: '2', dryRun: 'true' }, headers: { authorization: 'Bearer t' } });
      expect(res).toEqual({ status: 200, body: '{"created":1}' });
      expect(up.calls[0]!.options).toEqual({ url: 'http://x/api/v1/admin/customers/import', filePath: 'wxfile://tmp_9.xlsx', name: 'file', header: { authorization: 'Bearer t' }, formData: { poolId: '2', dryRun: 'true' } });
    });

    it('says the DingTalk mini-program cannot pick a sheet', async () => {
      await expect(ddPlatform.chooseFile()).rejects.toThrow('钉钉小程序不能选择表格文件：请在电脑端或 H5 中导入');
    });

    it('says the DingTalk mini-program cannot open an exported sheet, without downloading it', async () => {
      const { api, calls } = scripted({ downloadFile: () => ({ filePath: 'dd://x.xlsx' }) });
      g.dd = api;
      const asked = ddPlatform.saveDocument({ url: 'http://x/api/v1/admin/customers/export.xlsx', headers: {}, filename: '客户导出-2026-12-07.xlsx', fileType: 'xlsx' });
      await expect(asked).rejects.toEqual(new PlatformUnsupported('钉钉小程序不能打开表格文件：请在电脑端或 H5 中导出'));
      expect(calls).toEqual([]);
    });

    it('downloads an export with the header and opens it in WeCom\'s viewer with the forward/save menu', async () => {
      const answers = [
        { statusCode: 200, tempFilePath: 'wxfile://tmp_export.xlsx' },
        { statusCode: 403, tempFilePath: 'wxfile://tmp_refusal' },
      ];
      const { api, calls } = scripted({ downloadFile: () => answers.shift(), openDocument: () => ({ errMsg: 'openDocument:ok' }) });
      g.wx = { qy: {}, ...api };
      const request = { url: 'http://x/api/v1/admin/customers/export.xlsx?poolId=3', headers: { authorization: 'Bearer t' }, filename: '客户导出-2026-12-07.xlsx', fileType: 'xlsx' } as const;
      expect(await qywxPlatform.saveDocument(request)).toEqual({ status: 200, body: '' });
      // A refusal is not opened as a sheet: the status goes back for the message.
      expect(await qywxPlatform.saveDocument(request)).toEqual({ status: 403, body: '' });
      expect(calls).toEqual([
        { api: 'downloadFile', options: { url: 'http://x/api/v1/admin/customers/export.xlsx?poolId=3', header: { authorization: 'Bearer t' } } },
        { api: 'openDocument', options: { filePath: 'wxfile://tmp_export.xlsx', fileType: 'xlsx', showMenu: true } },
        { api: 'downloadFile', options: { url: 'http://x/api/v1/admin/customers/export.xlsx?poolId=3', header: { authorization: 'Bearer t' } } },
      ]);
    });

    it('reports an export download that got no answer as status 0, and a viewer failure in words', async () => {
      const offline = scripted({
        downloadFile: () => {
          throw { errMsg: 'downloadFile:fail timeout' };
        },
      });
      g.wx = { qy: {}, ...offline.api };
      const request = { url: 'http://x/e.xlsx', headers: {}, filename: 'e.xlsx', fileType: 'xlsx' } as const;
      expect(await qywxPlatform.saveDocument(request)).toEqual({ status: 0, body: '' });
      const noViewer = scripted({
        downloadFile: () => ({ statusCode: 200, tempFilePath: 'wxfile://e.xlsx' }),
        openDocument: () => {
          throw { errMsg: 'openDocument:fail filetype not supported' };
        },
      });
      g.wx = { qy: {}, ...noViewer.api };
      await expect(qywxPlatform.saveDocument(request)).rejects.toThrow('表格已下载，但无法打开：请在电脑端或 H5 中导出');
    });

    it('opens a colleague\'s profile and chat through wx.qy', async () => {
      const { api, calls } = scripted({ openUserProfile: () => ({}), openEnterpriseChat: () => ({}) });
      g.wx = { qy: api };
      await qywxPlatform.openProfile('rep02');
      await qywxPlatform.openChat('rep02');
      expect(calls).toEqual([
        { api: 'openUserProfile', options: { type: 1, userid: 'rep02' } },
        { api: 'openEnterpriseChat', options: { userIds: 'rep02', groupName: '' } },
      ]);
    });
  });

  it('qywx downloads with the header, keeps the status, and opens the GCJ-02 place in the map', async () => {
    const answers = [
      { statusCode: 200, tempFilePath: 'wxfile://tmp_1.jpg' },
      { statusCode: 401, tempFilePath: 'wxfile://tmp_2' },
    ];
    const { api, calls } = scripted({ downloadFile: () => answers.shift(), openLocation: () => ({}) });
    g.wx = { qy: {}, ...api };
    expect(await qywxPlatform.download({ url: 'http://x/api/v1/photos/8', headers: { authorization: 'Bearer t' } })).toEqual({ status: 200, path: 'wxfile://tmp_1.jpg' });
    expect(await qywxPlatform.download({ url: 'http://x/api/v1/photos/8', headers: { authorization: 'Bearer old' } })).toEqual({ status: 401, path: '' });
    await qywxPlatform.openLocation({ lat: 31.2304, lng: 121.4737, name: '人民广场店', address: '黄浦区人民大道 1 号' });
    expect(calls.map((c) => c.options)).toEqual([
      { url: 'http://x/api/v1/photos/8', header: { authorization: 'Bearer t' } },
      { url: 'http://x/api/v1/photos/8', header: { authorization: 'Bearer old' } },
      { latitude: 31.2304, longitude: 121.4737, name: '人民广场店', address: '黄浦区人民大道 1 号', scale: 16 },
    ]);
  });

  describe('H5', () => {
    it('tells DingTalk, WeCom and plain browsers apart by user agent', () => {
      expect(detectHost('Mozilla/5.0 (iPhone) AliApp(DingTalk/7.0.40) Nebula')).toBe('dingtalk');
      expect(detectHost('Mozilla/5.0 (Linux; Android 13) wxwork/4.1.22 MicroMessenger/7.0.1')).toBe('wecom');
      expect(detectHost('Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36')).toBe('browser');
    });

    it('inside WeCom, hands on the OAuth code of the redirect as an oauth login, once', async () => {
      const page = 'https://h5.example/?corpId=wwdemo&agentId=1000002&code=oauth-code-1&state=s1';
      const replaced: string[] = [];
      const stored = new Map<string, string>();
      const globals = {
        navigator: { userAgent: 'Mozilla/5.0 (Linux; Android 13) wxwork/4.1.22 MicroMessenger/7.0.1' },
        window: {
          location: { href: page, search: new URL(page).search },
          history: { replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) },
        },
        sessionStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => stored.set(k, v) },
      };
      const before = Object.keys(globals).map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
      for (const [name, value] of Object.entries(globals)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
      try {
        expect(await h5Platform.loginCode()).toEqual({ platform: 'wecom', corpId: 'wwdemo', code: 'oauth-code-1', channel: 'oauth' });
        // The code leaves the address bar: a reload must not replay it.
        expect(replaced).toEqual(['https://h5.example/?corpId=wwdemo&agentId=1000002']);
      } finally {
        for (const [name, descriptor] of before) {
          if (descriptor) Object.defineProperty(globalThis, name, descriptor);
          else delete g[name];
        }
      }
    });

    it('asks for the demo picker in a plain browser, and says where chat works', async () => {
      await expect(h5Platform.loginCode()).rejects.toBeInstanceOf(DemoLoginRequired);
      await expect(h5Platform.openChat('rep02')).rejects.toEqual(new PlatformUnsupported('请在钉钉或企业微信中打开公海，才能发起聊天'));
      expect(await h5Platform.connectedWifi()).toEqual([]);
      expect(h5Platform.device()).toEqual({ platform: 'h5', os: 'unknown', model: 'browser', clientVersion: '0.1.0' });
    });

    it('fetches a photo with the JWT header into an object URL, and passes a refusal on as its status', async () => {
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
      const seen: (string | undefined)[] = [];
      const server: Server = createServer((req, res) => {
        seen.push(req.headers.authorization);
        if (req.headers.authorization !== 'Bearer good') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized","message":"x"}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/photos/3`;
        const ok = await h5Platform.download({ url, headers: { authorization: 'Bearer good' } });
        expect(ok.status).toBe(200);
        expect(ok.path).toMatch(/^blob:/);
        const { resolveObjectURL } = await import('node:buffer');
        expect(Buffer.from(await resolveObjectURL(ok.path)!.arrayBuffer())).toEqual(jpeg);
        expect(await h5Platform.download({ url, headers: { authorization: 'Bearer stale' } })).toEqual({ status: 401, path: '' });
        expect(seen).toEqual(['Bearer good', 'Bearer stale']);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('saves an export with the JWT header as a named download, releases its URL later, and passes a refusal on', async () => {
      const sheet = Buffer.from('PK\u0003\u0004 a sheet');
      const server: Server = createServer((req, res) => {
        if (req.headers.authorization !== 'Bearer good') {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{"code":"forbidden","message":"只有管理员可以导出客户"}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }).end(sheet);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      // The page's document, as wide as saveDocument uses it: a link that records what the browser would download.
      const { resolveObjectURL } = await import('node:buffer');
      const clicked: { download: string; bytes: Buffer; attached: boolean }[] = [];
      const body = { children: new Set<unknown>(), appendChild: (el: unknown) => body.children.add(el) };
      const link = () => {
        const el = {
          href: '',
          download: '',
          style: {} as Record<string, string>,
          click: async () => {
            const attached = body.children.has(el);
            clicked.push({ download: el.download, bytes: Buffer.from(await resolveObjectURL(el.href)!.arrayBuffer()), attached });
          },
          remove: () => body.children.delete(el),
        };
        return el;
      };
      Object.defineProperty(globalThis, 'document', { value: { createElement: link, body }, configurable: true, writable: true });
      // The release a minute later is taken, not waited for.
      const later: { run: () => void; ms: number }[] = [];
      const realSetTimeout = globalThis.setTimeout;
      const timers = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((run: () => void, ms?: number, ...rest: unknown[]) => {
        if (ms === REVOKE_AFTER_MS) {
          later.push({ run, ms });
          return 0 as never;
        }
        return realSetTimeout(run, ms, ...rest);
      }) as typeof setTimeout);
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/admin/customers/export.xlsx?poolId=3`;
        const ok = await h5Platform.saveDocument({ url, headers: { authorization: 'Bearer good' }, filename: '客户导出-2026-12-07.xlsx', fileType: 'xlsx' });
        expect(ok).toEqual({ status: 200, body: '' });
        await new Promise((resolve) => realSetTimeout(resolve, 0));
        expect(clicked).toEqual([{ download: '客户导出-2026-12-07.xlsx', bytes: sheet, attached: true }]);
        expect(body.children.size).toBe(0);
        expect(later).toHaveLength(1);
        const revoked = jest.spyOn(URL, 'revokeObjectURL');
        later[0]!.run();
        expect(revoked).toHaveBeenCalledTimes(1);
        expect(resolveObjectURL(revoked.mock.calls[0]![0])).toBeUndefined();
        revoked.mockRestore();

        const refused = await h5Platform.saveDocument({ url, headers: { authorization: 'Bearer rep' }, filename: 'x.xlsx', fileType: 'xlsx' });
        expect(refused).toEqual({ status: 403, body: '{"error":{"code":"forbidden","message":"只有管理员可以导出客户"}}' });
        expect(clicked).toHaveLength(1);
      } finally {
        timers.mockRestore();
        delete g.document;
        await new Promise((resolve) => server.close(resolve));
      }
      // Nothing answering is status 0 (the client calls that a network failure).
      expect(await h5Platform.saveDocument({ url: 'http://127.0.0.1:9/none.xlsx', headers: {}, filename: 'x.xlsx', fileType: 'xlsx' })).toEqual({ status: 0, body: '' });
    });

    it('points a plain browser at AMap\'s marker page for navigation', () => {
      expect(amapMarkerUrl({ lat: 31.2304, lng: 121.4737, name: '人民广场店', address: '黄浦区' })).toBe(
        'https://uri.amap.com/marker?position=121.4737%2C31.2304&name=%E4%BA%BA%E6%B0%91%E5%B9%BF%E5%9C%BA%E5%BA%97&src=gonghai&coordinate=gaode&callnative=1',
      );
    });
  });
});
