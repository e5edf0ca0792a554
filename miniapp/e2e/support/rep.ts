import type { Page } from 'playwright-core';
import { apiAs, type DemoAccount } from './api';
import { PEOPLES_SQUARE_GCJ02 } from './browser';

/** A rep the walk-through runs as: one per platform, each in its own demo tenant (DESIGN §12). */
export interface DemoRep extends DemoAccount {
  corpId: 'dingdemo' | 'wwdemo';
  /** The name the app shows for them (the platform's directory). */
  name: string;
  /** Their company's name in the app (the demo tenant's). */
  tenantName: string;
  /** The channel of the code the H5 app logs in with there: DingTalk's 免登 code, WeCom's OAuth code (wecom-api §2b). */
  h5Channel: 'miniprogram' | 'oauth';
  /** The pool their nearby pool customers belong to. */
  pool: string;
  /** Where those pool customers are (GCJ-02); the phone's emulated GPS stands there. */
  place: { lat: number; lng: number };
  /** Whether this run refreshes docs/screenshots/ under `npm run screenshots` (one run does, so they stay DingTalk's). */
  screenshots: boolean;
}

/**
 * Both demo tenants are seeded alike (server/src/demo/seed-demo.ts): the same org, 华东公海 for the Shanghai and
 * Hangzhou teams, and 70 of its pool customers within 900 m of 人民广场. The WeCom run takes another rep of 上海一组, so
 * nothing in the walk-through can pass on a name or id that only fits rep01.
 */
export const DEMO_REPS: readonly DemoRep[] = [
  { corpId: 'dingdemo', platform: 'dingtalk', userId: 'rep01', name: '张伟', tenantName: '公海演示（钉钉）', h5Channel: 'miniprogram', pool: '华东公海', place: PEOPLES_SQUARE_GCJ02, screenshots: true },
  { corpId: 'wwdemo', platform: 'wecom', userId: 'rep02', name: '王芳', tenantName: '公海演示（企业微信）', h5Channel: 'oauth', pool: '华东公海', place: PEOPLES_SQUARE_GCJ02, screenshots: false },
];

/** The ids of the customers listed on the 公海 list view, nearest first. */
export async function listedIds(page: Page): Promise<number[]> {
  await page.getByTestId('nearby-list').waitFor();
  return page
    .getByTestId('nearby-list')
    .locator('[data-testid^="row-"]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-testid')!.slice(4))));
}

/** On the 公海 list view: taps 领取 on the nearest customer and returns it with the success banner's text. */
export async function claimNearest(page: Page): Promise<{ id: number; name: string; banner: string }> {
  const [id] = await listedIds(page);
  if (id === undefined) throw new Error('公海列表是空的：附近没有可领取的客户');
  const name = (await page.getByTestId(`row-${id}`).getByTestId('customer-name').textContent())!;
  await page.getByTestId(`claim-${id}`).click();
  const ok = page.getByTestId('banner-success');
  await ok.waitFor();
  return { id, name, banner: (await ok.textContent())! };
}

/**
 * How long a freshly claimed customer of `rep.pool` stays theirs: the earliest rule of that pool in the tenant's own
 * settings (read as the tenant's admin01), which the walk-through expects in «还剩 N 天» and «N 天无有效拜访».
 */
export async function claimHoldDays(baseUrl: string, rep: DemoRep): Promise<number> {
  const get = await apiAs(baseUrl, { ...rep, userId: 'admin01' });
  const { items } = await get<{ items: { name: string; rules: { kind: string; days: number; enabled: boolean; levels: string[]; tags: string[] }[] }[] }>('/api/v1/admin/pools');
  const rules = items.find((p) => p.name === rep.pool)?.rules.filter((r) => r.enabled && r.levels.length === 0 && r.tags.length === 0) ?? [];
  const first = [...rules].sort((a, b) => a.days - b.days)[0];
  // The pages' wording below («无有效拜访») is that rule's; another earliest rule would need other expectations.
  if (first?.kind !== 'no_verified_visit') throw new Error(`${rep.corpId} 的「${rep.pool}」最早到期的规则不是「无有效拜访」：${JSON.stringify(rules)}`);
  return first.days;
}
