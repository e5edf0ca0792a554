import type { Selectable } from 'kysely';
import { isMysql, type Db } from '../../db/create-db';
import { toSweepRule } from '../reclaim/reclaim.repository';
import type { Pool } from './pool';
import type { AdminRule } from './pool-admin';
import type { PoolRulesTable, PoolsTable } from './pool.table';

/** Settings of a pool as stored (the admin API's names): the domain Pool without its identity. */
export type PoolSettingsRow = Omit<Pool, 'id' | 'tenantId'>;

export function toAdminRule(r: Selectable<PoolRulesTable>): AdminRule {
  const { poolId: _poolId, ...rule } = toSweepRule(r);
  return rule;
}

/**
 * All pools of the tenant, row-locked until the transaction ends on MySQL: pool edits check references and cycles
 * across the whole tenant, so two admins editing two pools at once must not each pass half of a cycle.
 */
export async function lockTenantPools(trx: Db, tenantId: string): Promise<Selectable<PoolsTable>[]> {
  let query = trx.selectFrom('pools').selectAll().where('tenant_id', '=', tenantId).orderBy('id');
  if (isMysql(trx)) query = query.forUpdate();
  return query.execute();
}

/** The rules of the given pools, oldest first. */
export async function rulesOfPools(db: Db, tenantId: string, poolIds: number[]): Promise<Selectable<PoolRulesTable>[]> {
  if (poolIds.length === 0) return [];
  return db.selectFrom('pool_rules').selectAll().where('tenant_id', '=', tenantId).where('pool_id', 'in', poolIds).orderBy('pool_id').orderBy('id').execute();
}

/** Member department ids of the given pools. */
export async function departmentsOfPools(db: Db, tenantId: string, poolIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (poolIds.length === 0) return out;
  const rows = await db
    .selectFrom('pool_departments')
    .select(['pool_id', 'department_id'])
    .where('tenant_id', '=', tenantId)
    .where('pool_id', 'in', poolIds)
    .orderBy('pool_id')
    .orderBy('department_id')
    .execute();
  for (const r of rows) out.set(r.pool_id, [...(out.get(r.pool_id) ?? []), r.department_id]);
  return out;
}

/** Which of `ids` are departments of the tenant. */
export async function existingDepartmentIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('departments').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** A pool's settings as its row stores them (the create and the edit write the same columns). */
function settingsColumns(s: PoolSettingsRow) {
  return {
      name: s.name,
      parent_pool_id: s.parentPoolId,
      escalate_after_days: s.escalateAfterDays,
      escalate_to_pool_id: s.escalateToPoolId,
      max_owned_per_rep: s.maxOwnedPerRep,
      max_owned_per_level: JSON.stringify(s.maxOwnedPerLevel),
      cap_excludes_won: s.capExcludesWon ? 1 : 0,
      daily_claim_limit: s.dailyClaimLimit,
      prior_owner_cooldown_days: s.priorOwnerCooldownDays,
      claim_radius_m: s.claimRadiusM,
  };
}

