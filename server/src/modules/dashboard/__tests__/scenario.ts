import { finishedVisitRow, insertOrg, type OrgDepartmentRow, type OrgUserRow } from '../../../../test/factories';
import type { Db } from '../../../db/create-db';
import { encodeGeohash } from '../../../geo/geo';
import { refreshPoolMembers } from '../../pool/pool.repository';
import type { OwnershipEventType } from '../../pool/pool.table';

/**
 * A hand-built tenant for the dashboard tests: regions 华东 (team 上海一组: reps e1, e2 — e2 has left) and 华南
 * (team 广州一组: rep s1), their managers, an admin, and three pools: 华东公海 (cap 5, 2 a day), 华南公海 (cap 200,
 * 20 a day) and the company pool 总公司公海 (cap 50, 10 a day). The ledger and visits below are what the expected
 * figures in dashboard.test.ts were worked out from, by hand.
 */
export const T = 'dash-t';

/** A Shanghai wall-clock time in 2026: t('11-20 10:00'). */
export const t = (s: string) => Date.parse(`2026-${s.replace(' ', 'T')}:00+08:00`);

type PoolKey = 'E' | 'S' | 'C';
/** [customer, type, from user, to user, from pool, to pool, at, rule]. */
type Event = [string, OwnershipEventType, string | null, string | null, PoolKey | null, PoolKey, string, number?];

export const RULE_ID = 7;

export const events: Event[] = [
  ['c1', 'created', null, null, null, 'E', '11-01 10:00'],
  ['c1', 'claimed', null, 'e1', 'E', 'E', '11-20 10:00'],
  ['c2', 'created', null, null, null, 'E', '11-10 08:00'],
  ['c2', 'claimed', null, 'e2', 'E', 'E', '11-14 09:00'],
  ['c2', 'reclaimed', 'e2', null, 'E', 'E', '11-22 02:00', RULE_ID],
  ['c3', 'created', null, null, null, 'E', '11-05 09:00'],
  ['c3', 'claimed', null, 'e1', 'E', 'E', '11-15 10:00'],
  ['c4', 'created', null, null, null, 'E', '10-01 10:00'],
  ['c4', 'claimed', null, 'e1', 'E', 'E', '11-02 10:00'],
  ['c4', 'released', 'e1', null, 'E', 'E', '11-20 12:00'],
  ['c4', 'claimed', null, 'e2', 'E', 'E', '11-21 09:00'],
  ['c4', 'released', 'e2', null, 'E', 'E', '11-23 10:00'],
  ['c4', 'claimed', null, 'e1', 'E', 'E', '11-24 09:00'],
  ['c5', 'created', null, null, null, 'E', '11-20 14:00'],
  ['c5', 'escalated', null, null, 'E', 'C', '11-25 02:00'],
  ['c6', 'created', null, null, null, 'E', '09-20 10:00'],
  ['c6', 'claimed', null, 'e2', 'E', 'E', '10-01 10:00'],
  ['c6', 'left_with_employee', 'e2', null, 'E', 'E', '11-23 15:00'],
  ['c6', 'assigned', null, 'e1', 'E', 'E', '11-26 10:00'],
  ['c7', 'created', null, null, null, 'E', '10-01 10:00'],
  ['c7', 'claimed', null, 'e1', 'E', 'E', '11-27 08:00'],
  ['c8', 'created', null, null, null, 'E', '10-01 10:00'],
  ['s1c', 'created', null, null, null, 'S', '11-01 10:00'],
  ['s1c', 'claimed', null, 's1', 'S', 'S', '11-21 10:00'],
  ['s2c', 'created', null, null, null, 'S', '11-01 10:00'],
];

/** [customer, rep, verdict, at]. */
export const visits: [string, string, 'verified' | 'suspect' | 'rejected', string][] = [
  ['c1', 'e1', 'verified', '11-20 15:30'],
  ['c3', 'e1', 'suspect', '11-16 11:00'],
  ['c3', 'e1', 'verified', '11-21 12:00'],
  ['c1', 'e1', 'verified', '11-22 09:00'],
  ['c4', 'e1', 'rejected', '11-25 16:00'],
  ['s1c', 's1', 'rejected', '11-21 11:00'],
  ['s1c', 's1', 'verified', '11-22 10:00'],
];

export interface Org {
  pools: Record<PoolKey, number>;
}

