import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { dingtalkToken, requestJson } from '../support/api';
import { ensureH5Build } from '../support/build';
import { startServer, type RunningServer } from '../support/server';

/** UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/ (375×812) from this walk-through, like the rep tests. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../../docs/screenshots') : null;
async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

interface SandboxApproval {
  instanceId: string;
  originatorUserId: string;
  status: string;
  fields: { name: string; value: string }[];
}

describe('H5 in Chromium: HR assigns a starter pack, admin edits a reclaim rule', () => {
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
  const openFromWorkbench = async (page: Page, entry: string) => {
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByText(entry, { exact: true }).click();
  };

  it('hr01 picks 新人小白, submits the suggested 30, the sandbox approval is agreed, and newhire01 sees the 30 customers', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'hr01');
    await openFromWorkbench(page, '新人分配');

    // The newest hire comes first in the picker.
    const first = page.locator('[data-testid^="hire-"]').first();
    await first.waitFor();
    expect(await first.getAttribute('data-testid')).toBe('hire-newhire01');
    expect(await first.textContent()).toContain('新人小白');
    await first.click();

    // The suggested pack: 30 customers on the (offline) map and in the list, each with distance, level and reason.
    const countLine = page.getByTestId('pack-count');
    await countLine.waitFor();
    expect(await countLine.textContent()).toContain('已选 30 个客户');
    const rows = page.getByTestId('pack-list').locator('[data-testid^="pack-"]');
    expect(await rows.count()).toBe(30);
    expect(await page.locator('[data-testid^="marker-"]').count()).toBe(30);
    const ids = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('pack-'.length))));
    expect(await rows.first().textContent()).toMatch(/距基地 [\d,]+ 米 · [ABCD] 级/);
    await shot(page, 'hr-assign');
    await page.getByTestId('pack-list').scrollIntoViewIfNeeded();
    await shot(page, 'hr-assign-list');

    await page.getByTestId('submit').click();
    const result = page.getByTestId('submit-result');
    await result.waitFor();
    expect(await page.getByTestId('reserved-count').textContent()).toBe('30');
    expect(await result.textContent()).toContain('所选客户全部预留成功');
    const instanceId = /审批单号：(\S+)/.exec((await page.getByTestId('approval-instance').textContent())!)![1]!;

    // The DingTalk sandbox holds the pending approval, started by hr01 for 30 customers; the test agrees it.
    const approvals = (await json('GET', '/sandbox/dingtalk/_control/approvals')).body.items as SandboxApproval[];
    const approval = approvals.find((a) => a.instanceId === instanceId)!;
    expect(approval.originatorUserId).toBe('hr01');
    expect(approval.status).toBe('pending');
    expect(approval.fields.find((f) => f.name === '新人')?.value).toBe('新人小白（上海一组）');
    expect(approval.fields.find((f) => f.name === '客户数')?.value).toBe('30');
    const decided = await json('POST', `/sandbox/dingtalk/_control/approvals/${encodeURIComponent(instanceId)}/decide`, { approved: true });
    expect(decided.status).toBe(200);
    expect(((await json('GET', '/sandbox/dingtalk/_control/approvals')).body.items as SandboxApproval[]).find((a) => a.instanceId === instanceId)!.status).toBe('approved');

    // 分配进度 shows it approved with every customer assigned.
    await page.getByTestId('go-status').click();
    await page.waitForURL(/\/pages\/hr-status\/index\?id=\d+/);
    const id = Number(/id=(\d+)/.exec(page.url())![1]);
    const status = page.getByTestId(`status-${id}`);
    await status.waitFor();
    expect(await status.textContent()).toBe('已通过');
    expect(await page.getByTestId('counts').textContent()).toBe('共 30 个客户 · 已分配 30');
    await shot(page, 'hr-status');
    await context.close();

    // newhire01's 我的客户 lists exactly those 30.
    const hire = await phoneContext(browser, server.baseUrl);
    const hirePage = await hire.newPage();
    await loginAs(hirePage, server.baseUrl, 'newhire01');
    await hirePage.getByText('我的客户', { exact: true }).last().click();
    const summary = hirePage.getByTestId('mine-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/^共 30 个客户/);
    const mine = await hirePage.getByTestId('mine-list').locator('[data-testid^="mine-"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('mine-'.length))));
    expect(mine.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    await hire.close();
  });

  it('admin01 changes a rule’s days in 公海池, the preview shows what it would reclaim, and the save is stored', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'admin01');
    await openFromWorkbench(page, '公海池');

    const token = await tokenFor('admin01');
    const east = ((await json('GET', '/api/v1/admin/pools', undefined, token)).body.items as { id: number; name: string; rules: { id: number; days: number }[] }[]).find((p) => p.name === '华东公海')!;
    expect(east.rules[0]!.days).toBe(15);
    await page.getByTestId(`pool-${east.id}`).click();
    const days = page.getByTestId('rule-0-days').locator('input');
    await days.waitFor();
    expect(await days.inputValue()).toBe('15');
    await days.fill('10');

    // What the server's own dry run of the same proposal says, to compare the page with.
    const expected = (await json('POST', `/api/v1/admin/pools/${east.id}/preview`, { rules: east.rules.map((r, i) => (i === 0 ? { ...r, days: 10 } : r)) }, token)).body as { reclaimed: number };
    const current = (await json('POST', `/api/v1/admin/pools/${east.id}/preview`, {}, token)).body as { reclaimed: number };
    expect(expected.reclaimed).toBeGreaterThan(current.reclaimed);

    await page.getByTestId('run-preview').click();
    const headline = page.getByTestId('preview-headline');
    await headline.waitFor();
    expect(await headline.textContent()).toMatch(new RegExp(`^此修改将收回 ${expected.reclaimed} 个客户（现有规则下 ${current.reclaimed} 个）：10 天无有效拜访 ${expected.reclaimed} 个；`));
    await page.getByTestId('preview').scrollIntoViewIfNeeded();
    await shot(page, 'admin-pools');

    await page.getByTestId('save').click();
    await page.getByText('已保存「华东公海」').waitFor();
    const after = ((await json('GET', '/api/v1/admin/pools', undefined, token)).body.items as { id: number; rules: { id: number; days: number; version: number }[] }[]).find((p) => p.id === east.id)!;
    expect(after.rules[0]).toMatchObject({ id: east.rules[0]!.id, days: 10, version: 2 });
    await context.close();
  });
});
