import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { apiAs } from '../support/api';
import { ensureH5Build } from '../support/build';
import { DEMO_REPS, claimHoldDays, claimNearest, listedIds } from '../support/rep';
import { startServer, type RunningServer } from '../support/server';

/** `npm run screenshots` sets this to refresh docs/screenshots/ (375×812) from the same walk-through. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../../docs/screenshots') : null;
async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

describe('H5 in Chromium: a rep claims from the pool around 人民广场', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureH5Build();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe.each(DEMO_REPS)('$corpId ($platform)', (rep) => {
    const snap = (page: Page, name: string) => (rep.screenshots ? shot(page, name) : Promise.resolve());

    it(`${rep.userId} logs in with the demo picker, sees pool customers nearby, claims one and finds it in 我的客户 with its countdown`, async () => {
      const hold = await claimHoldDays(server.baseUrl, rep);
      const context = await phoneContext(browser, server.baseUrl, rep.place);
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/`);
      await page.getByText('以演示用户登录').waitFor();
      await snap(page, 'login');
      const login = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/login') && r.method() === 'POST');
      await loginAs(page, server.baseUrl, rep.userId, rep.corpId);
      // The picker logs in through the channel the app really uses on that platform.
      expect((await login).postDataJSON()).toMatchObject({ platform: rep.platform, corpId: rep.corpId, channel: rep.h5Channel });

      // The map view first: offline, so markers and rings are drawn over the grid.
      const count = page.getByTestId('nearby-count');
      await count.waitFor();
      const n = Number(/内 (\d+) 个公海客户/.exec((await count.textContent()) ?? '')?.[1]);
      expect(n).toBeGreaterThanOrEqual(50);
      expect(await count.textContent()).toContain('附近 1 公里内');
      expect(await page.getByTestId('h5-map').getAttribute('data-tiles')).toBe('offline');
      expect(await page.locator('[data-testid^="marker-"]').count()).toBe(n);
      await page.locator('[data-testid^="marker-"]').first().click();
      await page.getByTestId('selected-card').waitFor();
      await snap(page, 'map');

      // A smaller radius shows fewer, all within it; back to 1 km.
      await page.getByTestId('radius-500').click();
      await page.getByText('附近 500 米内').waitFor();
      const within500 = await page.locator('[data-testid^="marker-"]').count();
      expect(within500).toBeGreaterThan(0);
      expect(within500).toBeLessThan(n);
      await page.getByTestId('radius-1000').click();
      await page.getByText(`附近 1 公里内 ${n} 个公海客户`).waitFor();

      // The list view, nearest first, and a one-tap claim of the nearest.
      await page.getByTestId('view-list').click();
      expect(await listedIds(page)).toHaveLength(n);
      await snap(page, 'map-list');
      const { id: target, name, banner } = await claimNearest(page);
      expect(banner).toContain(`已领取「${name}」`);
      expect(banner).toContain(`回收倒计时还剩 ${hold} 天（${hold} 天无有效拜访）`);
      expect(await page.getByTestId(`row-${target}`).count()).toBe(0);
      // Theirs on the server of their own tenant (an id of the other demo tenant would be a 404 there).
      const get = await apiAs(server.baseUrl, rep);
      expect((await get<{ customer: { name: string; ownerId: string } }>(`/api/v1/customers/${target}`)).customer).toMatchObject({ name, ownerId: rep.userId });

      // 我的客户: the claimed customer with «还剩 N 天» and why (the pool's verified-visit rule is its earliest).
      await page.getByText('我的客户', { exact: true }).last().click();
      const row = page.getByTestId(`mine-${target}`);
      await row.waitFor();
      expect(await row.textContent()).toContain(name);
      expect(await row.getByTestId('countdown').textContent()).toBe(`还剩 ${hold} 天${hold} 天无有效拜访`);
      await snap(page, 'mine');

      await page.getByText('工作台', { exact: true }).last().click();
      await page.getByTestId('group-rep').waitFor();
      expect(await page.getByTestId('group-manager').count()).toBe(0);
      expect(await page.locator('.workbench__name').textContent()).toBe(rep.name);
      expect(await page.locator('.workbench__roles').textContent()).toBe(`${rep.tenantName} · 业务员`);
      await snap(page, 'workbench');
      await context.close();
    });
  });

  it('draws the markers over map tiles when the tile server answers', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    // Stand in for the tile server: every tile request gets a real PNG, as when the phone is online.
    const tile = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
    let tiles = 0;
    await context.route(/appmaptile/, (route) => {
      tiles += 1;
      return route.fulfill({ status: 200, contentType: 'image/png', body: tile });
    });
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'rep03');
    const map = page.getByTestId('h5-map');
    await map.waitFor();
    await page.locator('[data-testid="h5-map"][data-tiles="online"]').waitFor();
    expect(tiles).toBeGreaterThan(0);
    expect(await page.locator('[data-testid^="marker-"]').count()).toBeGreaterThanOrEqual(50);
    expect(await map.textContent()).toContain('地图 © 高德');
    await context.close();
  });

  it('rep01 and rep02 tap 领取 on the same customer at once: exactly one gets it, the other sees 已被他人领取', async () => {
    const [c1, c2] = await Promise.all([phoneContext(browser, server.baseUrl), phoneContext(browser, server.baseUrl)]);
    const [p1, p2] = await Promise.all([c1.newPage(), c2.newPage()]);
    await Promise.all([loginAs(p1, server.baseUrl, 'rep01'), loginAs(p2, server.baseUrl, 'rep02')]);
    await Promise.all([p1.getByTestId('view-list').click(), p2.getByTestId('view-list').click()]);
    const [ids1, ids2] = await Promise.all([listedIds(p1), listedIds(p2)]);
    const target = ids1.find((id) => ids2.includes(id))!;
    expect(target).toBeDefined();

    await Promise.all([p1.getByTestId(`claim-${target}`).click(), p2.getByTestId(`claim-${target}`).click()]);
    const outcome = async (p: Page) => {
      const banner = p.locator('[data-testid="banner-success"], [data-testid="banner-error"]');
      await banner.waitFor();
      return { kind: (await banner.getAttribute('data-testid'))!, text: (await banner.textContent())! };
    };
    const results = await Promise.all([outcome(p1), outcome(p2)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['banner-error', 'banner-success']);
    const lost = results.find((r) => r.kind === 'banner-error')!;
    expect(lost.text).toContain('已被他人领取');
    expect(lost.text).toContain('手慢了：该客户刚被其他同事领取');

    // The winner's 我的客户 has it; the server agrees on one owner.
    const winner = results[0]!.kind === 'banner-success' ? p1 : p2;
    await winner.getByText('我的客户', { exact: true }).last().click();
    await winner.getByTestId(`mine-${target}`).waitFor();
    await Promise.all([c1.close(), c2.close()]);
  });
});