/** The tenant, its departments, users and pools. */
export async function seedOrg(db: Db, now: number): Promise<Org> {
  await db
    .insertInto('tenants')
    .values({ id: T, name: '看板测试企业', platform: 'dingtalk', corp_id: 'corp-dash', app_key: 'key-dash', app_secret_enc: 'x', agent_id: '1', callback_token_enc: null, callback_aes_key_enc: null, time_zone: 'Asia/Shanghai', settings: '{}', created_at: now })
    .execute();
  const depts: OrgDepartmentRow[] = [
    ['1', null, '看板公司', 0, '/1/'],
    ['2', '1', '华东', 1, '/1/2/'],
    ['3', '1', '华南', 1, '/1/3/'],
    ['5', '1', '信息部', 0, '/1/5/'],
    ['21', '2', '上海一组', 0, '/1/2/21/'],
    ['31', '3', '广州一组', 0, '/1/3/31/'],
  ];
  const users: OrgUserRow[] = [
    ['e1', '张一', 'rep', 1, '21', 0],
    ['e2', '王二', 'rep', 0, '21', 0],
    ['s1', '李三', 'rep', 1, '31', 0],
    ['mgr-east', '钱东', 'manager', 1, '2', 1],
    ['mgr-south', '林南', 'manager', 1, '3', 1],
    ['admin01', '严管', 'admin', 1, '5', 0],
  ];
  await insertOrg(db, T, depts, users, { now, leftAt: t('11-23 15:00') });
  const pool = async (name: string, cap: number, daily: number, dept: string) => {
    const id = Number(
      (
        await db
          .insertInto('pools')
          .values({ tenant_id: T, name, parent_pool_id: null, escalate_after_days: null, escalate_to_pool_id: null, max_owned_per_rep: cap, max_owned_per_level: '{}', cap_excludes_won: 0, daily_claim_limit: daily, prior_owner_cooldown_days: 30, claim_radius_m: null, created_at: now, updated_at: now })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    await db.insertInto('pool_departments').values({ tenant_id: T, pool_id: id, department_id: dept }).execute();
    return id;
  };
  const pools = { E: await pool('华东公海', 5, 2, '2'), S: await pool('华南公海', 200, 20, '3'), C: await pool('总公司公海', 50, 10, '1') };
  await refreshPoolMembers(db, T);
  return { pools };
}

/**
 * Writes the world as it was just before `until`: the ledger rows and visits before it, and every customer as the
 * ledger replays it to that instant (what the customers table held then). Replaces what an earlier call wrote.
 */
export async function applyScenario(db: Db, org: Org, until: number): Promise<Map<string, number>> {
  await db.deleteFrom('visits').where('tenant_id', '=', T).execute();
  await db.deleteFrom('ownership_events').where('tenant_id', '=', T).execute();
  await db.deleteFrom('customers').where('tenant_id', '=', T).execute();
  const ids = new Map<string, number>();
  const state = new Map<string, { pool: PoolKey; owner: string | null; created: number; at: number }>();
  const sorted = [...events].sort((a, b) => t(a[6]) - t(b[6]));
  for (const [key, , , toUser, , toPool, when] of sorted) {
    const at = t(when);
    if (at >= until) continue;
    const prev = state.get(key);
    state.set(key, { pool: toPool, owner: toUser, created: prev?.created ?? at, at });
  }
  for (const [key, s] of state) {
    const res = await db
      .insertInto('customers')
      .values({
        tenant_id: T,
        name: `客户${key}`,
        address: '测试地址',
        lat: 31.2,
        lng: 121.4,
        geohash: encodeGeohash(31.2, 121.4),
        level: 'C',
        tags: '[]',
        status: s.owner === null ? 'pool' : 'owned',
        pool_id: org.pools[s.pool],
        owner_id: s.owner,
        owned_since: s.owner === null ? null : s.at,
        pool_entered_at: s.owner === null ? s.at : null,
        created_by: null,
        created_at: s.created,
        updated_at: s.at,
      })
      .executeTakeFirstOrThrow();
    ids.set(key, Number(res.insertId));
  }
  const ledger = sorted.filter((e) => t(e[6]) < until);
  if (ledger.length > 0) {
    await db
      .insertInto('ownership_events')
      .values(
        ledger.map(([key, type, fromUser, toUser, fromPool, toPool, when, rule]) => ({
          tenant_id: T,
          customer_id: ids.get(key)!,
          type,
          from_user_id: fromUser,
          to_user_id: toUser,
          from_pool_id: fromPool === null ? null : org.pools[fromPool],
          to_pool_id: org.pools[toPool],
          actor_id: toUser,
          reason: null,
          rule_id: rule ?? null,
          rule_version: rule === undefined ? null : 1,
          evidence: null,
          at: t(when),
        })),
      )
      .execute();
  }
  const done = visits.filter((v) => t(v[3]) < until);
  if (done.length > 0) {
    await db
      .insertInto('visits')
      .values(
        done.map(([key, user, verdict, when]) => finishedVisitRow(T, ids.get(key)!, user, verdict, t(when))),
      )
      .execute();
  }
  return ids;
}
