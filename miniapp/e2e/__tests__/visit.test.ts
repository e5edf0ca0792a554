import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { samplePhoto } from '../../../server/src/modules/evidence/photo-sample';
import { apiAs } from '../support/api';
import { launchBrowser, loginAs, phoneContext, wgs84 } from '../support/browser';
import { ensureH5Build } from '../support/build';
import { DEMO_REPS, claimHoldDays, claimNearest } from '../support/rep';
import { startServer, type RunningServer } from '../support/server';

/** `npm run screenshots` sets this to refresh docs/screenshots/ (375×812) from the same walk-through. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../../docs/screenshots') : null;
async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** The DingTalk demo's rep01, whom the single-tenant tests below run as. */
const rep01 = DEMO_REPS.find((r) => r.corpId === 'dingdemo' && r.userId === 'rep01')!;

/**
 * Moves the emulated GPS a few centimetres to a few metres every 300 ms around `at` (GCJ-02), as a real phone's fixes
 * jitter: identical fixes, or every fix at the same whole multiple of 5 m accuracy, are FROZEN_FIXES to the server (an
 * accuracy cycle that passed through 15.0 m once made all three fixes 15 m and the check-in suspect). Returns the stop
 * function.
 */
function jitter(context: BrowserContext, at: { lat: number; lng: number }): () => Promise<void> {
  const base = wgs84(at);
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      n++;
      await context.setGeolocation({ latitude: base.latitude + (n % 7) * 0.0000071, longitude: base.longitude - (n % 5) * 0.0000063, accuracy: 11.3 + (n % 9) * 0.7 });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

interface ServerVisit {
  id: number;
  customerId: number;
  status: string;
  verdict: string;
  distanceM: number;
  notes: string | null;
  risk: { reasons: { code: string; message: string }[] };
  photos: { id: number; url: string }[];
}

/** Waits until the first matching <img> has decoded a real image. */
async function imageLoaded(page: Page, selector: string): Promise<number> {
  const handle = await page.waitForFunction(
    (sel) => {
      const img = document.querySelector(sel) as HTMLImageElement | null;
      return img && img.complete && img.naturalWidth > 0 ? img.naturalWidth : false;
    },
    selector,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

describe('H5 in Chromium: a rep visits a customer near 人民广场', () => {
  let server: RunningServer;
  let browser: Browser;
  let jpeg: Buffer;
  /** A customer the demo gives rep01 (each test runs on its own; the first claims its own from the pool). */
  let owned: { id: number; name: string; lat: number; lng: number };

  beforeAll(async () => {
    ensureH5Build();
    [server, browser, jpeg] = await Promise.all([startServer(), launchBrowser(), samplePhoto('storefront', 1280, 960).jpeg({ quality: 85 }).toBuffer()]);
    const get = await apiAs(server.baseUrl, rep01);
    owned = (await get<{ items: { id: number; name: string; lat: number; lng: number }[] }>('/api/v1/me/customers')).items[0]!;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe.each(DEMO_REPS)('$corpId ($platform)', (rep) => {
    const snap = (page: Page, name: string, fullPage = false) => (rep.screenshots ? shot(page, name, fullPage) : Promise.resolve());

    it(`${rep.userId} claims a pool customer, checks in on site (已验证), takes a photo, finishes, and the profile shows the visit with the watermarked photo`, async () => {
      const hold = await claimHoldDays(server.baseUrl, rep);
      const context = await phoneContext(browser, server.baseUrl, rep.place);
      const page = await context.newPage();
      await loginAs(page, server.baseUrl, rep.userId, rep.corpId);

      // Claim the nearest pool customer from the list.
      await page.getByTestId('view-list').click();
      const { id, name } = await claimNearest(page);
      const get = await apiAs(server.baseUrl, rep);
      const { customer: c } = await get<{ customer: { id: number; name: string; lat: number; lng: number; ownerId: string } }>(`/api/v1/customers/${id}`);
      expect(c).toMatchObject({ name, ownerId: rep.userId });

      // 我的客户 → its profile (全景档案).
      await page.getByText('我的客户', { exact: true }).last().click();
      await page.getByTestId(`mine-${id}`).click();
      await page.getByTestId('profile-name').waitFor();
      expect(await page.getByTestId('profile-name').textContent()).toBe(c.name);
      expect(await page.getByTestId('profile-status').textContent()).toBe('我负责');
      expect(await page.getByTestId('profile-reclaim').textContent()).toMatch(new RegExp(`^还剩 ${hold} 天${hold} 天无有效拜访到期未达标将自动收回公海，收回时间 \\d+月\\d+日 00:00$`));
      expect(await page.getByTestId('timeline-ownership').first().textContent()).toContain(`${rep.name} 从「${rep.pool}」领取`);

      // 拜访签到 standing at the customer: three jittering fixes, then the verdict.
      await page.getByTestId('action-visit').click();
      await page.getByTestId('check-in').waitFor();
      const stopJitter = jitter(context, c);
      await page.getByTestId('check-in').click();
      const label = page.getByTestId('verdict-label');
      await label.waitFor({ timeout: 30_000 });
      await stopJitter();
      // The whole card on failure says which signal fired.
      expect(await page.getByTestId('verdict').textContent()).toMatch(/^签到结果：已验证距客户 \d+ 米本次签到有效/);
      const fixes = await page.getByTestId('fixes').textContent();
      expect(fixes).toMatch(/^第 1 次定位 · 精度 ±\d+ 米第 2 次定位 · 精度 ±\d+ 米第 3 次定位 · 精度 ±\d+ 米$/);

      // One photo from the "camera" (the capture input), shown back with the server's watermark.
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('take-photo').click();
      const fileChooser = await chooser;
      expect(await fileChooser.element().getAttribute('capture')).toBe('environment');
      await fileChooser.setFiles({ name: 'shop.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.getByTestId('shot-done').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('shot-done').textContent()).toMatch(/已加水印 · 存证 #\d+/);
      expect(await imageLoaded(page, '[data-testid="shot-done"] img')).toBeGreaterThan(0);
      await snap(page, 'visit-verdict', true);

      await page.getByTestId('notes').locator('textarea').fill('见到店长，约下周报价');
      await page.getByTestId('feedback').locator('textarea').fill('对新品感兴趣');
      await page.getByTestId('finish').click();
      await page.getByText('拜访结果：', { exact: false }).waitFor({ timeout: 30_000 });
      // Finished within seconds: the tenant wants two minutes on site, so the visit stops counting as verified — and says why.
      expect(await label.textContent()).toBe('拜访结果：可疑');
      expect(await page.getByTestId('reason-SHORT_DWELL').textContent()).toMatch(/^停留时间太短本次拜访只停留了 \d+ 秒，少于要求的 120 秒；拜访记录将交由主管复核。$/);
      expect(await page.getByTestId('verdict').textContent()).toContain('在客户处停留足够时间后再点「完成拜访」');
      await snap(page, 'visit-finished', true);

      // The server agrees: one finished visit with the photo, checked in on site, downgraded only for the short stay.
      const { items } = await get<{ items: ServerVisit[] }>('/api/v1/me/visits');
      const visit = items.find((v) => v.customerId === id)!;
      expect(visit).toMatchObject({ status: 'finished', verdict: 'suspect', notes: '见到店长，约下周报价' });
      expect(visit.risk.reasons.map((r) => r.code)).toEqual(['SHORT_DWELL']);
      expect(visit.distanceM).toBeLessThanOrEqual(10);
      expect(visit.photos).toHaveLength(1);

      // Back on the profile: the visit leads the timeline, with its watermarked photo loaded through the JWT.
      await page.getByTestId('back-to-profile').click();
      const visitRow = page.getByTestId('timeline-visit').first();
      await visitRow.waitFor();
      expect(await visitRow.textContent()).toContain(`${rep.name} 上门拜访 · 可疑`);
      expect(await visitRow.textContent()).toContain('拜访记录：见到店长，约下周报价');
      expect(await imageLoaded(page, '[data-testid="timeline-visit"] img')).toBeGreaterThan(0);
      // The same photo the server holds, and only that one.
      expect(await visitRow.getByTestId('secure-photo').evaluateAll((els) => els.map((e) => e.getAttribute('data-photo-url')))).toEqual(visit.photos.map((p) => p.url));
      await snap(page, 'customer-profile');
      await context.close();
    });
  });

  it('a check-in from 5 km away is refused, and the page says how far and what to do', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, rep01.userId, rep01.corpId);
    const far = { lat: owned.lat + 0.045, lng: owned.lng };
    await page.goto(`${server.baseUrl}/pages/visit/index?customerId=${owned.id}`);
    await page.getByTestId('check-in').waitFor();
    const stopJitter = jitter(context, far);
    await page.getByTestId('check-in').click();
    const label = page.getByTestId('verdict-label');
    await label.waitFor({ timeout: 30_000 });
    await stopJitter();
    expect(await label.textContent()).toBe('签到结果：被拒绝');
    const out = (await page.getByTestId('reason-OUT_OF_RANGE').textContent())!;
    const metres = Number(/定位距离客户约 ([\d,]+) 米/.exec(out)![1]!.replace(/,/g, ''));
    expect(metres).toBeGreaterThan(4900);
    expect(metres).toBeLessThan(5100);
    expect(out).toContain('超出签到范围');
    expect(out).toContain('超出允许的 300 米');
    expect(await page.getByTestId('verdict').textContent()).toContain('走近客户（到门店或办公地点门口）后重新签到');
    expect(await page.getByTestId('take-photo').count()).toBe(0);
    await shot(page, 'visit-rejected', true);

    // Recorded for managers as rejected, never open.
    const get = await apiAs(server.baseUrl, rep01);
    const { items } = await get<{ items: ServerVisit[] }>('/api/v1/me/visits?verdict=rejected');
    expect(items[0]).toMatchObject({ customerId: owned.id, status: 'finished', verdict: 'rejected' });
    expect(items[0]!.risk.reasons.map((r) => r.code)).toContain('OUT_OF_RANGE');
    await context.close();
  });

  it('rep01 records a follow-up and a won deal, and creates a new customer in their own name', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, rep01.userId, rep01.corpId);
    await page.goto(`${server.baseUrl}/pages/follow-up/index?customerId=${owned.id}&kind=followup`);
    await page.getByTestId('follow-up-content').locator('textarea').fill('电话确认了报价时间');
    await shot(page, 'follow-up');
    await page.getByTestId('save-follow-up').click();
    expect(await page.getByTestId('banner-success').textContent()).toContain('跟进已记录');

    await page.getByTestId('tab-deal').click();
    await page.getByTestId('deal-title').locator('input').fill('门店陈列合作');
    await page.getByTestId('deal-amount').locator('input').fill('36000');
    await page.getByTestId('save-deal').click();
    await page.getByText('商机已记录').waitFor();
    const deal = page.locator('[data-testid^="deal-"]').filter({ hasText: '门店陈列合作' });
    expect(await deal.textContent()).toBe('门店陈列合作¥36,000.00 · 进行中赢单输单');
    await deal.getByText('赢单', { exact: true }).click();
    await page.getByText('「门店陈列合作」已标记为赢单').waitFor();
    await shot(page, 'deal');

    const get = await apiAs(server.baseUrl, rep01);
    const { customer: p } = await get<{ customer: { timeline: { type: string; kind?: string; content?: string; title?: string; status?: string; amount?: number }[] } }>(`/api/v1/customers/${owned.id}`);
    expect(p.timeline.filter((t) => t.type === 'follow_up')[0]).toMatchObject({ kind: 'call', content: '电话确认了报价时间' });
    expect(p.timeline.filter((t) => t.type === 'deal')[0]).toMatchObject({ title: '门店陈列合作', amount: 36000, status: 'won' });

    // 新建客户: the empty form explains itself, then the current fix fills the location.
    await page.goto(`${server.baseUrl}/pages/customer-new/index`);
    await page.getByTestId('submit').click();
    expect(await page.getByTestId('field-error').allTextContents()).toEqual(['请填写客户名称', '请填写地址', '请获取当前位置，或填写客户的经纬度']);
    await page.getByTestId('input-name').locator('input').fill('人民广场测试便利店');
    await page.getByTestId('input-address').locator('input').fill('上海市黄浦区人民大道 120 号');
    expect(await page.getByTestId('field-error').allTextContents()).toEqual(['请获取当前位置，或填写客户的经纬度']);
    await page.getByTestId('use-location').click();
    await page.getByText(/已取当前位置，精度 ±\d+ 米/).waitFor();
    expect(await page.getByTestId('field-error').count()).toBe(0);
    await shot(page, 'customer-new');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/pages\/customer\/index\?id=\d+/);
    await page.getByTestId('profile-name').waitFor();
    expect(await page.getByTestId('profile-name').textContent()).toBe('人民广场测试便利店');
    expect(await page.getByTestId('profile-status').textContent()).toBe('我负责');
    const newId = Number(new URL(page.url()).searchParams.get('id'));
    const { customer: created } = await get<{ customer: { ownerId: string; lat: number; lng: number; address: string } }>(`/api/v1/customers/${newId}`);
    expect(created).toMatchObject({ ownerId: 'rep01', address: '上海市黄浦区人民大道 120 号' });
    // The browser's WGS-84 fix at 人民广场 was stored in GCJ-02, within metres of the square.
    expect(Math.abs(created.lat - 31.2304)).toBeLessThan(0.0002);
    expect(Math.abs(created.lng - 121.4737)).toBeLessThan(0.0002);
    await context.close();
  });
});
