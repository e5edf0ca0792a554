import { SecretBox } from '../../src/crypto/secret-box';
import type { Db } from '../../src/db/create-db';
import { encodeGeohash } from '../../src/geo/geo';
import { nameKey } from '../../src/modules/customers/duplicates';
import { refreshPoolMembers } from '../../src/modules/pool/pool.repository';

export interface ClusterTenant {
  tenantId: string;
  timeZone: string;
  poolId: number;
  repIds: string[];
  customerIds: number[];
  dailyClaimLimit: number;
}

/**
 * A small tenant for cluster tests: one department of reps, one pool they all belong to, its customers in the pool with
 * their `created` ledger rows. Lighter than the demo seed, which a cluster would take long to replicate.
 */
export async function seedClusterTenant(db: Db, opts: { reps: number; customers: number; dailyClaimLimit: number; now: number }): Promise<ClusterTenant> {
  const tenantId = 'cluster';
  const timeZone = 'Asia/Shanghai';
  const { now } = opts;
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      name: '集群测试企业',
      platform: 'dingtalk',
      corp_id: 'corp-cluster',
      app_key: 'key-cluster',
      app_secret_enc: new SecretBox('c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1').seal('cluster-app-secret'),
      agent_id: '1',
      callback_token_enc: null,
      callback_aes_key_enc: null,
      time_zone: timeZone,
      settings: '{}',
      created_at: now,
    })
    .execute();
  await db
    .insertInto('departments')
    .values([
      { tenant_id: tenantId, id: '1', parent_id: null, name: '集群测试公司', is_region: 0, path: '/1/', updated_at: now },
      { tenant_id: tenantId, id: '10', parent_id: '1', name: '销售部', is_region: 1, path: '/1/10/', updated_at: now },
    ])
    .execute();
  const repIds = Array.from({ length: opts.reps }, (_, i) => `rep${String(i + 1).padStart(3, '0')}`);
  await db
    .insertInto('users')
    .values(repIds.map((id) => ({ tenant_id: tenantId, id, name: `业务员${id}`, mobile: null, title: '销售代表', manager_id: null, hired_date: null, active: 1, left_at: null, roles: 'rep', created_at: now, updated_at: now })))
    .execute();
  await db
    .insertInto('user_departments')
    .values(repIds.map((id) => ({ tenant_id: tenantId, user_id: id, department_id: '10', is_leader: 0 })))
    .execute();
  const pool = await db
    .insertInto('pools')
    .values({
      tenant_id: tenantId,
      name: '集群公海',
      parent_pool_id: null,
      escalate_after_days: null,
      escalate_to_pool_id: null,
      max_owned_per_rep: 200,
      max_owned_per_level: '{}',
      cap_excludes_won: 0,
      daily_claim_limit: opts.dailyClaimLimit,
      prior_owner_cooldown_days: 30,
      claim_radius_m: null,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const poolId = Number(pool.insertId);
  await db.insertInto('pool_departments').values({ tenant_id: tenantId, pool_id: poolId, department_id: '10' }).execute();
  await refreshPoolMembers(db, tenantId);
  const lat = 31.2304;
  const lng = 121.4737;
  await db
    .insertInto('customers')
    .values(
      Array.from({ length: opts.customers }, (_, i) => {
        const name = `集群测试客户${i + 1}有限公司`;
        return { tenant_id: tenantId, name, name_key: nameKey(name), address: '上海市人民路1号', lat, lng, geohash: encodeGeohash(lat, lng), level: 'C', tags: '[]', status: 'pool' as const, pool_id: poolId, owner_id: null, owned_since: null, pool_entered_at: now, created_by: null, created_at: now, updated_at: now };
      }),
    )
    .execute();
  const customerIds = (await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).orderBy('id').execute()).map((r) => r.id);
  await db
    .insertInto('ownership_events')
    .values(customerIds.map((customer_id) => ({ tenant_id: tenantId, customer_id, type: 'created' as const, from_user_id: null, to_user_id: null, from_pool_id: null, to_pool_id: poolId, actor_id: null, reason: '集群测试数据', rule_id: null, rule_version: null, evidence: null, at: now })))
    .execute();
  return { tenantId, timeZone, poolId, repIds, customerIds, dailyClaimLimit: opts.dailyClaimLimit };
}
