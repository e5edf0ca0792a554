import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import type { DashboardResponse } from '../../../server/src/modules/dashboard/dashboard';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { ensureH5Build } from '../support/build';
import { startServer, type RunningServer } from '../support/server';

const root = path.resolve(__dirname, '../../..');

/** `npm run screenshots` sets this to refresh docs/screenshots/ from the same walk-through. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs/screenshots') : null;
async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

const DAY = 86_400_000;

/** Sent as this run's client version, so the test can tell its server's data folder from other runs'. */
const MARKER = `m3-${process.pid}-${Date.now().toString(36)}`;

/**
 * The DATA_DIR that startServer made (a fresh `gonghai-e2e-*` folder in the temp dir, not exposed by the helper): the
 * one whose database holds this run's check-ins. The test needs it to run the reclaim command as an operator would.
 */
function findDataDir(): string {
  const found = readdirSync(os.tmpdir())
    .filter((d) => d.startsWith('gonghai-e2e-'))
    .map((d) => path.join(os.tmpdir(), d))
    .filter((d) => existsSync(path.join(d, 'gonghai.db')))
    .filter((d) => {
      const db = new Database(path.join(d, 'gonghai.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT 1 FROM visits WHERE device LIKE ? LIMIT 1').get(`%${MARKER}%`) !== undefined;
      } catch {
        return false;
      } finally {
        db.close();
      }
    });
  if (found.length !== 1) throw new Error(`expected one data folder with this run's visits, found ${found.length}`);
  return found[0]!;
}

interface Customer {
  id: number;
  name: string;
  lat: number;
  lng: number;
}

