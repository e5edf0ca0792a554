import { demoCities, demoDepartments, demoTenants, demoUsers, peoplesSquare } from '@gonghai/config';
import type { Insertable } from 'kysely';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/create-db';
import { encodeGeohash } from '../geo/geo';
import type { CustomerContactsTable, CustomersTable, FollowUpsTable } from '../modules/customers/customers.table';
import { nameKey, phoneKey } from '../modules/customers/duplicates';
import { AppError } from '../errors';
import { sealBot } from '../modules/notify/robot-ref';
import { grantAppRoles } from '../modules/org/org.repository';
import { recordHistory, type PastChange } from '../modules/pool/ownership-writer';
import { refreshPoolMembers } from '../modules/pool/pool.repository';
import { demoRefusal } from '../modules/tenants/sandbox.policy';
import { defaultTenantSettings } from '../modules/tenants/tenants';
import { countTenantsByKind } from '../modules/tenants/tenants.repository';
import { chainMissing, type EvidenceChain } from '../modules/evidence/evidence.service';
import { DAY_MS } from '../time';
import { SeededRandom } from './random';
import { demoReviewVisits } from './review-visits';

export const DEMO_CUSTOMERS_PER_CITY = 500;
/** Pool customers placed within 900 m of 人民广场 (DESIGN §12 asks for at least 50 within 1 km). */
export const DEMO_PEOPLES_SQUARE_POOL = 70;
const OWNED_PER_REP = 40;

const brandWords = ['恒通', '华信', '鼎盛', '金源', '宏达', '瑞丰', '博远', '嘉禾', '新锐', '天成', '联创', '中泰', '汇丰', '永安', '海纳', '正元', '明德', '立信', '盛世', '东方', '长青', '星河', '和美', '卓越', '启航'];
const industries = ['贸易', '科技', '餐饮', '医药', '建材', '物流', '电子', '服饰', '食品', '家居', '汽配', '文化', '教育', '酒店', '五金'];
const suffixes = ['有限公司', '股份有限公司', '商行', '门店', '连锁店'];
const roads = ['人民路', '中山路', '解放路', '建设路', '新华路', '延安路', '南京路', '长江路', '东风路', '文化路', '和平路', '复兴路'];
const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const contactTitles = ['总经理', '采购经理', '店长', '老板', '财务', '行政主管'];
const levels = ['A', 'B', 'B', 'C', 'C', 'C', 'D'];
const followUpNotes = ['电话沟通了新品报价，客户有兴趣', '上门拜访，见到了采购经理', '客户要求下周再联系', '发送了产品资料', '客户反馈价格偏高，需要申请折扣'];
const releaseReasons = defaultTenantSettings.releaseReasons;

/** Offsets a point by metres east/north. */
function offset(lat: number, lng: number, eastM: number, northM: number) {
  const dLat = northM / 111_320;
  const dLng = eastM / (111_320 * Math.cos((lat * Math.PI) / 180));
  return { lat: Number((lat + dLat).toFixed(6)), lng: Number((lng + dLng).toFixed(6)) };
}

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 400) await insert(rows.slice(i, i + 400));
}

export interface SeedResult {
  created: boolean;
  tenants: { id: string; customers: number; poolCustomers: number; owned: number }[];
}

/**
 * Creates the demo of DESIGN §12 once: both tenants, their org (synced from the platform), the pools and rules, and about
 * 2,000 customers per tenant with histories. Deterministic apart from being relative to `now`. A second call does
 * nothing.
 */
export interface SeedOptions {
  secrets: SecretBox;
  now: number;
  /** Brings the tenant's org in from its platform (a full directory sync against the sandbox). */
  syncOrg: (tenantId: string) => Promise<unknown>;
  /** Chains the demo's visits, as the check-ins and finishes would have. */
  evidence: EvidenceChain;
  log?: (line: string) => void;
}

export async function seedDemo(db: Db, opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  const tenants = await countTenantsByKind(db);
  // Never beside a real company (DESIGN §11): its platform calls would reach the sandbox, its users the demo logins.
  const refusal = demoRefusal(tenants);
  if (refusal !== undefined) throw new AppError(409, 'production_database', refusal);
  if (tenants.demo > 0) return { created: false, tenants: [] };
  const result: SeedResult = { created: true, tenants: [] };
  for (const tenant of demoTenants) {
    log(`  正在生成演示企业 ${tenant.id} …`);
    result.tenants.push(await seedTenant(db, opts, tenant));
  }
  return result;
}

