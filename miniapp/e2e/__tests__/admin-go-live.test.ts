import ExcelJS from 'exceljs';
import type { Browser, Download, Page } from 'playwright-core';
import { apiAs, type Get } from '../support/api';
import { launchBrowser, loginAs, phoneContext } from '../support/browser';
import { ensureH5Build } from '../support/build';
import { startServer, type RunningServer } from '../support/server';

interface Step {
  key: string;
  title: string;
  done: boolean;
  detail: string;
}

interface AdminPoolSeen {
  id: number;
  name: string;
  departmentIds: string[];
  rules: { kind: string; days: number; enabled: boolean }[];
  archivedAt: string | null;
}

/** The rows of a downloaded .xlsx (first worksheet), each cell as the file holds it; an empty cell reads as ''. */
async function downloadedRows(download: Download): Promise<string[][]> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  const rows: string[][] = [];
  const sheet = wb.worksheets[0]!;
  sheet.eachRow((row) => rows.push(Array.from({ length: sheet.columnCount }, (_, i) => String(row.getCell(i + 1).value ?? ''))));
  return rows;
}

/** rep05 (陈静) works in 杭州一组: the rep who is made HR here, in this file's own server (its own fresh demo). */
const REP = { id: 'rep05', name: '陈静' };

describe('H5 in Chromium: admin01 takes a company live (开通向导, 组织与角色, 公海池, 导入导出客户), and the new HR opens 新人分配', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Get;

  beforeAll(async () => {
    ensureH5Build();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    admin = await apiAs(server.baseUrl, { platform: 'dingtalk', corpId: 'dingdemo', userId: 'admin01' });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const openFromWorkbench = async (page: Page, entry: string) => {
    await page.getByText('工作台', { exact: true }).last().click();
    await page.getByText(entry, { exact: true }).click();
  };

  it('admin01 reads the checklist, grants 人事 to rep05, creates a pool for 杭州一组, imports a file into it and exports it; rep05 then opens 新人分配', async () => {
    const context = await phoneContext(browser, server.baseUrl);
    const page = await context.newPage();
    await loginAs(page, server.baseUrl, 'admin01');

    // 开通向导: the steps as the server decides them from the demo's database, each shown with its state and detail.
    await openFromWorkbench(page, '开通向导');
    const { steps } = await admin<{ steps: Step[] }>('/api/v1/admin/onboarding');
    expect(steps.map((s) => s.key)).toEqual(['tenant', 'org', 'admins', 'regions', 'pools', 'customers', 'approval', 'robots']);
    await page.getByTestId('step-tenant').waitFor();
    for (const s of steps) {
      expect(await page.getByTestId(`step-${s.key}-state`).textContent()).toBe(s.done ? '✓ 已完成' : '待完成');
      expect(await page.getByTestId(`step-${s.key}-detail`).textContent()).toBe(s.detail);
    }
    // The demo is a company that is fully set up: one admin, the two regions, its pools with members and rules.
    expect(steps.filter((s) => !s.done).map((s) => s.key)).toEqual([]);
    expect(await page.getByTestId('onboarding-summary').textContent()).toBe('全部完成，可以正式上线了');
    expect(await page.getByTestId('step-admins-detail').textContent()).toBe('1 位管理员：严管');
    expect(await page.getByTestId('step-regions-detail').textContent()).toBe('2 个大区：华东、华南');

    // 组织与角色, opened from its step: rep05 is made 人事 too.
    await page.getByTestId('step-admins-open').click();
    await page.waitForURL(/\/pages\/admin-org\/index/);
    await page.getByTestId('dept-row-22').waitFor();
    expect(await page.getByTestId('dept-row-22').textContent()).toContain('杭州一组');
    await page.getByTestId('user-search').locator('input').fill(REP.id);
    const chip = page.getByTestId(`role-${REP.id}-hr`);
    await page.getByTestId('user-total').filter({ hasText: '共 1 人' }).waitFor();
    expect(await chip.getAttribute('data-on')).toBe('false');
    await chip.click();
    await page.getByText(`已保存${REP.name}的角色：业务员、人事（下次操作时生效）`).waitFor();
    expect(await chip.getAttribute('data-on')).toBe('true');
    const { items: users } = await admin<{ items: { id: string; roles: string[] }[] }>(`/api/v1/admin/users?q=${REP.id}`);
    expect(users.find((u) => u.id === REP.id)!.roles).toEqual(['rep', 'hr']);

    // The last admin cannot drop 管理员: the server's refusal is shown as it words it.
    await page.getByTestId('user-search').locator('input').fill('admin01');
    await page.getByTestId('user-total').filter({ hasText: '共 1 人' }).waitFor();
    await page.getByTestId('role-admin01-rep').click();
    await page.getByText('已保存严管的角色：业务员、管理员（下次操作时生效）').waitFor();
    await page.getByTestId('role-admin01-admin').click();
    const refusal = page.getByTestId('banner-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('不能取消这位同事的管理员角色：他是公司最后一位在职的管理员');
    expect(await page.getByTestId('role-admin01-admin').getAttribute('data-on')).toBe('true');

    // 公海池: a new pool for 杭州一组, its member department picked on the tree.
    await page.goBack();
    await page.getByTestId('step-pools-open').click();
    await page.waitForURL(/\/pages\/admin-pools\/index/);
    await page.getByTestId('new-pool').click();
    await page.getByTestId('pool-name').locator('input').fill('杭州一组公海');
    await page.getByTestId('member-22').click();
    expect(await page.getByTestId('member-22').getAttribute('data-on')).toBe('true');
    await page.getByTestId('create-pool').click();
    await page.getByText('已新建「杭州一组公海」').waitFor();

    const { items: pools } = await admin<{ items: AdminPoolSeen[] }>('/api/v1/admin/pools');
    const created = pools.find((p) => p.name === '杭州一组公海')!;
    expect(created).toMatchObject({ departmentIds: ['22'], archivedAt: null });
    expect(created.rules.map((r) => ({ kind: r.kind, days: r.days, enabled: r.enabled }))).toEqual([{ kind: 'no_verified_visit', days: 30, enabled: true }]);
    expect(await page.getByTestId(`pool-${created.id}-departments`).textContent()).toBe('成员部门：杭州一组');
    expect(await page.getByTestId(`pool-${created.id}-count`).textContent()).toBe('公海 0 · 已领 0');

    // 导入客户, opened from its step: two customers of a small .csv go into the new pool, a dry run first.
    await page.goBack();
    await page.getByTestId('step-customers-open').click();
    await page.waitForURL(/\/pages\/admin-import\/index/);
    await page.getByTestId(`import-pool-${created.id}`).click();
    const csv = ['客户名称,地址,纬度,经度,坐标系,级别,标签,联系人,职务,电话,负责人', '龙井问茶茶社,杭州市西湖区龙井路 1 号,30.2306,120.1218,gcj02,A,茶叶;老客户,王老板,店主,13812340001,', '钱江五金商行,杭州市上城区钱江路 9 号,30.2452,120.2081,gcj02,B,五金,李经理,经理,13812340002,'].join('\n');
    await page.getByTestId('import-file').setInputFiles({ name: '杭州一组客户.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.getByText('试导入', { exact: true }).click();
    const report = page.getByTestId('import-report');
    await report.filter({ hasText: '试导入（未写入）' }).waitFor();
    expect(await report.textContent()).toMatch(/^试导入（未写入）：共 2 行，新建 2，跳过 0/);
    expect((await admin<{ items: { poolId: number; poolCustomers: number }[] }>('/api/v1/admin/pool-counts')).items.find((c) => c.poolId === created.id)).toBeUndefined();
    await page.getByText('确认导入', { exact: true }).click();
    await report.filter({ hasText: '已导入' }).waitFor();
    expect(await report.textContent()).toMatch(/^已导入：共 2 行，新建 2，跳过 0/);
    expect((await admin<{ items: { poolId: number; poolCustomers: number; ownedCustomers: number }[] }>('/api/v1/admin/pool-counts')).items.find((c) => c.poolId === created.id)).toEqual({ poolId: created.id, poolCustomers: 2, ownedCustomers: 0 });

    // 导出客户: the new pool as .xlsx, downloaded with the JWT, named by the phone's date (Asia/Shanghai here).
    await page.getByTestId(`export-pool-${created.id}`).click();
    const exportButton = page.getByTestId('export-xlsx');
    expect(await exportButton.textContent()).toBe('导出 Excel');
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect(download.suggestedFilename()).toBe(`客户导出-${today}.xlsx`);
    const rows = await downloadedRows(download);
    expect(rows[0]).toEqual(['客户名称', '地址', '纬度', '经度', '坐标系', '级别', '标签', '联系人', '职务', '电话', '负责人', '状态', '负责人姓名', '最近有效拜访', '回收到期']);
    // Both imported customers, in the pool: status 公海, no owner, no verified visit, nothing due.
    expect(rows.slice(1).map((r) => [r[0], r[6], r[7], r[9], r[10], r[11], r[12], r[13], r[14]])).toEqual([
      ['龙井问茶茶社', '茶叶;老客户', '王老板', '13812340001', '', '公海', '', '', ''],
      ['钱江五金商行', '五金', '李经理', '13812340002', '', '公海', '', '', ''],
    ]);
    await page.getByTestId('export-done').waitFor();
    // 已领取 of the same pool: none yet, so the file holds the header row alone.
    await page.getByTestId('export-status-owned').click();
    const [ownedOnly] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(await downloadedRows(ownedOnly)).toEqual([rows[0]]);
    await context.close();

    // rep05 logs in again: now also 人事, with 新人分配 on the 工作台, whose picker loads the people to assign to.
    const repContext = await phoneContext(browser, server.baseUrl);
    const repPage = await repContext.newPage();
    await loginAs(repPage, server.baseUrl, REP.id);
    await repPage.getByText('工作台', { exact: true }).last().click();
    await repPage.getByTestId('group-hr').waitFor();
    await repPage.getByText('新人分配', { exact: true }).click();
    const first = repPage.locator('[data-testid^="hire-"]').first();
    await first.waitFor();
    expect(await first.getAttribute('data-testid')).toBe('hire-newhire01');
    expect(await first.textContent()).toContain('新人小白');
    await repContext.close();
  });
});
