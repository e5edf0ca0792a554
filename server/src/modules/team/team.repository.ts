import type { Db } from '../../db/create-db';

/** `in` lists are sent in chunks this long (MySQL and SQLite both take far more; this keeps statements small). */
const CHUNK = 1000;

async function chunked<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await read(ids.slice(i, i + CHUNK))));
  return out;
}

/** Active users with the rep role, of the tenant or only among `userIds`, with their first department (by id). */
export async function activeReps(db: Db, tenantId: string, userIds: string[] | 'all'): Promise<{ id: string; name: string; department: { id: string; name: string } | null }[]> {
  const read = (ids: string[] | null) => {
    let q = db.selectFrom('users').select(['id', 'name', 'roles']).where('tenant_id', '=', tenantId).where('active', '=', 1);
    if (ids !== null) q = q.where('id', 'in', ids);
    return q.execute();
  };
  const users = (userIds === 'all' ? await read(null) : await chunked(userIds, read)).filter((u) => u.roles.split(',').includes('rep'));
  if (users.length === 0) return [];
  const memberships = await chunked(
    users.map((u) => u.id),
    (ids) =>
      db
        .selectFrom('user_departments as ud')
        .innerJoin('departments as d', (j) => j.onRef('d.tenant_id', '=', 'ud.tenant_id').onRef('d.id', '=', 'ud.department_id'))
        .select(['ud.user_id', 'd.id', 'd.name'])
        .where('ud.tenant_id', '=', tenantId)
        .where('ud.user_id', 'in', ids)
        .orderBy('ud.department_id')
        .execute(),
  );
  const first = new Map<string, { id: string; name: string }>();
  for (const m of memberships) if (!first.has(m.user_id)) first.set(m.user_id, { id: m.id, name: m.name });
  return users.map((u) => ({ id: u.id, name: u.name, department: first.get(u.id) ?? null }));
}

/** What the reclaim clocks of an owned customer read, plus its name and owner. */
export interface OwnedClockRow {
  id: number;
  name: string;
  owner_id: string | null;
  pool_id: number;
  level: string;
  tags: string;
  owned_since: number | null;
  last_verified_visit_at: number | null;
  last_follow_up_at: number | null;
  last_deal_won_at: number | null;
}

/** The customers the given users own now (through the (tenant, owner) index). */
export async function ownedBy(db: Db, tenantId: string, userIds: string[]): Promise<OwnedClockRow[]> {
  return chunked(userIds, (ids) =>
    db
      .selectFrom('customers')
      .select(['id', 'name', 'owner_id', 'pool_id', 'level', 'tags', 'owned_since', 'last_verified_visit_at', 'last_follow_up_at', 'last_deal_won_at'])
      .where('tenant_id', '=', tenantId)
      .where('owner_id', 'in', ids)
      .where('status', '=', 'owned')
      .orderBy('id')
      .execute(),
  );
}

/** Check-ins of the given users in [from, to], counted per user and current verdict. */
export async function visitCounts(db: Db, tenantId: string, userIds: string[], from: number, to: number): Promise<{ user_id: string; verdict: 'verified' | 'suspect' | 'rejected'; n: number }[]> {
  const rows = await chunked(userIds, (ids) =>
    db
      .selectFrom('visits')
      .select(['user_id', 'verdict', (eb) => eb.fn.countAll().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('user_id', 'in', ids)
      .where('checked_in_at', '>=', from)
      .where('checked_in_at', '<=', to)
      .groupBy(['user_id', 'verdict'])
      .execute(),
  );
  return rows.map((r) => ({ user_id: r.user_id, verdict: r.verdict, n: Number(r.n) }));
}

/**
 * Customers the rules took from the given users in [from, to], per user. Reclaims have no new owner, so the
 * (tenant, to_user_id, type, at) index narrows the read to the window's reclaims.
 */
export async function reclaimCounts(db: Db, tenantId: string, userIds: string[], from: number, to: number): Promise<Map<string, number>> {
  const rows = await chunked(userIds, (ids) =>
    db
      .selectFrom('ownership_events')
      .select(['from_user_id', (eb) => eb.fn.countAll().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('to_user_id', 'is', null)
      .where('type', '=', 'reclaimed')
      .where('at', '>=', from)
      .where('at', '<=', to)
      .where('from_user_id', 'in', ids)
      .groupBy('from_user_id')
      .execute(),
  );
  return new Map(rows.map((r) => [r.from_user_id ?? '', Number(r.n)]));
}

/** The tenant's most recent finished sweep run. */
export async function latestFinishedRun(db: Db, tenantId: string) {
  return db
    .selectFrom('reclaim_runs')
    .select(['run_date', 'started_at', 'finished_at'])
    .where('tenant_id', '=', tenantId)
    .where('finished_at', 'is not', null)
    .orderBy('run_date', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The reclaims one run wrote (its ledger rows between its start and finish that carry its run date), with the
 * customer's name; only those taken from `fromUserIds` unless 'all'.
 */
export async function reclaimsOfRun(db: Db, tenantId: string, run: { runDate: string; startedAt: number; finishedAt: number }, fromUserIds: string[] | 'all') {
  const read = (ids: string[] | null) => {
    let q = db
      .selectFrom('ownership_events as e')
      .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'e.tenant_id').onRef('c.id', '=', 'e.customer_id'))
      .select(['e.id', 'e.customer_id', 'c.name', 'e.from_user_id', 'e.from_pool_id', 'e.to_pool_id', 'e.rule_id', 'e.reason', 'e.evidence', 'e.at'])
      .where('e.tenant_id', '=', tenantId)
      .where('e.to_user_id', 'is', null)
      .where('e.type', '=', 'reclaimed')
      .where('e.at', '>=', run.startedAt)
      .where('e.at', '<=', run.finishedAt)
      .where('e.evidence', 'like', `%"runDate":${JSON.stringify(run.runDate)}%`);
    if (ids !== null) q = q.where('e.from_user_id', 'in', ids);
    return q.orderBy('e.id').execute();
  };
  const rows = fromUserIds === 'all' ? await read(null) : await chunked(fromUserIds, read);
  return rows.sort((a, b) => a.id - b.id);
}

/** Names of pools by id. */
export async function poolNames(db: Db, tenantId: string, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('pools').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Kind and days of rules by id (for ledger rows written before evidence carried them). */
export async function ruleFacts(db: Db, tenantId: string, ids: number[]): Promise<Map<number, { kind: string; days: number }>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('pool_rules').select(['id', 'kind', 'days']).where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, { kind: r.kind, days: r.days }]));
}
