import type { Browser } from 'playwright-core';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { dingtalkToken, requestJson } from '../support/api';
import { ensureH5Build } from '../support/build';
import { startServer, type RunningServer } from '../support/server';

describe('H5 in Chromium: the manager picks a leaver’s successor (离职交接)', () => {
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

  const json = (method: string, urlPath: string, body?: unknown, token?: string) => requestJson(server.baseUrl, method, urlPath, body, token);
  const tokenFor = (userId: string) => dingtalkToken(server.baseUrl, userId);
  const ownedIds = async (token: string): Promise<number[]> => ((await json('GET', '/api/v1/me/customers', undefined, token)).body.items as { id: number }[]).map((c) => c.id).sort((a, b) => a - b);

  it('rep06 leaves under the successor policy; mgr-east hands all of 杨磊’s customers to 赵敏 from 工作台 → 离职交接', async () => {
    const [admin, manager, rep06, rep07] = await Promise.all(['admin01', 'mgr-east', 'rep06', 'rep07'].map(tokenFor));
    expect(await json('PUT', '/api/v1/admin/settings', { departurePolicy: 'successor' }, admin)).toMatchObject({ status: 200, body: { settings: { departurePolicy: 'successor' } } });
    const leaving = await ownedIds(rep06!);
    const held = await ownedIds(rep07!);
    expect(leaving.length).toBeGreaterThan(3);

    // rep06 (杨磊) leaves through the platform's own event: the customers stay put, waiting for a successor.
    expect(await json('DELETE', '/sandbox/dingtalk/_control/org/users/rep06')).toMatchObject({ status: 200, body: { delivered: true } });
    const pending = await json('GET', '/api/v1/handovers?status=pending', undefined, manager);
    expect(pending.body.items).toEqual([expect.objectContaining({ userId: 'rep06', userName: '杨磊', customers: leaving.length })]);

    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'mgr-east');
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByText('离职交接', { exact: true }).click();
    const card = page.getByTestId('handover-rep06');
    await card.waitFor();
    expect(await card.getByTestId('handover-deadline').textContent()).toMatch(/^还剩 7[12] 小时，逾期退回公海$/);
    expect(await card.getByTestId('handover-customers').textContent()).toMatch(new RegExp(`^.+ 等 ${leaving.length} 个客户$`));

    await card.getByTestId('pick-successor').click();
    await card.getByTestId('successor-rep07').click();
    // The leaver is never offered as their own successor.
    expect(await card.getByTestId('successor-rep06').count()).toBe(0);
    expect(await card.getByTestId('handover-confirm').textContent()).toContain(`把 杨磊 名下的 ${leaving.length} 个客户全部交接给 赵敏（现持有 ${held.length} 个）？`);
    await card.getByTestId('handover-submit').click();
    await page.getByTestId('handover-banner').waitFor();
    expect(await page.getByTestId('handover-banner').textContent()).toBe(`已交接：杨磊 的 ${leaving.length} 个客户已转到 赵敏 名下，已通知对方`);
    await page.getByText('没有等待交接的离职员工').waitFor();
    expect(await page.getByTestId('handover-rep06').count()).toBe(0);

    // The server agrees: nothing pending, every customer of 杨磊 now 赵敏’s.
    expect((await json('GET', '/api/v1/handovers?status=pending', undefined, admin)).body).toEqual({ items: [] });
    expect(await ownedIds(rep07!)).toEqual([...held, ...leaving].sort((a, b) => a - b));
    await context.close();
  });

  it('admin01 hands 陈静’s customers to 周杰 of 华南, outside their pool: the refusal is shown, 强制交接 moves them', async () => {
    const [admin, rep05, rep09] = await Promise.all(['admin01', 'rep05', 'rep09'].map(tokenFor));
    const leaving = await ownedIds(rep05!);
    const held = await ownedIds(rep09!);
    expect(await json('DELETE', '/sandbox/dingtalk/_control/org/users/rep05')).toMatchObject({ status: 200, body: { delivered: true } });

    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'admin01');
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByText('离职交接', { exact: true }).click();
    const card = page.getByTestId('handover-rep05');
    await card.getByTestId('pick-successor').click();
    await card.getByTestId('search-successor').locator('input').fill('周杰');
    await card.getByTestId('successor-rep09').click();
    await card.getByTestId('handover-submit').click();
    // The server's own words, and the way past them.
    const warning = card.getByTestId('banner-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`这 ${leaving.length} 个客户都没有转交`);
    expect(await ownedIds(rep09!)).toEqual(held);
    await card.getByTestId('handover-force').click();
    await page.getByTestId('handover-banner').waitFor();
    expect(await page.getByTestId('handover-banner').textContent()).toBe(`已交接：陈静 的 ${leaving.length} 个客户已转到 周杰 名下，已通知对方`);
    expect(await ownedIds(rep09!)).toEqual([...held, ...leaving].sort((a, b) => a - b));
    expect((await json('GET', '/api/v1/handovers?status=pending', undefined, admin)).body).toEqual({ items: [] });
    await context.close();
  });
});