/** The demo's API as a rep's or manager's phone would call it (the sandbox mints the login code). */
async function apiAs(baseUrl: string, userId: string) {
  const { code } = (await (await fetch(`${baseUrl}/sandbox/dingtalk/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'dingdemo', userId }) })).json()) as { code: string };
  const { token } = (await (await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ platform: 'dingtalk', corpId: 'dingdemo', code }) })).json()) as { token: string };
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { token, call };
}

/** A check-in at (lat, lng) with jittering fixes of the given accuracy, as the visit page sends it. */
async function checkIn(rep: Awaited<ReturnType<typeof apiAs>>, customer: Customer, at: { lat: number; lng: number }, accuracy: number) {
  const { nonce } = (await rep.call('POST', '/api/v1/visits/nonce')).body as { nonce: string };
  const now = Date.now();
  const fixes = [0, 1, 2].map((i) => ({ lat: at.lat + i * 0.00001, lng: at.lng - i * 0.00001, accuracy: accuracy + i * 7, coord: 'gcj02', ts: now - (2 - i) * 2000 }));
  return rep.call('POST', '/api/v1/visits', { customerId: customer.id, nonce, fixes, device: { platform: 'h5', os: 'Linux', model: 'e2e', clientVersion: MARKER } });
}

/** Back one page, and wait until the page below is shown again (H5 keeps it in the DOM, hidden, meanwhile). */
async function back(page: Page, shown: Locator): Promise<void> {
  await page.goBack();
  await shown.waitFor({ state: 'visible' });
}

describe('H5 in Chromium: a manager reviews the team', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  let aged: { rep01: Customer[]; rep02: Customer[]; rep09: Customer[] };
  let suspectVisit: number;

  beforeAll(async () => {
    ensureH5Build();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);

    const [rep01, rep02, rep09] = await Promise.all([apiAs(server.baseUrl, 'rep01'), apiAs(server.baseUrl, 'rep02'), apiAs(server.baseUrl, 'rep09')]);
    const mine = async (rep: typeof rep01) => (await rep.call('GET', '/api/v1/me/customers')).body.items as Customer[];
    const [c01, c02, c09] = await Promise.all([mine(rep01), mine(rep02), mine(rep09)]);
    aged = { rep01: c01.slice(0, 2), rep02: c02.slice(0, 1), rep09: c09.slice(0, 1) };

    // This week: rep01 checks in at one customer with a poor fix (suspect: 定位精度不足) and takes a photo, then at
    // another from 5 km away (rejected: 超出签到范围); rep09 in 广州 is rejected too (a 华南 visit).
    const suspect = await checkIn(rep01, c01[2]!, c01[2]!, 350);
    expect([suspect.status, suspect.body.visit.verdict]).toEqual([201, 'suspect']);
    suspectVisit = suspect.body.visit.id;
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="rgb(90,140,200)"/><circle cx="400" cy="300" r="120" fill="white"/><rect x="120" y="380" width="260" height="120" fill="black"/></svg>';
    const form = new FormData();
    form.append('photo', new Blob([new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer())], { type: 'image/jpeg' }), 'photo.jpg');
    const upload = await fetch(`${server.baseUrl}/api/v1/visits/${suspectVisit}/photos`, { method: 'POST', headers: { authorization: `Bearer ${rep01.token}`, 'x-photo-token': suspect.body.photoToken }, body: form });
    expect(upload.status).toBe(201);
    expect((await checkIn(rep01, c01[3]!, { lat: c01[3]!.lat + 0.045, lng: c01[3]!.lng }, 15)).status).toBe(422);
    expect((await checkIn(rep09, c09[1]!, { lat: c09[1]!.lat + 0.045, lng: c09[1]!.lng }, 15)).status).toBe(422);

    // Four customers have not been visited for 20 days (the demo keeps everyone inside the 15-day rule, and a test
    // cannot wait): then the real reclaim command runs, as the 02:00 job would.
    dataDir = findDataDir();
    const db = new Database(path.join(dataDir, 'gonghai.db'));
    try {
      const age = db.prepare("UPDATE customers SET owned_since = ?, last_verified_visit_at = ? WHERE tenant_id = 'demo-dingtalk' AND id = ?");
      for (const c of [...aged.rep01, ...aged.rep02, ...aged.rep09]) age.run(Date.now() - 40 * DAY, Date.now() - 20 * DAY, c.id);
    } finally {
      db.close();
    }
    const sweep = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/src/cli/reclaim.ts'), '--tenant', 'demo-dingtalk'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PLATFORM_SANDBOX: 'on', JOBS: 'off', LOG_LEVEL: 'silent', NODE_ENV: 'development' },
      encoding: 'utf8',
    });
    expect(sweep.status).toBe(0);
    expect(JSON.parse(sweep.stdout).reclaimed).toBe(4);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('mgr-east sees 华东 on the 看板, 待审拜访, 我的团队 and 最近收回, and never 华南', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'mgr-east');
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByTestId('group-manager').waitFor();

    // 看板: the 华东 region only, with the server's own figures and sentence.
    const expected = (await (await apiAs(server.baseUrl, 'mgr-east')).call('GET', '/api/v1/dashboard/pools')).body as DashboardResponse;
    expect(expected.regions.map((r) => r.name)).toEqual(['华东']);
    const east = expected.regions[0]!;
    await page.getByText('看板', { exact: true }).click();
    const card = page.getByTestId(`region-${east.regionId}`);
    await card.waitFor();
    expect(await card.textContent()).toContain(east.saturation.reason);
    expect(await card.textContent()).toContain(String(east.poolSize));
    expect(await page.getByTestId('range-label').textContent()).toContain('（30 天）');
    expect(await page.getByTestId('verdicts').textContent()).toContain(`可疑 ${expected.totals.visits.suspect}`);
    expect(await page.getByTestId('top-reclaims').textContent()).toContain('张伟');
    const dashboard = (await page.locator('.mgr').textContent())!;
    expect(dashboard).not.toContain('华南');
    expect(dashboard).not.toContain('周杰');
    await page.getByTestId('range-7').click();
    await page.getByText('（7 天）').waitFor();
    await shot(page, 'manager-dashboard');
    await back(page, page.getByTestId('group-manager'));

    // 待审拜访: rep01's suspect visit with its reason, distance and the watermarked photo; the rejected one; no 华南 visit.
    await page.getByText('待审拜访', { exact: true }).click();
    await page.getByTestId('review-list').waitFor();
    const visit = page.getByTestId(`visit-${suspectVisit}`);
    expect(await visit.textContent()).toContain('可疑');
    expect(await visit.textContent()).toContain('定位精度不足');
    expect(await visit.textContent()).toContain('张伟');
    await visit.getByTestId('secure-photo').waitFor();
    expect(await visit.getByTestId('secure-photo').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(800);
    expect(await page.getByTestId('review-list').textContent()).toContain('超出签到范围');
    // This week's two, and the three suspect visits of 杭州一组 the demo holds for review.
    expect(await page.locator('[data-testid^="visit-"]').count()).toBe(5);
    expect(await page.getByTestId('review-list').textContent()).not.toContain('周杰');
    await shot(page, 'manager-review');
    await page.getByTestId('filter-rejected').click();
    await page.getByTestId('review-list').waitFor();
    expect(await page.locator('[data-testid^="visit-"]').count()).toBe(1);
    await back(page, page.getByTestId('group-manager'));

    // 我的团队: the nine 华东 reps (newhire01 joined 上海一组 this week); rep01 with this week's two flagged visits and the two customers reclaimed today.
    await page.getByText('团队', { exact: true }).click();
    await page.getByTestId('team-summary').waitFor();
    expect(await page.locator('[data-testid^="member-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(
      ['newhire01', 'rep01', 'rep02', 'rep03', 'rep04', 'rep05', 'rep06', 'rep07', 'rep08'].map((id) => `member-${id}`),
    );
    const rep01 = page.getByTestId('member-rep01');
    expect(await rep01.textContent()).toContain('可疑 1 · 被拒 1');
    expect(await rep01.locator('.team__figure').nth(3).textContent()).toBe('230 天被收回');
    await shot(page, 'manager-team');
    await rep01.click();
    await page.getByTestId('member-summary').waitFor();
    expect(await page.locator('[data-testid^="customer-"]').count()).toBeGreaterThan(0);
    await back(page, page.getByTestId('team-summary'));
    await back(page, page.getByTestId('group-manager'));

    // 最近收回: today's run, grouped by rep (张伟 2, 王芳 1), never rep09's.
    await page.getByText('最近收回', { exact: true }).click();
    const summary = page.getByTestId('reclaims-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain(`${today} 共收回 3 个客户，涉及 2 名业务员`);
    const zhang = page.getByTestId('rep-rep01');
    expect(await zhang.textContent()).toContain('收回 2 个');
    for (const c of aged.rep01) expect(await zhang.textContent()).toContain(c.name);
    expect(await zhang.textContent()).toContain('15 天无有效拜访 → 华东公海');
    expect(await page.getByTestId('rep-rep02').textContent()).toContain(aged.rep02[0]!.name);
    expect(await page.getByTestId('rep-rep09').count()).toBe(0);
    expect(await page.locator('.reclaims').textContent()).not.toContain(aged.rep09[0]!.name);
    await shot(page, 'manager-reclaims');
    await context.close();
  });

  it('mgr-east approves a suspect visit in 待审拜访: it leaves the list and the customer’s countdown restarts', async () => {
    const mgr = await apiAs(server.baseUrl, 'mgr-east');
    const pending = (await mgr.call('GET', '/api/v1/visits/review?verdict=suspect')).body.items as { id: number; customerId: number; userId: string }[];
    const seeded = pending.find((v) => v.userId === 'rep07')!;
    const before = (await mgr.call('GET', `/api/v1/customers/${seeded.customerId}`)).body.customer;
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'mgr-east');
    await page.goto(`${server.baseUrl}/pages/customer/index?id=${seeded.customerId}`);
    await page.getByTestId('profile-reclaim').waitFor();
    const countdownBefore = await page.getByTestId('countdown').textContent();

    await page.goto(`${server.baseUrl}/pages/review/index`);
    const card = page.getByTestId(`visit-${seeded.id}`);
    await card.waitFor();
    await card.getByTestId('review-note').locator('input').fill('电话核实过，确实在店里');
    await card.getByTestId('review-approve').click();
    await page.getByTestId('review-banner').waitFor();
    expect(await page.getByTestId('review-banner').textContent()).toContain('客户的回收倒计时从这次拜访起重新计算');
    expect(await page.getByTestId(`visit-${seeded.id}`).count()).toBe(0);

    const after = (await mgr.call('GET', `/api/v1/customers/${seeded.customerId}`)).body.customer;
    expect(Date.parse(after.reclaim.dueDate)).toBeGreaterThan(Date.parse(before.reclaim.dueDate));
    await page.goto(`${server.baseUrl}/pages/customer/index?id=${seeded.customerId}`);
    await page.getByTestId('profile-reclaim').waitFor();
    expect(await page.getByTestId('countdown').textContent()).not.toBe(countdownBefore);
    expect(await page.getByTestId('timeline').textContent()).toContain('经理 钱东 审核通过：电话核实过，确实在店里');
    await context.close();
  });

  it('shows the 看板 as a dark 大屏 at 1920×1080 with screen=1', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const origin = new URL(server.baseUrl).origin;
    await context.route((url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:', (route) => route.abort('internetdisconnected'));
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'mgr-east');
    await page.goto(`${server.baseUrl}/pages/manager/index?screen=1`);
    const screen = page.getByTestId('big-screen');
    await screen.waitFor();
    await page.getByTestId('flows').waitFor();
    expect(await screen.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 18, 32)');
    // Three columns side by side.
    const columns = await page.locator('.mgr__col').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(columns).size).toBe(1);
    expect(await screen.textContent()).not.toContain('华南');
    await shot(page, 'manager-big-screen');

    // «导出 CSV»: the same range and region, downloaded with the JWT and named for the range.
    const from = new Date(Date.now() + 8 * 3600_000 - 29 * DAY).toISOString().slice(0, 10);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe(`公海看板-${from}-${today}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('华东公海');
    expect(csv).not.toContain('华南');
    await context.close();
  });

  it('rep01 appeals one of today’s reclaims in 被收回的客户, mgr-east accepts it in 待审拜访 › 申诉, and it is rep01’s again', async () => {
    const [rep01, mgr] = await Promise.all([apiAs(server.baseUrl, 'rep01'), apiAs(server.baseUrl, 'mgr-east')]);
    const reclaimed = aged.rep01[0]!;
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'rep01');
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByTestId('group-rep').waitFor();
    await page.getByText('被收回的客户', { exact: true }).click();
    await page.getByTestId('my-reclaims').waitFor();
    const row = page.getByTestId(`reclaimed-${reclaimed.id}`);
    expect(await row.textContent()).toContain(reclaimed.name);
    await row.getByTestId('appeal-open').click();
    await row.getByTestId('appeal-reason').locator('input').fill('上周拜访过，定位一直不准');
    await row.getByTestId('appeal-submit').click();
    await row.getByTestId('appeal-status').waitFor();
    expect(await row.getByTestId('appeal-status').textContent()).toBe('申诉中，等待经理处理');
    await shot(page, 'rep-appeal');
    await context.close();

    const managerContext = await phoneContext(browser, server.baseUrl);
    const managerPage = await managerContext.newPage();
    await loginAs(managerPage, server.baseUrl, 'mgr-east');
    await managerPage.goto(`${server.baseUrl}/pages/review/index`);
    await managerPage.getByTestId('filter-appeals').click();
    await managerPage.getByTestId('appeal-list').waitFor();
    const appeals = (await mgr.call('GET', '/api/v1/appeals?status=open')).body.items as { id: number; customerId: number }[];
    const mine = appeals.find((a) => a.customerId === reclaimed.id)!;
    const card = managerPage.getByTestId(`appeal-${mine.id}`);
    expect(await card.textContent()).toContain('申诉理由：上周拜访过，定位一直不准');
    await card.getByTestId('appeal-note').locator('input').fill('拜访记录属实');
    await card.getByTestId('appeal-accept').click();
    await managerPage.getByTestId('appeal-banner').waitFor();
    expect(await managerPage.getByTestId('appeal-banner').textContent()).toBe(`已同意：「${reclaimed.name}」已退回 张伟 名下`);
    expect(await managerPage.getByTestId(`appeal-${mine.id}`).count()).toBe(0);
    await managerContext.close();

    const profile = (await rep01.call('GET', `/api/v1/customers/${reclaimed.id}`)).body.customer;
    expect([profile.status, profile.ownerId]).toEqual(['owned', 'rep01']);
    expect(profile.timeline[0]).toMatchObject({ type: 'appeal_restored', toUserId: 'rep01', reason: '申诉通过：拜访记录属实' });
  });
});
