import type { Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { localDate } from '../../time';
import { tenantPools, visiblePoolIds } from '../dashboard/dashboard.service';
import type { SweepRule } from '../reclaim/reclaim.repository';
import { runSweep, type SweepSummary } from '../reclaim/sweep.service';
import { decideChange, emptyCounts, refusalError } from './ownership-rules';
import { invalidateMemberships } from './nearby.service';
import { OwnershipFacts } from './ownership-facts';
import { applyOwnershipChanges, changeOf, type OwnershipChange } from './ownership-writer';
import { poolAdminError, type AdminPool, type AdminRule, type ArchiveBody, type PoolBody, type PreviewBody, type RuleInput } from './pool-admin';
import {
  customerIdsInPool,
  departmentsOfPools,
  existingDepartmentIds,
  insertPool,
  insertRule,
  insertRuleVersions,
  lockTenantPools,
  markPoolArchived,
  poolRows,
  recordedRuleVersions,
  replacePoolDepartments,
  reservedInPool,
  rulesOfPools,
  rulesTargeting,
  toAdminRule,
  updatePoolSettings,
  updateRule,
} from './pool-admin.repository';
import { invalidateRules } from './pool-rules.repository';
import { bumpStamp } from '../../db/change-stamps';
import { listPools, refreshPoolMembers, toPool } from './pool.repository';
import type { PoolRulesTable, PoolsTable } from './pool.table';
import { writeTransaction } from '../../db/write-retry';

type PoolRow = Pick<Selectable<PoolsTable>, 'id' | 'name' | 'parent_pool_id' | 'escalate_to_pool_id' | 'archived_at'>;

/** The tenant's pools with their settings, member departments and rules (disabled ones included), archived ones too. */
export async function listAdminPools(db: Db, tenantId: string): Promise<AdminPool[]> {
  const rows = await poolRows(db, tenantId);
  const ids = rows.map((p) => p.id);
  const [departments, rules] = await Promise.all([departmentsOfPools(db, tenantId, ids), rulesOfPools(db, tenantId, ids)]);
  return rows.map((row) => {
    const { tenantId: _, archived: _archived, ...p } = toPool(row);
    return {
      ...p,
      departmentIds: departments.get(p.id) ?? [],
      rules: rules.filter((r) => r.pool_id === p.id).map(toAdminRule),
      archivedAt: row.archived_at === null ? null : new Date(Number(row.archived_at)).toISOString(),
    };
  });
}

async function adminPool(db: Db, tenantId: string, poolId: number): Promise<AdminPool> {
  const pool = (await listAdminPools(db, tenantId)).find((p) => p.id === poolId);
  if (pool === undefined) throw notFound('公海');
  return pool;
}

const nameOf = (pools: PoolRow[], id: number) => pools.find((p) => p.id === id)?.name ?? String(id);

/**
 * A pool id the admin referred to must be another pool of the same tenant, in use (a disabled rule may keep pointing at
 * an archived pool: rules are never deleted, and it reclaims nothing).
 */
function checkPoolRef(pools: PoolRow[], self: PoolRow, ref: number | null, field: string, what: string, archivedOk = false): void {
  if (ref === null) return;
  if (ref === self.id) throw poolAdminError(422, 'invalid_pool_reference', `${what}不能是「${self.name}」自己，请选择另一个公海或留空。`, { field });
  const target = pools.find((p) => p.id === ref);
  if (target === undefined) throw poolAdminError(422, 'invalid_pool_reference', `${what}（公海 ${ref}）不存在或不属于本企业，请从本企业的公海中选择。`, { field });
  if (target.archived_at !== null && !archivedOk) throw poolAdminError(422, 'invalid_pool_reference', `${what}「${target.name}」已归档，请选择一个在用的公海。`, { field });
}

/** The unique name of a pool (archived pools keep theirs). */
function checkNameFree(pools: PoolRow[], selfId: number | null, name: string): void {
  const clash = pools.find((p) => p.id !== selfId && p.name === name);
  if (clash === undefined) return;
  const archived = clash.archived_at === null ? '' : '（已归档）';
  throw poolAdminError(409, 'pool_name_taken', `已有名为「${name}」的公海${archived}，请换一个名称。`, { field: 'name' });
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
    checkPoolRef(pools, self, rule.targetPoolId, `rules.${i}.targetPoolId`, '规则的回收目标公海', !rule.enabled);
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
 * Checks a pool's proposed settings against the tenant's other pools and writes its member departments and rule list,
 * inside the caller's transaction with all of the tenant's pools locked (`pools`, `self` among them). Rules with an
 * `id` are updated, rules without are added, and stored rules left out are disabled, not deleted: reclaims keep pointing
 * at the rule and version they used. A rule whose fields changed gets version + 1; every version is written to
 * pool_rule_versions with a snapshot and the admin's id (a rule's first version, if it predates this API, is recorded
 * on its first change with `changed_by` null). Returns whether the member departments changed.
 */
async function saveRulesAndDepartments(trx: Db, actor: Actor, pools: PoolRow[], self: PoolRow, body: PoolBody, now: number): Promise<boolean> {
  const { tenantId } = actor;
  const poolId = self.id;
  checkNameFree(pools, poolId, body.name);
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
}

/** After a pool's settings committed: countdowns re-read the rules, and membership follows the departments. */
async function afterSave(db: Db, tenantId: string, departmentsChanged: boolean, now: number): Promise<void> {
  invalidateRules(db, tenantId);
  // Its own transaction (it rebuilds the tenant's membership table); a crash before it is repaired by the next org sync.
  if (departmentsChanged) {
    await refreshPoolMembers(db, tenantId);
    invalidateMemberships(db, tenantId);
  }
  // Other processes forget at their next stamp poll (after the membership rebuild, which they must see too).
  await bumpStamp(db, tenantId, 'pools', now);
}

/**
 * Replaces a pool's settings and rule list (DESIGN §4.3; rule versioning in `saveRulesAndDepartments`). All of the
 * tenant's pools are locked while the references and cycles are checked. An archived pool cannot be edited.
 */
export async function updatePool(deps: { db: Db; clock: Clock }, actor: Actor, poolId: number, body: PoolBody): Promise<AdminPool> {
  const { db } = deps;
  const { tenantId } = actor;
  const now = deps.clock.now();
  const departmentsChanged = await writeTransaction(db, async (trx) => {
    const pools = await lockTenantPools(trx, tenantId);
    const self = pools.find((p) => p.id === poolId);
    if (self === undefined) throw notFound('公海');
    if (self.archived_at !== null) throw poolAdminError(409, 'pool_archived', `「${self.name}」已归档，不能再修改；如需同样的设置，请新建一个公海。`);
    const changed = await saveRulesAndDepartments(trx, actor, pools, self, body, now);
    await updatePoolSettings(trx, tenantId, poolId, body, now);
    return changed;
  });
  await afterSave(db, tenantId, departmentsChanged, now);
  return adminPool(db, tenantId, poolId);
}

/**
 * Creates a pool (`POST /api/v1/admin/pools`) from the body of the PUT, with the same checks: its rules start at
 * version 1 (recorded with the admin's id), and the members of its departments (subtrees included) may claim from it
 * once the membership is refreshed, right after the commit.
 */
export async function createPool(deps: { db: Db; clock: Clock }, actor: Actor, body: PoolBody): Promise<AdminPool> {
  const { db } = deps;
  const { tenantId } = actor;
  const now = deps.clock.now();
  const { poolId, departmentsChanged } = await writeTransaction(db, async (trx) => {
    const pools = await lockTenantPools(trx, tenantId);
    // Before the insert: the unique index would otherwise answer a taken name with a database error.
    checkNameFree(pools, null, body.name);
    const poolId = await insertPool(trx, tenantId, body, now);
    const self: PoolRow = { id: poolId, name: body.name, parent_pool_id: body.parentPoolId, escalate_to_pool_id: body.escalateToPoolId, archived_at: null };
    const departmentsChanged = await saveRulesAndDepartments(trx, actor, [...pools, self], self, body, now);
    return { poolId, departmentsChanged };
  });
  await afterSave(db, tenantId, departmentsChanged, now);
  return adminPool(db, tenantId, poolId);
}

/** Customers moved per transaction when a pool is archived. */
const ARCHIVE_PAGE = 500;

/** What archiving moved: customers that were in the pool, and owned ones that kept their owner. */
export interface ArchiveResult {
  pool: AdminPool;
  moved: { poolCustomers: number; ownedCustomers: number };
}

/**
 * Archives a pool (`POST /api/v1/admin/pools/:id/archive`). Refused for the tenant's only pool in use, a target that is
 * the pool itself, archived or another tenant's, a pool that other pools in use still point at (escalation, parent or
 * an enabled reclaim rule: the admin re-points those first — re-pointing them here could close a cycle or silently
 * change another pool's rules), and a pool with customers an HR assignment in flight has reserved. Then the pool is
 * marked archived and loses its members (no claims, no new customers in it, gone from nearby and the pool list), and
 * its customers move to the target a page per transaction through the ownership decision (`move`) and the writer: one
 * `moved` ledger row each; an owned customer keeps its owner and its clocks. Safe to run again: an archived pool that
 * still holds customers (a crash mid-way) is emptied into the target given.
 */
export async function archivePool(deps: { db: Db; clock: Clock }, actor: Actor, poolId: number, body: ArchiveBody): Promise<ArchiveResult> {
  const { db } = deps;
  const { tenantId, timeZone } = actor;
  const now = deps.clock.now();
  const field = { field: 'moveCustomersToPoolId' };
  const { self, target } = await writeTransaction(db, async (trx) => {
    const pools = await lockTenantPools(trx, tenantId);
    const self = pools.find((p) => p.id === poolId);
    if (self === undefined) throw notFound('公海');
    const inUse = pools.filter((p) => p.archived_at === null);
    if (self.archived_at === null && inUse.length === 1) {
      throw poolAdminError(409, 'last_pool', `「${self.name}」是本企业唯一在用的公海，不能归档；请先新建一个公海，再把它归档并把客户移过去。`);
    }
    if (self.archived_at !== null && (await customerIdsInPool(trx, tenantId, poolId, 'owned', 0, 1)).length + (await customerIdsInPool(trx, tenantId, poolId, 'pool', 0, 1)).length === 0) {
      throw poolAdminError(409, 'pool_archived', `「${self.name}」已经归档，其中没有客户需要移动。`);
    }
    const targetId = body.moveCustomersToPoolId;
    if (targetId === poolId) throw poolAdminError(422, 'invalid_pool_reference', `客户不能移回「${self.name}」自己，请选择另一个在用的公海。`, field);
    const target = pools.find((p) => p.id === targetId);
    if (target === undefined) throw poolAdminError(422, 'invalid_pool_reference', `客户移入的公海（公海 ${targetId}）不存在或不属于本企业，请从本企业的公海中选择。`, field);
    if (target.archived_at !== null) throw poolAdminError(422, 'invalid_pool_reference', `「${target.name}」已归档，不能接收客户；请选择一个在用的公海。`, field);
    const referrers = [
      ...inUse.filter((p) => p.id !== poolId && p.escalate_to_pool_id === poolId).map((p) => `「${p.name}」的无人领取升级`),
      ...inUse.filter((p) => p.id !== poolId && p.parent_pool_id === poolId).map((p) => `「${p.name}」的上级公海`),
      ...(await rulesTargeting(trx, tenantId, poolId)).map((r) => `「${pools.find((p) => p.id === r.pool_id)?.name ?? r.pool_id}」的回收规则 ${r.id}`),
    ];
    if (referrers.length > 0) {
      throw poolAdminError(409, 'pool_in_use', `${referrers.join('、')}仍指向「${self.name}」，不能归档；请先在这些公海的设置中改为其他公海，再归档。`, { references: referrers });
    }
    const reserved = await reservedInPool(trx, tenantId, poolId);
    if (reserved > 0) {
      throw poolAdminError(409, 'customers_reserved', `「${self.name}」有 ${reserved} 个客户被人事预留给新员工（审批中），请等审批结束（或撤回申请）后再归档。`, { reserved });
    }
    if (self.archived_at === null) await markPoolArchived(trx, tenantId, poolId, now);
    return { self, target: toPool(target) };
  });
  invalidateRules(db, tenantId);
  await refreshPoolMembers(db, tenantId);
  invalidateMemberships(db, tenantId);
  await bumpStamp(db, tenantId, 'pools', now);

  const day = localDate(now, timeZone);
  const reason = `公海「${self.name}」归档，客户移入「${target.name}」`;
  const moved = { poolCustomers: 0, ownedCustomers: 0 };
  // Owned ones first: one released meanwhile is back in the pool and found by the second pass.
  for (const status of ['owned', 'pool'] as const) {
    for (let afterId = 0; ; ) {
      const ids = await customerIdsInPool(db, tenantId, poolId, status, afterId, ARCHIVE_PAGE);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1]!;
      // Counted per page and added once it committed: a retried page counts afresh.
      const page = await writeTransaction(db, async (trx) => {
        const facts = await OwnershipFacts.read(trx, tenantId, day, ids.map((customerId) => ({ customerId, userId: null })));
        const changes: OwnershipChange[] = [];
        const counted = { poolCustomers: 0, ownedCustomers: 0 };
        for (const customerId of ids) {
          const row = facts.row(customerId);
          // Moved out meanwhile (an escalation committed between the read and the lock): nothing left to move.
          if (row === undefined || row.pool_id !== poolId) continue;
          const decision = decideChange(facts.state(customerId), facts.pool(poolId), emptyCounts(day), { kind: 'move', actorId: actor.userId, toPool: target, reason, now, timeZone });
          // Reserved by an assignment that started after the check above: stop; the admin archives again once it ends.
          if (!decision.ok) throw refusalError(decision);
          facts.granted(customerId, decision, now);
          changes.push(changeOf(tenantId, customerId, decision, now));
          if (decision.toUserId === null) counted.poolCustomers++;
          else counted.ownedCustomers++;
        }
        await applyOwnershipChanges(trx, changes, { mustApply: true });
        return counted;
      });
      moved.poolCustomers += page.poolCustomers;
      moved.ownedCustomers += page.ownedCustomers;
    }
  }
  return { pool: await adminPool(db, tenantId, poolId), moved };
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
    const rows: PoolRow[] = await poolRows(db, tenantId);
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
