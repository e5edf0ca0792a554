import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDdGlobal } from '../dd-global';
import { MiniVm } from '../mini-vm';
import { Phone, type Navigation } from '../phone';
import { applySetData, parsePath, textOf } from '../render-tree';
import { VirtualTimers } from '../virtual-timers';
import { createWxGlobal } from '../wx-global';

type Api = (o: Record<string, unknown>) => void;

/** Calls a fake platform API and settles with which callback answered and its payload. */
function call(api: unknown, options: Record<string, unknown>): Promise<{ ok: boolean; res: Record<string, unknown> }> {
  return new Promise((resolve) => {
    (api as Api)({ ...options, success: (res: Record<string, unknown>) => resolve({ ok: true, res }), fail: (res: Record<string, unknown>) => resolve({ ok: false, res }) });
  });
}

const noNav: Navigation = {
  navigate: async () => undefined,
  back: async () => undefined,
};

describe('the fake platform globals', () => {
  let server: http.Server;
  let baseUrl: string;
  const received: { method: string; url: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, url: req.url }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  const phone = () => new Phone({ serverUrl: baseUrl, appOrigin: 'https://api.example.com', corpId: 'dingdemo', userId: 'rep01', place: { lat: 31.2304, lng: 121.4737 }, photo: Buffer.from('') });

  it.each(['httpRequest', 'request'])('dd.%s refuses PATCH, PUT and DELETE with DingTalk’s fail payload, before the network', async (api) => {
    const p = phone();
    const dd = createDdGlobal(p, noNav, new VirtualTimers());
    for (const method of ['PATCH', 'PUT', 'DELETE', 'patch']) {
      const r = await call(dd[api], { url: 'https://api.example.com/api/v1/x', method, headers: {}, data: '{}' });
      expect(r).toEqual({ ok: false, res: { error: 2, errorMessage: `参数错误：${api} 的 method 只支持 GET、POST，收到 ${method.toUpperCase()}` } });
    }
    expect(received).toEqual([]);
    expect(p.refusals.map((x) => x.method)).toEqual(['PATCH', 'PUT', 'DELETE', 'PATCH']);
  });

  it('dd.httpRequest sends GET and POST to the test server and answers { status, data, headers }', async () => {
    const dd = createDdGlobal(phone(), noNav, new VirtualTimers());
    const got = await call(dd.httpRequest, { url: 'https://api.example.com/api/v1/x?a=1', method: 'GET', dataType: 'text' });
    expect(got.ok).toBe(true);
    expect(got.res).toMatchObject({ status: 200, data: '{"method":"GET","url":"/api/v1/x?a=1"}' });
    expect((got.res.headers as Record<string, string>)['content-type']).toBe('application/json');
    const posted = await call(dd.httpRequest, { url: 'https://api.example.com/api/v1/y', method: 'POST', headers: { 'content-type': 'application/json' }, data: '{"k":1}' });
    expect(posted.res).toMatchObject({ status: 200, data: { method: 'POST', url: '/api/v1/y' } });
    expect(received.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', '/api/v1/x?a=1', ''],
      ['POST', '/api/v1/y', '{"k":1}'],
    ]);
  });

  it('dd refuses a domain outside the app’s whitelist (error 11)', async () => {
    const dd = createDdGlobal(phone(), noNav, new VirtualTimers());
    const r = await call(dd.httpRequest, { url: 'https://elsewhere.example.com/x', method: 'GET' });
    expect(r.ok).toBe(false);
    expect(r.res.error).toBe(11);
    expect(received).toEqual([]);
  });

  it('wx.request refuses PATCH with WeChat’s errMsg and lets the documented methods through', async () => {
    const p = phone();
    const wx = createWxGlobal(p, noNav);
    const patch = await call(wx.request, { url: 'https://api.example.com/api/v1/x', method: 'PATCH', header: {}, data: '{}' });
    expect(patch).toEqual({ ok: false, res: { errMsg: 'request:fail parameter error: parameter.method should be one of OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE, CONNECT, but got PATCH' } });
    expect(received).toEqual([]);
    const put = await call(wx.request, { url: 'https://api.example.com/api/v1/x', method: 'PUT', header: {}, data: '{}', dataType: 'text' });
    expect(put).toEqual({ ok: true, res: { statusCode: 200, data: '{"method":"PUT","url":"/api/v1/x"}', header: expect.any(Object), errMsg: 'request:ok' } });
    expect(p.refusals).toEqual([{ api: 'request', method: 'PATCH', url: 'https://api.example.com/api/v1/x', reason: 'method' }]);
  });

  it('dd storage answers { data }, wx storage the value itself', () => {
    const dd = createDdGlobal(phone(), noNav, new VirtualTimers()) as Record<string, (...a: unknown[]) => unknown>;
    dd.setStorageSync!({ key: 'k', data: 'v' });
    expect(dd.getStorageSync!({ key: 'k' })).toEqual({ data: 'v' });
    expect(dd.getStorageSync!({ key: 'none' })).toEqual({ data: null });
    const wx = createWxGlobal(phone(), noNav) as Record<string, (...a: unknown[]) => unknown>;
    wx.setStorageSync!('k', 'v');
    expect(wx.getStorageSync!('k')).toBe('v');
    expect(wx.getStorageSync!('none')).toBe('');
  });

  it('dd.startLocating sends a jittering fix every callBackInterval until stopLocating, and refuses a second start of the scene', async () => {
    const timers = new VirtualTimers();
    const dd = createDdGlobal(phone(), noNav, timers);
    const fixes: Record<string, unknown>[] = [];
    await new Promise<void>((resolve) => {
      (dd.startLocating as Api)({
        sceneId: 's',
        callBackInterval: 2000,
        success: (r: Record<string, unknown>) => {
          fixes.push(r);
          if (fixes.length === 3) resolve();
        },
      });
    });
    const again = await call(dd.startLocating, { sceneId: 's', callBackInterval: 2000 });
    expect(again.ok).toBe(false);
    expect(again.res.error).toBe(3);
    await call(dd.stopLocating, { sceneId: 's' });
    expect(timers.waitedMs).toBe(4000);
    expect(fixes.map((f) => f.isFromMock)).toEqual([false, false, false]);
    expect(new Set(fixes.map((f) => `${String(f.latitude)},${String(f.longitude)}`)).size).toBe(3);
    const stopped = fixes.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fixes).toHaveLength(stopped);
  });
});

