import type { Clock } from '@gonghai/plugin-core';
import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { notFound } from '../../errors';
import { addDays, DAY_MS, localDate, startOfLocalDate } from '../../time';
import type { CustomerDto } from '../customers/customers';
import { ownedCustomers } from '../customers/customers.repository';
import { customerDtos } from '../customers/customers.service';
import { departmentPaths, findUser, usersInSubtrees, userNames } from '../org/org.repository';
import type { RuleKind } from '../pool/pool.table';
import { clockSubjectOf, reclaimClocks } from '../reclaim/clocks';
import { cachedCalendar, rulesByPool } from '../pool/pool-rules.repository';
import type { LatestReclaimsResponse, TeamMember, TeamResponse } from './team';
import { activeReps, latestFinishedRun, ownedBy, poolNames, reclaimCounts, reclaimsOfRun, ruleFacts, visitCounts } from './team.repository';

/** How far back 我的团队 counts a rep's reclaimed customers. */
export const RECLAIM_WINDOW_DAYS = 30;

/**
 * Whose figures the actor may see: an admin everyone's; a manager the users in the department subtrees they lead
 * (DESIGN §1), so a 华东 manager never sees a 华南 rep. The routes let only these two roles in.
 */
export async function teamScope(db: Db, actor: Actor): Promise<string[] | 'all'> {
  if (actor.roles.includes('admin')) return 'all';
  const me = await findUser(db, actor.tenantId, actor.userId);
  return usersInSubtrees(db, actor.tenantId, await departmentPaths(db, actor.tenantId, me?.leaderOf ?? []));
}

/** The tenant-local Monday of the week containing `now` (YYYY-MM-DD). */
export function weekStart(now: number, zone: string): string {
  const today = localDate(now, zone);
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay();
  return addDays(today, -((weekday + 6) % 7));
}

/** `GET /api/v1/team`: each rep in scope with customers, this week's visits, recent reclaims and the next reclaim. */
export async function teamOverview(deps: { db: Db; clock: Clock }, actor: Actor): Promise<TeamResponse> {
  const { db } = deps;
  const now = deps.clock.now();
  const zone = actor.timeZone;
  const monday = weekStart(now, zone);
  const since = now - RECLAIM_WINDOW_DAYS * DAY_MS;
  const reps = await activeReps(db, actor.tenantId, await teamScope(db, actor));
  const ids = reps.map((r) => r.id);
  const [owned, visits, reclaimed] = await Promise.all([
    ownedBy(db, actor.tenantId, ids),
    visitCounts(db, actor.tenantId, ids, startOfLocalDate(monday, zone), now),
    reclaimCounts(db, actor.tenantId, ids, since, now),
  ]);
  const rules = await rulesByPool(db, actor.tenantId, owned.map((c) => c.pool_id));
  // Only working-day rules need the tenant calendar.
  const calendar = [...rules.values()].some((list) => list.some((r) => r.workingDaysOnly)) ? await cachedCalendar(db, actor.tenantId) : undefined;
  const byRep = new Map<string, TeamMember>(
    reps.map((r) => [
      r.id,
      { userId: r.id, name: r.name, department: r.department, customers: 0, visitsThisWeek: { verified: 0, suspect: 0, rejected: 0 }, reclaimed30d: reclaimed.get(r.id) ?? 0, nextReclaim: null },
    ]),
  );
  const nextDue = new Map<string, number>();
  for (const c of owned) {
    const member = byRep.get(c.owner_id ?? '');
    if (!member || c.owned_since === null) continue;
    member.customers += 1;
    const poolRules = rules.get(c.pool_id) ?? [];
    const first = reclaimClocks(clockSubjectOf(c), poolRules, zone, calendar)[0];
    // Rows come by id, so on a tie the lower id stays: the same customer every time.
    if (first && first.dueDate < (nextDue.get(member.userId) ?? Number.POSITIVE_INFINITY)) {
      nextDue.set(member.userId, first.dueDate);
      const days = poolRules.find((r) => r.id === first.ruleId)?.days ?? 0;
      member.nextReclaim = { customerId: c.id, customerName: c.name, ruleId: first.ruleId, kind: first.kind, days, dueDate: new Date(first.dueDate).toISOString() };
    }
  }
  for (const v of visits) {
    const member = byRep.get(v.user_id);
    if (member) member.visitsThisWeek[v.verdict] += v.n;
  }
  const items = [...byRep.values()].sort((a, b) => (a.department?.id ?? '').localeCompare(b.department?.id ?? '') || a.userId.localeCompare(b.userId));
  return { weekStart: monday, reclaimedSince: new Date(since).toISOString(), asOf: new Date(now).toISOString(), items };
}

