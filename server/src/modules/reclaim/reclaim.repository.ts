import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Database } from '../../db/database';
import { isMysql, type Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';
import { containsText } from '../../db/like';
import type { CustomersTable } from '../customers/customers.table';
import type { PoolRulesTable } from '../pool/pool.table';
import type { ClockRule } from './clocks';
import type { WorkCalendar } from './work-calendar';

/** A rule as the sweep needs it: the clock fields plus where reclaimed customers go and who is told. */
export interface SweepRule extends ClockRule {
  poolId: number;
  version: number;
  targetPoolId: number | null;
  remindDaysBefore: number[];
  notifyManager: boolean;
}

/** A stored rule row as the domain sees it: the one place that parses pool_rules. */
export function toSweepRule(r: Selectable<PoolRulesTable>): SweepRule {
  return {
    id: r.id,
    poolId: r.pool_id,
    kind: r.kind,
    days: r.days,
    enabled: r.enabled === 1,
    levels: JSON.parse(r.levels) as string[],
    tags: JSON.parse(r.tags) as string[],
    exemptWonCustomers: r.exempt_won_customers === 1,
    workingDaysOnly: r.working_days_only === 1,
    version: r.version,
    targetPoolId: r.target_pool_id,
    remindDaysBefore: JSON.parse(r.remind_days_before) as number[],
    notifyManager: r.notify_manager === 1,
  };
}

export async function sweepRules(db: Db, tenantId: string): Promise<SweepRule[]> {
  const rows = await db.selectFrom('pool_rules').selectAll().where('tenant_id', '=', tenantId).orderBy('pool_id').orderBy('id').execute();
  return rows.map(toSweepRule);
}

export async function workCalendar(db: Db, tenantId: string): Promise<WorkCalendar> {
  const rows = await db.selectFrom('tenant_calendar_days').select(['day', 'kind']).where('tenant_id', '=', tenantId).execute();
  return {
    holidays: new Set(rows.filter((r) => r.kind === 'holiday').map((r) => r.day)),
    workdays: new Set(rows.filter((r) => r.kind === 'workday').map((r) => r.day)),
  };
}

type CustomerEb = ExpressionBuilder<Database, 'customers'>;

/**
 * The due condition of one rule as SQL (DESIGN §4.3): the rule's anchor is before `threshold` and its scope covers
 * the customer. The same predicate selects a page and re-checks it inside the reclaiming UPDATE.
 */
export function dueCondition(eb: CustomerEb, rule: ClockRule, threshold: number) {
  const before = (column: 'last_verified_visit_at' | 'last_follow_up_at' | 'last_deal_won_at') =>
    eb.or([eb(column, 'is', null), eb(column, '<', threshold)]);
  const parts = [eb('owned_since', '<', threshold)];
  if (rule.kind === 'no_verified_visit') parts.push(before('last_verified_visit_at'));
  if (rule.kind === 'no_follow_up') parts.push(before('last_follow_up_at'), before('last_verified_visit_at'));
  if (rule.kind === 'no_deal') parts.push(before('last_deal_won_at'));
  if (rule.kind === 'protection_max') {
    // A deal won while owned lifts the hard maximum.
    parts.push(eb.or([eb('last_deal_won_at', 'is', null), eb('last_deal_won_at', '<', eb.ref('owned_since'))]));
  }
  if (rule.levels.length > 0) parts.push(eb('level', 'in', rule.levels));
  if (rule.tags.length > 0) parts.push(eb.or(rule.tags.map((tag) => containsText('tags', JSON.stringify(tag)))));
  if (rule.exemptWonCustomers) parts.push(eb('last_deal_won_at', 'is', null));
  return eb.and(parts);
}

/** One page of a pool's due customer ids under one rule, after `afterId`. */
export async function dueCustomerIds(db: Db, q: { tenantId: string; poolId: number; rule: ClockRule; threshold: number; afterId: number; limit: number }): Promise<number[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', q.tenantId)
    .where('pool_id', '=', q.poolId)
    .where('status', '=', 'owned')
    .where('id', '>', q.afterId)
    .where((eb) => dueCondition(eb, q.rule, q.threshold))
    .orderBy('id')
    .limit(q.limit)
    .execute();
  return rows.map((r) => r.id);
}

/** What the sweep reads of a customer it takes back: owner, pool and the clock fields for the evidence. */
export type LockedCustomer = Pick<
  Selectable<CustomersTable>,
  'id' | 'name' | 'owner_id' | 'pool_id' | 'level' | 'tags' | 'owned_since' | 'last_verified_visit_at' | 'last_follow_up_at' | 'last_deal_won_at'
>;

/**
 * The page's customers, row-locked until the transaction ends (MySQL `FOR UPDATE`; SQLite transactions are
 * serialised anyway), still owned and still due: what the reclaiming UPDATE will change, to the row.
 */
export async function lockDueCustomers(trx: Db, q: { tenantId: string; ids: number[]; rule: ClockRule; threshold: number }): Promise<LockedCustomer[]> {
  if (q.ids.length === 0) return [];
  let query = trx
    .selectFrom('customers')
    .select(['id', 'name', 'owner_id', 'pool_id', 'level', 'tags', 'owned_since', 'last_verified_visit_at', 'last_follow_up_at', 'last_deal_won_at'])
    .where('tenant_id', '=', q.tenantId)
    .where('id', 'in', q.ids)
    .where('status', '=', 'owned')
    .where((eb) => dueCondition(eb, q.rule, q.threshold))
    .orderBy('id');
  if (isMysql(trx)) query = query.forUpdate();
  return query.execute();
}

/** A page of customers waiting in a pool since before `threshold` (for the cascade up the pool chain). */
export async function escalationDueIds(db: Db, q: { tenantId: string; poolId: number; threshold: number; afterId: number; limit: number }): Promise<number[]> {
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('tenant_id', '=', q.tenantId)
    .where('pool_id', '=', q.poolId)
    .where('status', '=', 'pool')
    .where('reserved_by_assignment_id', 'is', null)
    .where('pool_entered_at', '<', q.threshold)
    .where('id', '>', q.afterId)
    .orderBy('id')
    .limit(q.limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Starts the (tenant, run date) run once: `new`, or `exists` with whether that run finished and when it started. */
export async function startRun(db: Db, tenantId: string, runDate: string, now: number): Promise<{ state: 'new' } | { state: 'exists'; finished: boolean; startedAt: number; summary: string | null }> {
  try {
    await db.insertInto('reclaim_runs').values({ tenant_id: tenantId, run_date: runDate, started_at: now, finished_at: null, summary: null }).execute();
    return { state: 'new' };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const row = await db.selectFrom('reclaim_runs').selectAll().where('tenant_id', '=', tenantId).where('run_date', '=', runDate).executeTakeFirstOrThrow();
  return { state: 'exists', finished: row.finished_at !== null, startedAt: row.started_at, summary: row.summary };
}

export async function finishRun(trx: Db, tenantId: string, runDate: string, now: number, summary: unknown): Promise<void> {
  await trx
    .updateTable('reclaim_runs')
    .set({ finished_at: now, summary: JSON.stringify(summary) })
    .where('tenant_id', '=', tenantId)
    .where('run_date', '=', runDate)
    .execute();
}

/**
 * The ledger rows one run wrote (reclaims and escalations), for its summary and digests. They have no new owner and
 * are not older than the run, which the (tenant, to_user_id, type, at) index finds without reading the whole ledger.
 */
export async function ledgerOfRun(db: Db, tenantId: string, runDate: string, since: number) {
  return db
    .selectFrom('ownership_events as e')
    .select(['e.customer_id', 'e.type', 'e.from_user_id', 'e.from_pool_id', 'e.to_pool_id', 'e.rule_id', 'e.reason'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.to_user_id', 'is', null)
    .where('e.type', 'in', ['reclaimed', 'escalated'])
    .where('e.at', '>=', since)
    .where('e.evidence', 'like', `%"runDate":${JSON.stringify(runDate)}%`)
    .orderBy('e.id')
    .execute();
}


/** Customer names by id, for the few a summary or digest shows. */
export async function customerNames(db: Db, tenantId: string, ids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', ids.slice(i, i + 1000)).execute();
    for (const r of rows) names.set(r.id, r.name);
  }
  return names;
}

/** Name, manager and region (the region department above their first department) of each user. */
export async function ownerContext(db: Db, tenantId: string, userIds: string[]): Promise<Map<string, { name: string; managerId: string | null; region: string | null }>> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return new Map();
  const [users, memberships, regions] = await Promise.all([
    db.selectFrom('users').select(['id', 'name', 'manager_id']).where('tenant_id', '=', tenantId).where('id', 'in', unique).execute(),
    db
      .selectFrom('user_departments as ud')
      .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
      .select(['ud.user_id', 'd.path'])
      .where('ud.tenant_id', '=', tenantId)
      .where('ud.user_id', 'in', unique)
      .orderBy('ud.department_id')
      .execute(),
    db.selectFrom('departments').select(['id', 'name']).where('tenant_id', '=', tenantId).where('is_region', '=', 1).execute(),
  ]);
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const regionOf = new Map<string, string>();
  for (const m of memberships) {
    if (regionOf.has(m.user_id)) continue;
    const region = m.path.split('/').filter(Boolean).find((id) => regionName.has(id));
    if (region !== undefined) regionOf.set(m.user_id, regionName.get(region)!);
  }
  return new Map(users.map((u) => [u.id, { name: u.name, managerId: u.manager_id, region: regionOf.get(u.id) ?? null }]));
}
