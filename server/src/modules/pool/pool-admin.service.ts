import type { Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { tenantPools, visiblePoolIds } from '../dashboard/dashboard.service';
import type { SweepRule } from '../reclaim/reclaim.repository';
import { runSweep, type SweepSummary } from '../reclaim/sweep.service';
import { poolAdminError, type AdminPool, type AdminRule, type PoolBody, type PreviewBody, type RuleInput } from './pool-admin';
import {
  departmentsOfPools,
  existingDepartmentIds,
  insertRule,
  insertRuleVersions,
  lockTenantPools,
  recordedRuleVersions,
  replacePoolDepartments,
  rulesOfPools,
  toAdminRule,
  updatePoolSettings,
  updateRule,
} from './pool-admin.repository';
import { invalidateRules } from './pool-rules.repository';
import { listPools, refreshPoolMembers } from './pool.repository';
import type { PoolRulesTable, PoolsTable } from './pool.table';

type PoolRow = Pick<Selectable<PoolsTable>, 'id' | 'name' | 'parent_pool_id' | 'escalate_to_pool_id'>;

/** The tenant's pools with their settings, member departments and rules (disabled ones included). */
export async function listAdminPools(db: Db, tenantId: string): Promise<AdminPool[]> {
  const pools = await listPools(db, tenantId);
  const ids = pools.map((p) => p.id);
  const [departments, rules] = await Promise.all([departmentsOfPools(db, tenantId, ids), rulesOfPools(db, tenantId, ids)]);
  return pools.map(({ tenantId: _, ...p }) => ({
    ...p,
    departmentIds: departments.get(p.id) ?? [],
    rules: rules.filter((r) => r.pool_id === p.id).map(toAdminRule),
  }));
}

async function adminPool(db: Db, tenantId: string, poolId: number): Promise<AdminPool> {
  const pool = (await listAdminPools(db, tenantId)).find((p) => p.id === poolId);
  if (pool === undefined) throw notFound('公海');
  return pool;
}

const nameOf = (pools: PoolRow[], id: number) => pools.find((p) => p.id === id)?.name ?? String(id);

/** A pool id the admin referred to must be another pool of the same tenant. */
function checkPoolRef(pools: PoolRow[], self: PoolRow, ref: number | null, field: string, what: string): void {
  if (ref === null) return;
  if (ref === self.id) throw poolAdminError(422, 'invalid_pool_reference', `${what}不能是「${self.name}」自己，请选择另一个公海或留空。`, { field });
  if (!pools.some((p) => p.id === ref)) throw poolAdminError(422, 'invalid_pool_reference', `${what}（公海 ${ref}）不存在或不属于本企业，请从本企业的公海中选择。`, { field });
}

/** Follows `next` from `self` with the proposed link; throws when the chain comes back to `self`. */
function checkChain(pools: PoolRow[], self: PoolRow, proposed: number | null, next: (p: PoolRow) => number | null, code: 'escalation_cycle' | 'parent_cycle', what: string): void {
  const link = new Map(pools.map((p) => [p.id, p.id === self.id ? proposed : next(p)]));
  const path = [self.id];
  for (let at = proposed; at !== null && at !== undefined; at = link.get(at) ?? null) {
    path.push(at);
    if (at === self.id) {
      throw poolAdminError(422, code, `${what}形成了循环：${path.map((id) => nameOf(pools, id)).join(' → ')}。链条须停在一个不再向上的公海（通常是总公司公海）。`);
    }
    // An existing loop elsewhere cannot be made worse by this change; stop rather than walk it forever.
    if (path.length > pools.length + 1) return;
  }
}

/** The rule list's references: its rule ids belong to this pool, its target pools are other pools of the tenant. */
function checkRuleRefs(pools: PoolRow[], self: PoolRow, rules: RuleInput[], stored: Map<number, Selectable<PoolRulesTable>>): void {
  rules.forEach((rule, i) => {
    if (rule.id !== undefined && !stored.has(rule.id)) {
      throw poolAdminError(422, 'unknown_rule', `规则 ${rule.id} 不属于「${self.name}」；新增规则请不要带 id。`, { field: `rules.${i}.id` });
    }
    checkPoolRef(pools, self, rule.targetPoolId, `rules.${i}.targetPoolId`, '规则的回收目标公海');
  });
}

const ruleFields = (r: Omit<AdminRule, 'id' | 'version'>) =>
  JSON.stringify([r.kind, r.days, r.enabled, r.levels, r.tags, r.exemptWonCustomers, r.workingDaysOnly, r.remindDaysBefore, r.notifyManager, r.targetPoolId]);

const fromInput = (r: RuleInput): Omit<AdminRule, 'id' | 'version'> => ({
  kind: r.kind,
  days: r.days,
  enabled: r.enabled,
  levels: r.levels,
  tags: r.tags,
  exemptWonCustomers: r.exemptWonCustomers,
  workingDaysOnly: r.workingDaysOnly,
  remindDaysBefore: r.remindDaysBefore,
  notifyManager: r.notifyManager,
  targetPoolId: r.targetPoolId,
});

/**
 * Replaces a pool's settings and rule list (DESIGN §4.3). Rules with an `id` are updated, rules without are added,
 * and stored rules left out are disabled, not deleted: reclaims keep pointing at the rule and version they used. A
 * rule whose fields changed gets version + 1; every version is written to pool_rule_versions with a snapshot and the
 * admin's id, in the same transaction (a rule's first version, if it predates this API, is recorded on its first
 * change with `changed_by` null). All of the tenant's pools are locked while the references and cycles are checked.
 */
export async function updatePool(deps: { db: Db; clock: Clock }, actor: Actor, poolId: number, body: PoolBody): Promise<AdminPool> {
  const { db } = deps;
  const { tenantId } = actor;
  const now = deps.clock.now();
  const departmentsChanged = await db.transaction().execute(async (trx) => {
    const pools = await lockTenantPools(trx, tenantId);
    const self = pools.find((p) => p.id === poolId);
    if (self === undefined) throw notFound('公海');
    const clash = pools.find((p) => p.id !== poolId && p.name === body.name);
    if (clash) throw poolAdminError(409, 'pool_name_taken', `已有名为「${body.name}」的公海，请换一个名称。`, { field: 'name' });
    checkPoolRef(pools, self, body.parentPoolId, 'parentPoolId', '上级公海');
    checkPoolRef(pools, self, body.escalateToPoolId, 'escalateToPoolId', '升级目标公海');
    checkChain(pools, self, body.parentPoolId, (p) => p.parent_pool_id, 'parent_cycle', '上级公海');
    checkChain(pools, self, body.escalateToPoolId, (p) => p.escalate_to_pool_id, 'escalation_cycle', '无人领取升级');
    const storedRows = await rulesOfPools(trx, tenantId, [poolId]);
    const stored = new Map(storedRows.map((r) => [r.id, r]));
    checkRuleRefs(pools, self, body.rules, stored);
    for (const [i, rule] of body.rules.entries()) {
      const current = rule.id === undefined ? undefined : stored.get(rule.id)!;
      if (current && rule.version !== undefined && rule.version !== current.version) {
        throw poolAdminError(409, 'rule_version_conflict', `规则 ${current.id} 已被修改（当前是第 ${current.version} 版，你编辑的是第 ${rule.version} 版），请刷新后重新编辑。`, { field: `rules.${i}.version` });
      }
    }
    let departmentsChanged = false;
    if (body.departmentIds !== undefined) {
      const wanted = [...new Set(body.departmentIds)].sort();
      const known = await existingDepartmentIds(trx, tenantId, wanted);
      const unknown = wanted.find((id) => !known.has(id));
      if (unknown !== undefined) throw poolAdminError(422, 'unknown_department', `部门 ${unknown} 不存在，请先同步组织架构或检查部门 id。`, { field: 'departmentIds' });
      const before = (await departmentsOfPools(trx, tenantId, [poolId])).get(poolId) ?? [];
      if (before.join('\u0000') !== wanted.join('\u0000')) {
        await replacePoolDepartments(trx, tenantId, poolId, wanted);
        departmentsChanged = true;
      }
    }

    await updatePoolSettings(trx, tenantId, poolId, body, now);

    // Rules: the new state of each, and which versions to record.
    const versions: { rule: AdminRule; previous?: AdminRule; previousAt?: number }[] = [];
    const listed = new Set<number>();
    for (const input of body.rules) {
      const fields = fromInput(input);
      if (input.id === undefined) {
        const id = await insertRule(trx, tenantId, poolId, { ...fields, version: 1 }, now);
        versions.push({ rule: { id, ...fields, version: 1 } });
        continue;
      }
      listed.add(input.id);
      const row = stored.get(input.id)!;
      const previous = toAdminRule(row);
      if (ruleFields(previous) === ruleFields(fields)) continue;
      const next = { id: row.id, ...fields, version: row.version + 1 };
      await updateRule(trx, tenantId, next, now);
      versions.push({ rule: next, previous, previousAt: row.updated_at });
    }
    for (const row of storedRows) {
      if (listed.has(row.id) || row.enabled !== 1) continue;
      const previous = toAdminRule(row);
      const next = { ...previous, enabled: false, version: row.version + 1 };
      await updateRule(trx, tenantId, next, now);
      versions.push({ rule: next, previous, previousAt: row.updated_at });
    }
    const recorded = await recordedRuleVersions(trx, tenantId, versions.filter((v) => v.previous).map((v) => v.rule.id));
    const snapshot = (r: AdminRule) => ({ poolId, ...r });
    await insertRuleVersions(trx, [
      ...versions
        .filter((v) => v.previous && !recorded.has(`${v.previous.id}:${v.previous.version}`))
        .map((v) => ({ tenantId, ruleId: v.previous!.id, version: v.previous!.version, snapshot: snapshot(v.previous!), changedBy: null, at: v.previousAt! })),
      ...versions.map((v) => ({ tenantId, ruleId: v.rule.id, version: v.rule.version, snapshot: snapshot(v.rule), changedBy: actor.userId, at: now })),
    ]);
    return departmentsChanged;
  });
  invalidateRules(db, tenantId);
  // Its own transaction (it rebuilds the tenant's membership table); a crash before it is repaired by the next org sync.
  if (departmentsChanged) await refreshPoolMembers(db, tenantId);
  return adminPool(db, tenantId, poolId);
}

/**
 * What a sweep at `now` would reclaim in one pool (DESIGN §4.3 dry run), with the proposed rule list in place of the
 * stored one when given: listed stored rules take their proposed fields, new rules get temporary negative ids, and
 * stored rules left out count as disabled, as a PUT of the same list would leave them. Writes nothing.
 */
export async function previewPool(deps: { db: Db; clock: Clock; logger: Logger; secrets: SecretBox }, actor: Actor, poolId: number, body: PreviewBody): Promise<SweepSummary> {
  const { db } = deps;
  const { tenantId } = actor;
  const pools = await listPools(db, tenantId);
  const pool = pools.find((p) => p.id === poolId);
  if (pool === undefined) throw notFound('公海');
  // A manager previews only the pools they may see on the dashboard (every member department in a subtree they lead):
  // a preview lists the pool's reps and customers.
  if (!actor.roles.includes('admin') && !(await visiblePoolIds(db, actor, await tenantPools(db, tenantId))).has(poolId)) throw notFound('公海');
  let proposedRules: SweepRule[] | undefined;
  if (body.rules !== undefined) {
    const rows: PoolRow[] = pools.map((p) => ({ id: p.id, name: p.name, parent_pool_id: p.parentPoolId, escalate_to_pool_id: p.escalateToPoolId }));
    const stored = new Map((await rulesOfPools(db, tenantId, [poolId])).map((r) => [r.id, r]));
    checkRuleRefs(rows, rows.find((p) => p.id === poolId)!, body.rules, stored);
    let temporaryId = 0;
    proposedRules = body.rules.map((input) => {
      const fields = fromInput(input);
      const row = input.id === undefined ? undefined : stored.get(input.id)!;
      const version = row === undefined ? 1 : ruleFields(toAdminRule(row)) === ruleFields(fields) ? row.version : row.version + 1;
      return { ...fields, id: input.id ?? --temporaryId, poolId, version };
    });
    // The sweep replaces the stored rules of the pools that appear among the proposed ones; an empty list must still
    // replace them, so it is stood for by one disabled rule of this pool.
    if (proposedRules.length === 0) proposedRules = [{ id: -1, poolId, kind: 'no_deal', days: 1, enabled: false, levels: [], tags: [], exemptWonCustomers: false, workingDaysOnly: false, remindDaysBefore: [], notifyManager: false, targetPoolId: null, version: 1 }];
  }
  const now = body.now === undefined ? deps.clock.now() : Date.parse(body.now);
  return runSweep(deps, tenantId, { now, dryRun: true, poolIds: [poolId], proposedRules });
}