export async function updatePoolSettings(trx: Db, tenantId: string, poolId: number, s: PoolSettingsRow, now: number): Promise<void> {
  await trx
    .updateTable('pools')
    .set({ ...settingsColumns(s), updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', poolId)
    .execute();
}

export async function replacePoolDepartments(trx: Db, tenantId: string, poolId: number, departmentIds: string[]): Promise<void> {
  await trx.deleteFrom('pool_departments').where('tenant_id', '=', tenantId).where('pool_id', '=', poolId).execute();
  if (departmentIds.length === 0) return;
  await trx
    .insertInto('pool_departments')
    .values(departmentIds.map((id) => ({ tenant_id: tenantId, pool_id: poolId, department_id: id })))
    .execute();
}

/** The rule's columns from its API shape (everything but id). */
function ruleColumns(rule: Omit<AdminRule, 'id'>) {
  return {
    kind: rule.kind,
    days: rule.days,
    enabled: rule.enabled ? 1 : 0,
    levels: JSON.stringify(rule.levels),
    tags: JSON.stringify(rule.tags),
    exempt_won_customers: rule.exemptWonCustomers ? 1 : 0,
    working_days_only: rule.workingDaysOnly ? 1 : 0,
    remind_days_before: JSON.stringify(rule.remindDaysBefore),
    notify_manager: rule.notifyManager ? 1 : 0,
    target_pool_id: rule.targetPoolId,
    version: rule.version,
  };
}

/** Inserts a rule; returns its id. */
export async function insertRule(trx: Db, tenantId: string, poolId: number, rule: Omit<AdminRule, 'id'>, now: number): Promise<number> {
  const result = await trx
    .insertInto('pool_rules')
    .values({ tenant_id: tenantId, pool_id: poolId, ...ruleColumns(rule), created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updateRule(trx: Db, tenantId: string, rule: AdminRule, now: number): Promise<void> {
  await trx
    .updateTable('pool_rules')
    .set({ ...ruleColumns(rule), updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', rule.id)
    .execute();
}

/** The rule versions already recorded among `ruleIds`, as `ruleId:version` keys. */
export async function recordedRuleVersions(db: Db, tenantId: string, ruleIds: number[]): Promise<Set<string>> {
  if (ruleIds.length === 0) return new Set();
  const rows = await db.selectFrom('pool_rule_versions').select(['rule_id', 'version']).where('tenant_id', '=', tenantId).where('rule_id', 'in', ruleIds).execute();
  return new Set(rows.map((r) => `${r.rule_id}:${r.version}`));
}

export async function insertRuleVersions(trx: Db, rows: { tenantId: string; ruleId: number; version: number; snapshot: unknown; changedBy: string | null; at: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('pool_rule_versions')
    .values(rows.map((r) => ({ tenant_id: r.tenantId, rule_id: r.ruleId, version: r.version, snapshot: JSON.stringify(r.snapshot), changed_by: r.changedBy, created_at: r.at })))
    .execute();
}

/** Every recorded version of a rule, oldest first. */
export async function ruleVersionHistory(db: Db, tenantId: string, ruleId: number) {
  return db
    .selectFrom('pool_rule_versions')
    .select(['version', 'snapshot', 'changed_by', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('rule_id', '=', ruleId)
    .orderBy('version')
    .execute();
}

/** The tenant's pools as stored, archived ones included, without locks (the admin list, the preview). */
export async function poolRows(db: Db, tenantId: string): Promise<Selectable<PoolsTable>[]> {
  return db.selectFrom('pools').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
}

/** Inserts a pool with its settings (in use); returns its id. */
export async function insertPool(trx: Db, tenantId: string, s: PoolSettingsRow, now: number): Promise<number> {
  const result = await trx
    .insertInto('pools')
    .values({
      tenant_id: tenantId,
      ...settingsColumns(s),
      archived_at: null,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function markPoolArchived(trx: Db, tenantId: string, poolId: number, now: number): Promise<void> {
  await trx.updateTable('pools').set({ archived_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', poolId).execute();
}

/** Enabled rules of the other pools in use that reclaim into `poolId`. */
export async function rulesTargeting(db: Db, tenantId: string, poolId: number): Promise<{ id: number; pool_id: number }[]> {
  return db
    .selectFrom('pool_rules as r')
    .innerJoin('pools as p', (j) => j.onRef('p.tenant_id', '=', 'r.tenant_id').onRef('p.id', '=', 'r.pool_id'))
    .select(['r.id', 'r.pool_id'])
    .where('r.tenant_id', '=', tenantId)
    .where('r.target_pool_id', '=', poolId)
    .where('r.pool_id', '!=', poolId)
    .where('r.enabled', '=', 1)
    .where('p.archived_at', 'is', null)
    .orderBy('r.id')
    .execute();
}

/** How many of the pool's customers an HR assignment in flight has reserved. */
export async function reservedInPool(db: Db, tenantId: string, poolId: number): Promise<number> {
  const row = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('pool_id', '=', poolId)
    .where('reserved_by_assignment_id', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The next page of the pool's customers of one status, by ascending id after `afterId` (one range of customers_pool). */
export async function customerIdsInPool(db: Db, tenantId: string, poolId: number, status: 'pool' | 'owned', afterId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('pool_id', '=', poolId)
    .where('status', '=', status)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
