import type { Browser } from 'playwright-core';
import { apiAs } from '../support/api';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { ensureH5Build } from '../support/build';
import { startServer, type RunningServer } from '../support/server';

const REP01 = { platform: 'dingtalk', corpId: 'dingdemo', userId: 'rep01' } as const;

interface Profile {
  id: number;
  name: string;
  level: string;
  tags: string[];
  editable: boolean;
  contacts: { id: number; name: string; title: string | null; phone: string | null }[];
}

describe('H5 in Chromium: the owner edits a customer on its profile page', () => {
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

  it('rep01 changes the level and tags, adds and edits a contact, and reads each change on the timeline', async () => {
    const get = await apiAs(server.baseUrl, REP01);
    const [mine] = (await get<{ items: { id: number; level: string }[] }>('/api/v1/me/customers')).items.filter((c) => c.level !== 'A');
    const before = (await get<{ customer: Profile }>(`/api/v1/customers/${mine!.id}`)).customer;
    expect(before.editable).toBe(true);

    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'rep01');
    await page.goto(`${server.baseUrl}/pages/customer/index?id=${before.id}`);
    await page.getByTestId('action-edit').click();
    await page.getByTestId('edit-sheet').waitFor();
    await page.getByTestId('edit-level-A').click();
    await page.getByTestId('edit-tags').locator('input').fill('重点、回访');
    await page.getByTestId('edit-save').click();
    await page.getByTestId('edit-sheet').waitFor({ state: 'detached' });
    const timeline = page.getByTestId('timeline');
    await page.getByTestId('timeline-edit').first().waitFor();
    const editText = await page.getByTestId('timeline-edit').first().textContent();
    expect(editText).toContain('修改了客户资料');
    expect(editText).toContain(`将级别由 ${before.level} 改为 A`);
    expect(editText).toContain('重点、回访');

    await page.getByTestId('action-add-contact').click();
    await page.getByTestId('contact-name').locator('input').fill('王测试');
    await page.getByTestId('contact-phone-input').locator('input').fill('13700001234');
    await page.getByTestId('contact-save').click();
    await page.getByText('添加了联系人 王测试').waitFor();

    await page.getByTestId('contact-row').filter({ hasText: '王测试' }).click();
    await page.getByTestId('contact-title').locator('input').fill('店长');
    await page.getByTestId('contact-save').click();
    await page.getByText('修改了联系人 王测试').waitFor();
    expect(await timeline.textContent()).toContain('填写职务为 店长');

    const after = (await get<{ customer: Profile }>(`/api/v1/customers/${before.id}`)).customer;
    expect(after).toMatchObject({ level: 'A', tags: ['重点', '回访'] });
    expect(after.contacts).toContainEqual({ id: expect.any(Number), name: '王测试', title: '店长', phone: '13700001234' });
    await context.close();
  });
});
