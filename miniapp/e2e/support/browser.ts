import { existsSync } from 'node:fs';
import gcoord from 'gcoord';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (apt); scripts/test.mjs and .ci/run install it. A missing browser fails the tests, never skips them. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

export function chromiumPath(): string {
  const found = CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!found) throw new Error(`浏览器测试需要 Chromium，但没有找到（${CHROMIUM_PATHS.join('、')}）。请运行：${CHROMIUM_INSTALL}`);
  return found;
}

/**
 * Headless Chromium as the brief fixes it. Playwright gives each launch a fresh temporary profile (user-data dir),
 * so nothing carries over between runs.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** 人民广场 in GCJ-02 (DESIGN §12), the centre of the demo's pool customers. */
export const PEOPLES_SQUARE_GCJ02 = { lat: 31.2304, lng: 121.4737 };

/** What a phone's browser reports standing at a GCJ-02 place: WGS-84 (browsers give WGS-84; the server converts). */
export function wgs84(at: { lat: number; lng: number }): { latitude: number; longitude: number } {
  const [lng, lat] = gcoord.transform([at.lng, at.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number];
  return { latitude: lat, longitude: lng };
}

/**
 * A phone-sized (375×812) context standing at `at` (GCJ-02, 人民广场 unless said) with location allowed, and offline
 * except for our server: any other host (map tiles, CDNs) is refused, as in CI.
 */
export async function phoneContext(browser: Browser, baseUrl: string, at: { lat: number; lng: number } = PEOPLES_SQUARE_GCJ02): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: { ...wgs84(at), accuracy: 18 },
    permissions: ['geolocation'],
  });
  const origin = new URL(baseUrl).origin;
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
    (route) => route.abort('internetdisconnected'),
  );
  return context;
}

/** Logs in through the H5 «以演示用户登录» picker and waits for the 公海 page. */
export async function loginAs(page: Page, baseUrl: string, userId: string, corpId: 'dingdemo' | 'wwdemo' = 'dingdemo'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByText('以演示用户登录').waitFor();
  await page.getByTestId(`tenant-${corpId}`).click();
  await page.getByTestId(`login-as-${userId}`).click();
  await page.waitForURL(/\/pages\/map\/index/);
}