async function seedTenant(db: Db, opts: SeedOptions, tenant: (typeof demoTenants)[number]) {
  const { now, secrets } = opts;
  const t = tenant.id;
  const rnd = new SeededRandom(20261127);
  await db
    .insertInto('tenants')
    .values({
      id: t,
      kind: 'demo',
      name: tenant.name,
      platform: tenant.platform,
      corp_id: tenant.corpId,
      app_key: tenant.appKey,
      app_secret_enc: secrets.seal(tenant.appSecret),
      agent_id: tenant.agentId,
      callback_token_enc: secrets.seal(tenant.callbackToken),
      callback_aes_key_enc: secrets.seal(tenant.callbackAesKey),
      time_zone: 'Asia/Shanghai',
      settings: JSON.stringify({ ...defaultTenantSettings, approvalTemplateId: tenant.approvalTemplateId, poolReturnBots: [sealBot(secrets, tenant.robot)] }),
      created_at: now,
    })
    .execute();
  // The org reaches the database the production way: a directory sync from the platform (here its sandbox).
  await opts.syncOrg(t);
  for (const u of demoUsers) if (u.appRoles?.length) await grantAppRoles(db, t, u.userId, [...u.appRoles]);
  const regions = demoDepartments.filter((d) => d.region).map((d) => String(d.id));
  await db.updateTable('departments').set({ is_region: 1 }).where('tenant_id', '=', t).where('id', 'in', regions).execute();

  const poolDefaults = {
    tenant_id: t,
    max_owned_per_rep: 200,
    max_owned_per_level: '{}',
    cap_excludes_won: 0,
    daily_claim_limit: 20,
    prior_owner_cooldown_days: 30,
    claim_radius_m: null,
    created_at: now,
    updated_at: now,
  };
  const company = Number(
    (await db.insertInto('pools').values({ ...poolDefaults, name: '总公司公海', parent_pool_id: null, escalate_after_days: null, escalate_to_pool_id: null }).executeTakeFirstOrThrow()).insertId,
  );
  const regionPool = new Map<number, number>();
  for (const [deptId, name] of [[2, '华东公海'], [3, '华南公海']] as const) {
    const id = Number(
      (await db.insertInto('pools').values({ ...poolDefaults, name, parent_pool_id: company, escalate_after_days: 60, escalate_to_pool_id: company }).executeTakeFirstOrThrow()).insertId,
    );
    regionPool.set(deptId, id);
  }
  await db
    .insertInto('pool_departments')
    .values([
      { tenant_id: t, pool_id: company, department_id: '1' },
      { tenant_id: t, pool_id: regionPool.get(2)!, department_id: '2' },
      { tenant_id: t, pool_id: regionPool.get(3)!, department_id: '3' },
    ])
    .execute();
  const ruleDefaults = { tenant_id: t, enabled: 1, levels: '[]', tags: '[]', exempt_won_customers: 0, working_days_only: 0, remind_days_before: '[3,1]', notify_manager: 1, target_pool_id: null, version: 1, created_at: now, updated_at: now };
  for (const poolId of [company, ...regionPool.values()]) {
    await db
      .insertInto('pool_rules')
      .values([
        { ...ruleDefaults, pool_id: poolId, kind: 'no_verified_visit', days: 15 },
        { ...ruleDefaults, pool_id: poolId, kind: 'no_deal', days: 90 },
      ])
      .execute();
  }
  await refreshPoolMembers(db, t);

  // Customers, their contacts and a ledger that replays to the current owners.
  const maxId = await db.selectFrom('customers').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  let nextId = Number(maxId?.m ?? 0) + 1;
  const customers: Insertable<CustomersTable>[] = [];
  const contacts: Insertable<CustomerContactsTable>[] = [];
  const ledger: PastChange[] = [];
  const followUps: Insertable<FollowUpsTable>[] = [];
  const usedNames = new Set<string>();
  const reps = demoUsers.filter((u) => u.userId.startsWith('rep'));
  const fourteenDaysBefore = now - 14 * DAY_MS;
  // The second team of each region: all but its first rep have a suspect visit awaiting the manager's review.
  const reviewTeams = new Set(demoCities.filter((c, i) => demoCities.findIndex((o) => o.poolRegionId === c.poolRegionId) !== i).map((c) => c.teamId));
  const reviewPicks: { userId: string; customer: Insertable<CustomersTable> }[] = [];

  const addCustomer = (city: (typeof demoCities)[number], lat: number, lng: number, poolId: number) => {
    let name = '';
    for (let n = 0; !name || usedNames.has(name); n++) {
      name = `${city.name}${rnd.pick(brandWords)}${rnd.pick(industries)}${rnd.pick(suffixes)}${n > 3 ? `（${n}）` : ''}`;
    }
    usedNames.add(name);
    const id = nextId++;
    const createdAt = now - rnd.int(120, 400) * DAY_MS - rnd.int(0, 86_399) * 1000;
    const c: Insertable<CustomersTable> = {
      id,
      tenant_id: t,
      name,
      name_key: nameKey(name),
      address: `${city.name}市${rnd.pick(roads)}${rnd.int(1, 999)}号`,
      lat,
      lng,
      geohash: encodeGeohash(lat, lng),
      level: rnd.pick(levels),
      tags: '[]',
      status: 'pool',
      pool_id: poolId,
      owner_id: null,
      owned_since: null,
      pool_entered_at: createdAt,
      created_by: 'admin01',
      created_at: createdAt,
      updated_at: createdAt,
    };
    customers.push(c);
    ledger.push({ tenantId: t, customerId: id, type: 'created', fromUserId: null, toUserId: null, fromPoolId: null, toPoolId: poolId, actorId: 'admin01', reason: '演示数据导入', at: createdAt });
    for (let k = rnd.int(1, 2); k > 0; k--) {
      const phone = `1${rnd.int(30, 89)}${String(rnd.int(0, 99_999_999)).padStart(8, '0')}`;
      contacts.push({ tenant_id: t, customer_id: id, name: `${rnd.pick(surnames)}${rnd.pick(['先生', '女士', '经理', '总'])}`, title: rnd.pick(contactTitles), phone, phone_key: phoneKey(phone), created_at: createdAt });
    }
    return c;
  };

  for (const city of demoCities) {
    const poolId = regionPool.get(city.poolRegionId)!;
    const inCity: Insertable<CustomersTable>[] = [];
    const special = city.name === '上海' ? DEMO_PEOPLES_SQUARE_POOL : 0;
    for (let i = 0; i < special; i++) {
      const r = 60 + rnd.next() * 840;
      const a = rnd.next() * 2 * Math.PI;
      const p = offset(peoplesSquare.lat, peoplesSquare.lng, r * Math.cos(a), r * Math.sin(a));
      addCustomer(city, p.lat, p.lng, poolId);
    }
    for (let i = special; i < DEMO_CUSTOMERS_PER_CITY; i++) {
      // Keep the rest at least 1.5 km from 人民广场 so the guaranteed pool customers there stay the ones we planned.
      let p;
      do p = offset(city.lat, city.lng, rnd.normal() * 7000, rnd.normal() * 7000);
      while (city.name === '上海' && Math.hypot((p.lat - peoplesSquare.lat) * 111_320, (p.lng - peoplesSquare.lng) * 95_000) < 1500);
      inCity.push(addCustomer(city, p.lat, p.lng, rnd.next() < 0.1 ? company : poolId));
    }
    // The team's reps own some of the rest (region pool only), with a history; a few were released back.
    const teamReps = reps.filter((u) => u.departmentIds[0] === city.teamId);
    const regional = inCity.filter((c) => c.pool_id === poolId);
    let cursor = 0;
    for (const rep of teamReps) {
      for (let k = 0; k < OWNED_PER_REP; k++) {
        const c = regional[cursor++]!;
        const ownedSince = now - rnd.int(3, 80) * DAY_MS - rnd.int(0, 86_399) * 1000;
        // A few per rep are about to be reclaimed (13–14 days without a verified visit); the rest were visited lately.
        const lastVisit = k < 3 ? Math.max(ownedSince, fourteenDaysBefore + rnd.int(0, 86_399) * 1000) : Math.max(ownedSince, now - rnd.int(0, 10) * DAY_MS - rnd.int(0, 86_399) * 1000);
        Object.assign(c, { status: 'owned', owner_id: rep.userId, owned_since: ownedSince, pool_entered_at: null, last_verified_visit_at: lastVisit, updated_at: lastVisit });
        ledger.push({ tenantId: t, customerId: c.id!, type: 'claimed', fromUserId: null, toUserId: rep.userId, fromPoolId: poolId, toPoolId: poolId, actorId: rep.userId, reason: null, at: ownedSince });
        // One about to be reclaimed: approving the visit visibly restarts its countdown.
        if (k === 1 && reviewTeams.has(city.teamId) && rep !== teamReps[0]) reviewPicks.push({ userId: rep.userId, customer: c });
        if (k % 4 === 0) {
          const at = Math.min(now - DAY_MS, ownedSince + rnd.int(1, 3) * DAY_MS);
          followUps.push({ tenant_id: t, customer_id: c.id!, user_id: rep.userId, kind: rnd.pick(['call', 'note', 'message'] as const), content: rnd.pick(followUpNotes), at });
          c.last_follow_up_at = at;
        }
      }
      for (let k = 0; k < 3; k++) {
        const c = regional[cursor++]!;
        const claimedAt = now - rnd.int(60, 100) * DAY_MS;
        const releasedAt = claimedAt + rnd.int(5, 20) * DAY_MS;
        ledger.push({ tenantId: t, customerId: c.id!, type: 'claimed', fromUserId: null, toUserId: rep.userId, fromPoolId: poolId, toPoolId: poolId, actorId: rep.userId, reason: null, at: claimedAt });
        ledger.push({ tenantId: t, customerId: c.id!, type: 'released', fromUserId: rep.userId, toUserId: null, fromPoolId: poolId, toPoolId: poolId, actorId: rep.userId, reason: rnd.pick(releaseReasons), at: releasedAt });
        Object.assign(c, { prior_owner_id: rep.userId, prior_owner_blocked_until: releasedAt + 30 * DAY_MS, pool_entered_at: releasedAt, updated_at: releasedAt });
      }
    }
  }

  // Customers nobody ever took came into the pool recently (1–50 days ago), inside the regional pools' 60-day
  // escalation window: otherwise the first night's sweep would move nearly all of them up to 总公司公海. A separate
  // generator, so everything drawn above stays as it was.
  const arrival = new SeededRandom(20261128);
  const untouched = new Set(customers.filter((c) => c.status === 'pool' && c.prior_owner_id == null).map((c) => c.id!));
  const arrivedAt = new Map<number, number>();
  for (const c of customers) {
    if (!untouched.has(c.id!)) continue;
    const at = now - arrival.int(1, 50) * DAY_MS - arrival.int(0, 86_399) * 1000;
    arrivedAt.set(c.id!, at);
    Object.assign(c, { created_at: at, pool_entered_at: at, updated_at: at });
  }
  for (const row of ledger) if (row.type === 'created' && arrivedAt.has(row.customerId)) row.at = arrivedAt.get(row.customerId)!;
  for (const row of contacts) if (arrivedAt.has(row.customer_id)) row.created_at = arrivedAt.get(row.customer_id)!;

  await insertChunks(customers, (chunk) => db.insertInto('customers').values(chunk).execute());
  await insertChunks(contacts, (chunk) => db.insertInto('customer_contacts').values(chunk).execute());
  ledger.sort((a, b) => a.at - b.at || a.customerId - b.customerId);
  await insertChunks(ledger, (chunk) => recordHistory(db, chunk));
  await insertChunks(followUps, (chunk) => db.insertInto('follow_ups').values(chunk).execute());
  await db.insertInto('visits').values(demoReviewVisits(t, now, reviewPicks)).execute();
  await chainMissing(db, opts.evidence, t, now);
  const owned = customers.filter((c) => c.status === 'owned').length;
  return { id: t, customers: customers.length, poolCustomers: customers.length - owned, owned };
}