describe('setData paths and timers', () => {
  it('merges path keys with .[n] and [n] into the page tree', () => {
    expect(parsePath('root.cn.[0].cn[2].v')).toEqual(['root', 'cn', 0, 'cn', 2, 'v']);
    const data: Record<string, unknown> = { root: { cn: [] } };
    applySetData(data, { 'root.cn': [{ sid: '_n_1', cl: 'a', cn: [{ v: '还剩 ' }] }], 'root.uid': 'pages/x' });
    applySetData(data, { 'root.cn.[0].cn.[1]': { v: '15 天' }, 'root.cn[0].cl': 'a b' });
    expect(data).toEqual({ root: { uid: 'pages/x', cn: [{ sid: '_n_1', cl: 'a b', cn: [{ v: '还剩 ' }, { v: '15 天' }] }] } });
    expect(textOf((data as { root: never }).root)).toBe('还剩 15 天');
  });

  it('runs a long timer without sleeping and counts the wait on its virtual clock', async () => {
    const timers = new VirtualTimers();
    const g = timers.globals();
    const order: string[] = [];
    const started = Date.now();
    await new Promise<void>((resolve) => {
      g.setTimeout(() => order.push('5 s'), 5000);
      g.setTimeout(() => {
        order.push('2.5 s');
      }, 2500);
      const cancelled = g.setTimeout(() => order.push('never'), 3000);
      g.clearTimeout(cancelled);
      g.setTimeout(() => resolve(), 6000);
    });
    expect(order).toEqual(['2.5 s', '5 s']);
    expect(timers.waitedMs).toBe(6000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds a long timer (a time-out) while an answer is still on its way', async () => {
    let busy = true;
    const timers = new VirtualTimers(() => busy);
    let fired = false;
    timers.globals().setTimeout(() => (fired = true), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toBe(false);
    busy = false;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toBe(true);
    expect(timers.waitedMs).toBe(20_000);
    timers.stop();
  });
});

describe('the vm context', () => {
  /** A one-page app whose page reports what it sees of `globalThis`. */
  function probeApp(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-vm-'));
    fs.mkdirSync(path.join(dir, 'pages/a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ pages: ['pages/a/index'] }));
    fs.writeFileSync(path.join(dir, 'app.js'), 'App({ onLaunch() { this.launched = true; } });');
    fs.writeFileSync(
      path.join(dir, 'pages/a/index.js'),
      `Page({ data: { root: { cn: [] } }, onLoad() {
        var seen = typeof globalThis;
        try { globalThis.crypto; } catch (e) { seen += ' ' + e.name; }
        this.setData({ 'root.cn.[0]': { sid: '_n_1', v: seen } });
      }, eh(e) { this.setData({ 'root.cn.[1]': { v: 'tapped ' + e.currentTarget.dataset.sid } }); } });`,
    );
    return dir;
  }

  it('has no globalThis on dd (a bare use throws a ReferenceError), as DingTalk’s engine', async () => {
    const app = new MiniVm('dd', probeApp(), new Phone({ serverUrl: 'http://127.0.0.1:9', appOrigin: 'https://api.example.com', corpId: 'dingdemo', userId: 'rep01', place: { lat: 0, lng: 0 }, photo: Buffer.from('') }));
    await app.launch();
    expect(app.text()).toBe('undefined ReferenceError');
    app.tap(app.tree()!.cn![0]!);
    expect(app.text()).toBe('undefined ReferenceErrortapped _n_1');
    app.close();
  });

  it('keeps globalThis on qywx', async () => {
    const app = new MiniVm('qywx', probeApp(), new Phone({ serverUrl: 'http://127.0.0.1:9', appOrigin: 'https://api.example.com', corpId: 'wwdemo', userId: 'rep01', place: { lat: 0, lng: 0 }, photo: Buffer.from('') }));
    await app.launch();
    expect(app.text()).toBe('object');
    app.close();
  });
});
