import fs from 'node:fs';
import path from 'node:path';
import { peoplesSquare } from '@gonghai/config';
import { samplePhoto } from '../../server/src/modules/evidence/photo-sample';
import { startServer, type RunningServer } from '../e2e/support/server';
import { MiniVm, Phone, byClass, textOf, type MiniTarget } from '../test/mini-vm';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt, outputDir } = require('../scripts/ensure-build.cjs') as {
  ensureBuilt: (target: string, opts?: { log?: (t: string) => void }) => { built: boolean; ms: number };
  outputDir: (target: string) => string;
};

/** MINI_DIST_DD / MINI_DIST_QYWX point the test at another build of that target (an older commit's, to see it fail). */
const distOverride = (target: MiniTarget): string | undefined => process.env[`MINI_DIST_${target.toUpperCase()}`];

/** The API origin a build sends its calls to (built in from API_ORIGIN): the domain the fake platform lets through. */
function builtApiOrigin(dist: string): string {
  const common = fs.readFileSync(path.join(dist, 'common.js'), 'utf8');
  const m = /origin:"(https?:\/\/[^"]+)"/.exec(common);
  if (!m) throw new Error(`no API origin found in ${path.join(dist, 'common.js')}`);
  return m[1]!;
}

/** The server as the walking rep sees it, for checking what the app did (tokens from the same sandbox). */
async function serverAs(baseUrl: string, vendor: 'dingtalk' | 'wecom', corpId: string, userId: string) {
  const codeRes = await fetch(`${baseUrl}/sandbox/${vendor}/_control/login-code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corpId, userId }),
  });
  const { code } = (await codeRes.json()) as { code: string };
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: vendor, corpId, code }),
  });
  const { token } = (await login.json()) as { token: string };
  if (!token) throw new Error(`no token for ${corpId}/${userId}`);
  const call = async <T>(method: 'GET' | 'POST', p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    get: <T>(p: string) => call<T>('GET', p),
    post: <T>(p: string, body: unknown = {}) => call<T>('POST', p, body),
  };
}

interface NearbyItem {
  id: number;
  name: string;
  lat: number;
  lng: number;
}

const WHO: Record<MiniTarget, { vendor: 'dingtalk' | 'wecom'; corpId: string; userId: string; repName: string; colleague: string }> = {
  dd: { vendor: 'dingtalk', corpId: 'dingdemo', userId: 'rep01', repName: '张伟', colleague: 'rep02' },
  qywx: { vendor: 'wecom', corpId: 'wwdemo', userId: 'rep01', repName: '张伟', colleague: 'rep02' },
};

describe('the built mini-programs, driven in a vm shaped like each client', () => {
  let server: RunningServer;
  const photos: Partial<Record<MiniTarget, Buffer>> = {};

  beforeAll(async () => {
    for (const target of ['dd', 'qywx'] as const) {
      if (distOverride(target)) continue;
      const { built, ms } = ensureBuilt(target);
      if (built) process.stdout.write(`built ${target} in ${(ms / 1000).toFixed(1)} s\n`);
    }
    // A photo per target: the same picture twice would be flagged as reused (near-duplicate) by the server.
    [server, photos.dd, photos.qywx] = await Promise.all([
      startServer(),
      samplePhoto('storefront', 1280, 960).jpeg({ quality: 85 }).toBuffer(),
      samplePhoto('street', 1280, 960).jpeg({ quality: 85 }).toBuffer(),
    ]);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
  });

  it.each(['dd', 'qywx'] as const)(
    '%s: rep01 launches the app, sees the pool near 人民广场, claims a customer (还剩 15 天), is refused one a colleague took, checks in on site, uploads a photo and wins a deal',
    async (target) => {
      const who = WHO[target];
      const dist = distOverride(target) ?? outputDir(target);
      const phone = new Phone({ serverUrl: server.baseUrl, appOrigin: builtApiOrigin(dist), corpId: who.corpId, userId: who.userId, place: peoplesSquare, photo: photos[target]! });
      const app = new MiniVm(target, dist, phone);
      const { get } = await serverAs(server.baseUrl, who.vendor, who.corpId, who.userId);
      const colleague = await serverAs(server.baseUrl, who.vendor, who.corpId, who.colleague);
      try {
        // Launch: the first page (公海) signs in through the platform's login code, locates, and asks for the pool.
        // The context starts without the built-ins the oldest engines lack; the source uses these, so the build's
        // polyfills must have installed them by the time every page is loaded.
        const newer = '[typeof Object.fromEntries, typeof [].flatMap, typeof [].at, typeof "".at]';
        expect(app.evaluate<string[]>(newer)).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
        await app.launch();
        expect(app.evaluate<string[]>(newer)).toEqual(['function', 'function', 'function', 'function']);
        expect(app.page.route).toBe('pages/map/index');
        const summary = await app.waitFor('the nearby summary', () => app.find('pool__summary')[0]);
        expect(app.text()).not.toContain('登录失败');
        expect(phone.loginCodes).toBe(1);
        const count = Number(/附近 1 公里内 (\d+) 个公海客户/.exec(textOf(summary))?.[1]);
        const nearby = await get<{ items: NearbyItem[] }>(`/api/v1/pool/nearby?lat=${peoplesSquare.lat}&lng=${peoplesSquare.lng}&coord=gcj02&radius=1000&limit=200`);
        expect(count).toBe(nearby.items.length);
        expect(count).toBeGreaterThanOrEqual(50); // DESIGN §12: at least 50 pool customers within 1 km of 人民广场

        // 列表 (the map view's markers are a native component, not in setData), then 领取 on the first row.
        app.tapOn('pool__view', '列表');
        const rows = await app.waitFor('the nearby list', () => {
          const r = app.find('pool__row');
          return r.length > 0 ? r : undefined;
        });
        expect(rows).toHaveLength(count);
        const firstName = textOf(byClass(rows[0], 'pool__name')[0]);
        const customer = nearby.items.find((c) => c.name === firstName)!;
        expect(customer).toBeDefined();
        app.tap(byClass(rows[0], 'pool__claim', '领取')[0]!);
        const banner = await app.waitFor('the claim banner', () => app.find('error-banner--success')[0]);
        expect(textOf(banner)).toMatch(new RegExp(`^已领取「${escape(customer.name)}」已加入「我的客户」，回收倒计时还剩 15 天（15 天无有效拜访）`));
        expect(app.find('pool__row')).toHaveLength(count - 1);
        const { customer: claimed } = await get<{ customer: { ownerId: string; status: string } }>(`/api/v1/customers/${customer.id}`);
        expect(claimed).toMatchObject({ ownerId: who.userId });

        // A colleague claims the next row while it is still on rep01's screen: rep01's 领取 is refused (409), and the
        // page shows the server's Chinese reason, not a network failure (DingTalk answers a 409 through fail).
        const takenRow = app.find('pool__row')[0]!;
        const taken = nearby.items.find((c) => c.name === textOf(byClass(takenRow, 'pool__name')[0]))!;
        await colleague.post(`/api/v1/customers/${taken.id}/claim`, {});
        app.tap(byClass(takenRow, 'pool__claim', '领取')[0]!);
        const refusal = await app.waitFor('the claim refusal', () => app.find('error-banner', '已被他人领取')[0]);
        expect(textOf(refusal)).toContain('手慢了：该客户刚被其他同事领取，看看附近的其他客户吧。');
        expect(app.text()).not.toContain('网络连接失败');
        expect(app.find('pool__row')).toHaveLength(count - 2);
        expect(phone.http.filter((x) => x.url === `/api/v1/customers/${taken.id}/claim`).map((x) => [x.method, x.status])).toEqual([['POST', 409]]);

        // 我的客户 through the tab bar (native: not in setData), then the customer's profile.
        await app.navigate('switchTab', '/pages/mine/index');
        const row = await app.waitFor('the claimed customer in 我的客户', () => app.find('mine__row', customer.name)[0]);
        expect(textOf(row)).toContain('还剩 15 天');
        app.tap(row);
        await app.waitFor('the profile', () => app.page.route === 'pages/customer/index' && app.find('profile__name')[0]);
        expect(textOf(app.find('profile__name')[0]!)).toBe(customer.name);
        expect(textOf(app.find('profile__reclaim')[0]!)).toMatch(/^还剩 15 天15 天无有效拜访到期未达标将自动收回公海，收回时间 \d+月\d+日 00:00$/);

        // 拜访签到 standing at the customer: three fixes paced by the app, then the verdict.
        app.tapOn('profile__action', '拜访签到');
        await app.waitFor('the visit page', () => app.page.route === 'pages/visit/index' && app.find('visit__button', '开始签到')[0]);
        expect(app.page.options).toMatchObject({ customerId: String(customer.id) });
        phone.place = { lat: customer.lat, lng: customer.lng };
        const fixesBefore = phone.fixes;
        const waitedBefore = app.timers.waitedMs;
        app.tapOn('visit__button', '开始签到');
        const verdict = await app.waitFor('the check-in verdict', () => app.find('visit__verdict-label')[0], { timeoutMs: 30_000 });
        expect(textOf(verdict)).toBe('签到结果：已验证');
        expect(phone.fixes - fixesBefore).toBe(3);
        // The fixes were paced seconds apart on the virtual clock (not slept), and no location time-out (20 s) fired.
        const waited = app.timers.waitedMs - waitedBefore;
        expect(waited).toBeGreaterThanOrEqual(2 * 2000);
        expect(waited).toBeLessThan(20_000);
        expect(app.text()).toMatch(/第 1 次定位 · 精度 ±\d+ 米第 2 次定位 · 精度 ±\d+ 米第 3 次定位 · 精度 ±\d+ 米/);

        // 拍照: the camera only, uploaded with the visit's photo token, watermarked by the server.
        app.tapOn('visit__button', '拍照');
        const shot = await app.waitFor('the uploaded photo', () => app.find('visit__shot-status', /已加水印 · 存证 #\d+/)[0], { timeoutMs: 30_000 });
        expect(phone.ui.filter((u) => u.api === 'chooseImage').map((u) => JSON.parse(u.text))).toEqual([['camera']]);
        const { items } = await get<{ items: { id: number; customerId: string | number; verdict: string; status: string; photos: { id: number }[] }[] }>('/api/v1/me/visits');
        const visit = items.find((v) => Number(v.customerId) === customer.id)!;
        expect(visit).toMatchObject({ verdict: 'verified', status: 'open' });
        expect(visit.photos).toHaveLength(1);
        expect(textOf(shot)).toMatch(/^已加水印 · 存证 #\d+$/);

        // 记商机 from the profile, then 赢单 on it: the status change is a PATCH route, sent as POST + override.
        await app.back(1);
        await app.waitFor('the profile again', () => app.page.route === 'pages/customer/index' && app.find('profile__action', '记商机')[0]);
        app.tapOn('profile__action', '记商机');
        const [titleInput, amountInput] = await app.waitFor('the deal form', () => {
          const inputs = app.page.route === 'pages/follow-up/index' ? app.find('form__input') : [];
          return inputs.length === 2 ? inputs : undefined;
        });
        // Typed one field after the other, each once the view shows it (a person does not type into two at once).
        for (const [input, value] of [[titleInput!, '2027 年度办公用品采购'], [amountInput!, '52000']] as const) {
          app.input(input, value);
          await app.waitFor(`the typed ${value}`, () => app.find('form__input').some((n) => Object.values(n).includes(value)));
        }
        app.tapOn('follow__submit', '记录商机');
        const dealRow = await app.waitFor('the new deal in the list', () => app.find('follow__deal', '2027 年度办公用品采购')[0]);
        expect(textOf(app.find('error-banner')[0])).toContain('商机已记录');
        expect(textOf(dealRow)).toContain('进行中');
        app.tap(byClass(dealRow, 'follow__won', '赢单')[0]!);
        const wonBanner = await app.waitFor('the won banner', () => app.find('error-banner', '已标记为赢单')[0]);
        expect(textOf(wonBanner)).toBe('「2027 年度办公用品采购」已标记为赢单恭喜！赢单会重置该客户的「未成交」计时。');
        await app.waitFor('the deal shown as won', () => /赢单/.test(textOf(app.find('follow__deal', '2027 年度办公用品采购')[0])) && !app.find('follow__won')[0]);
        const { customer: profile } = await get<{ customer: { timeline: { type: string; dealId?: number; title?: string; amount?: number; status?: string }[] } }>(`/api/v1/customers/${customer.id}`);
        const deal = profile.timeline.find((t) => t.type === 'deal' && t.title === '2027 年度办公用品采购')!;
        expect(deal).toMatchObject({ amount: 52000, status: 'won' });
        // The deal status went out as a POST (the override names PATCH), and the server took it.
        expect(phone.http.filter((x) => x.url === `/api/v1/customers/${customer.id}/deals/${deal.dealId}`).map((x) => [x.method, x.status])).toEqual([['POST', 200]]);

        // Nothing the app sent was refused by the platform (no PATCH/PUT on DingTalk, no PATCH on WeCom).
        expect(phone.refusals).toEqual([]);
        expect(phone.http.filter((h) => h.status >= 500)).toEqual([]);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- the app in the vm:\n${app.diagnosis()}`);
      } finally {
        if (process.env.MINI_VM_DEBUG) process.stdout.write(`${target}:\n${app.diagnosis()}\n`);
        app.close();
      }
    },
    120_000,
  );
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
