import { demoCities } from '@gonghai/config';
import { SecretBox } from '../server/src/crypto/secret-box';
import type { Db } from '../server/src/db/create-db';
import type { SeededRandom } from '../server/src/demo/random';

/** The MASTER_KEY of every bench database and of the claim server (a bench DB holds no real secret). */
export const BENCH_MASTER_KEY = 'be0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0cbe0c';
export const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret-01';
export const BENCH_TIME_ZONE = 'Asia/Shanghai';

export type City = (typeof demoCities)[number];

const brandWords = ['恒通', '华信', '鼎盛', '金源', '宏达', '瑞丰', '博远', '嘉禾', '新锐', '天成', '联创', '中泰', '汇丰', '永安', '海纳', '正元', '明德', '立信', '盛世', '东方'];
const industries = ['贸易', '科技', '餐饮', '医药', '建材', '物流', '电子', '服饰', '食品', '家居', '汽配', '文化'];
const suffixes = ['有限公司', '商行', '门店', '连锁店'];
const roads = ['人民路', '中山路', '解放路', '建设路', '新华路', '延安路', '南京路', '长江路', '东风路', '文化路', '和平路', '复兴路'];
const levels = ['A', 'B', 'B', 'C', 'C', 'C', 'D'];

export function companyName(rnd: SeededRandom, city: City, serial: number): string {
  return `${city.name}${rnd.pick(brandWords)}${rnd.pick(industries)}${rnd.pick(suffixes)}${serial}`;
}

export function streetAddress(rnd: SeededRandom, city: City): string {
  return `${city.name}市${rnd.pick(roads)}${rnd.int(1, 999)}号`;
}

export function customerLevel(rnd: SeededRandom): string {
  return rnd.pick(levels);
}

/** Offsets a GCJ-02 point by metres east/north, rounded to 6 decimals as phones report them. */
export function offsetPoint(lat: number, lng: number, eastM: number, northM: number): { lat: number; lng: number } {
  const dLat = northM / 111_320;
  const dLng = eastM / (111_320 * Math.cos((lat * Math.PI) / 180));
  return { lat: Number((lat + dLat).toFixed(6)), lng: Number((lng + dLng).toFixed(6)) };
}

/** A tenant row as onboarding would write it (sealed secrets under BENCH_MASTER_KEY). */
export async function insertTenant(db: Db, tenantId: string, now: number): Promise<void> {
  const box = new SecretBox(BENCH_MASTER_KEY);
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      name: `压测企业 ${tenantId}`,
      platform: 'dingtalk',
      corp_id: `corp-${tenantId}`,
      app_key: `key-${tenantId}`,
      app_secret_enc: box.seal('bench-app-secret'),
      agent_id: '1',
      callback_token_enc: null,
      callback_aes_key_enc: null,
      time_zone: BENCH_TIME_ZONE,
      settings: '{}',
      created_at: now,
    })
    .execute();
}

/** Active reps `<prefix>0001…`, in a department when given. */
export async function insertReps(db: Db, tenantId: string, count: number, opts: { prefix: string; departmentId?: string; now: number }): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${opts.prefix}${String(i + 1).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db
      .insertInto('users')
      .values(chunk.map((id) => ({ tenant_id: tenantId, id, name: `业务员${id}`, mobile: null, title: '销售代表', manager_id: null, hired_date: null, active: 1, left_at: null, roles: 'rep', created_at: opts.now, updated_at: opts.now })))
      .execute();
    if (opts.departmentId !== undefined) {
      const departmentId = opts.departmentId;
      await db
        .insertInto('user_departments')
        .values(chunk.map((id) => ({ tenant_id: tenantId, user_id: id, department_id: departmentId, is_leader: 0 })))
        .execute();
    }
  }
  return ids;
}

/** A pool with the demo's defaults (cap 200, 20 claims a day, 30 days cooldown); returns its id. */
export async function insertPool(db: Db, tenantId: string, name: string, now: number, overrides: { maxOwnedPerRep?: number; dailyClaimLimit?: number } = {}): Promise<number> {
  const res = await db
    .insertInto('pools')
    .values({
      tenant_id: tenantId,
      name,
      parent_pool_id: null,
      escalate_after_days: null,
      escalate_to_pool_id: null,
      max_owned_per_rep: overrides.maxOwnedPerRep ?? 200,
      max_owned_per_level: '{}',
      cap_excludes_won: 0,
      daily_claim_limit: overrides.dailyClaimLimit ?? 20,
      prior_owner_cooldown_days: 30,
      claim_radius_m: null,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

/** The demo's two reclaim rules on a pool, so customer DTOs compute real countdowns. */
export async function insertDefaultRules(db: Db, tenantId: string, poolId: number, now: number): Promise<void> {
  const rule = { tenant_id: tenantId, pool_id: poolId, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[3,1]', notify_manager: 1, target_pool_id: null, version: 1, created_at: now, updated_at: now };
  await db
    .insertInto('pool_rules')
    .values([
      { ...rule, kind: 'no_verified_visit', days: 15 },
      { ...rule, kind: 'no_deal', days: 90 },
    ])
    .execute();
}