/** `GET /api/v1/team/:userId/customers`: one rep's customers, most urgent reclaim first; reps outside scope are "not found". */
export async function teamMemberCustomers(db: Db, actor: Actor, userId: string): Promise<{ user: { userId: string; name: string }; items: CustomerDto[] }> {
  const scope = await teamScope(db, actor);
  const [rep] = await activeReps(db, actor.tenantId, scope === 'all' || scope.includes(userId) ? [userId] : []);
  if (!rep) throw notFound('业务员');
  const dtos = await customerDtos(db, actor, await ownedCustomers(db, actor.tenantId, rep.id));
  const due = (c: CustomerDto) => (c.reclaim ? Date.parse(c.reclaim.dueDate) : Number.POSITIVE_INFINITY);
  return { user: { userId: rep.id, name: rep.name }, items: dtos.sort((a, b) => due(a) - due(b) || a.id - b.id) };
}

/** `GET /api/v1/reclaims/latest`: the last finished sweep run and the customers it took from reps in scope. */
export async function latestReclaims(db: Db, actor: Actor): Promise<LatestReclaimsResponse> {
  const row = await latestFinishedRun(db, actor.tenantId);
  if (!row || row.finished_at === null) return { run: null, items: [] };
  const run = { runDate: row.run_date, startedAt: row.started_at, finishedAt: row.finished_at };
  const rows = await reclaimsOfRun(db, actor.tenantId, run, await teamScope(db, actor));
  const [owners, pools, rules] = await Promise.all([
    userNames(db, actor.tenantId, rows.map((r) => r.from_user_id).filter((id): id is string => id !== null)),
    poolNames(db, actor.tenantId, rows.flatMap((r) => [r.from_pool_id, r.to_pool_id]).filter((id): id is number => id !== null)),
    ruleFacts(db, actor.tenantId, rows.map((r) => r.rule_id).filter((id): id is number => id !== null)),
  ]);
  const pool = (id: number | null) => (id === null ? null : { id, name: pools.get(id) ?? '' });
  return {
    run: { runDate: run.runDate, startedAt: new Date(run.startedAt).toISOString(), finishedAt: new Date(run.finishedAt).toISOString() },
    items: rows.map((r) => {
      // The rule as it was when the run used it (the ledger's evidence), else as it is now.
      const evidence = r.evidence === null ? null : (JSON.parse(r.evidence) as { rule?: { kind?: RuleKind; days?: number } });
      const now = r.rule_id === null ? undefined : rules.get(r.rule_id);
      return {
        customerId: r.customer_id,
        customerName: r.name,
        formerOwner: r.from_user_id === null ? null : { userId: r.from_user_id, name: owners.get(r.from_user_id) ?? r.from_user_id },
        rule: r.rule_id === null ? null : { id: r.rule_id, kind: evidence?.rule?.kind ?? ((now?.kind as RuleKind | undefined) ?? null), days: evidence?.rule?.days ?? now?.days ?? null },
        reason: r.reason ?? '',
        fromPool: pool(r.from_pool_id),
        targetPool: pool(r.to_pool_id),
        at: new Date(r.at).toISOString(),
      };
    }),
  };
}
