import type { PlatformMessage } from '@gonghai/plugin-core';
import type { Logger } from 'pino';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/create-db';
import { AppError } from '../../errors';
import { addDays, localDate, startOfLocalDate } from '../../time';
import type { OutboxMessage } from '../notify/outbox';
import { enqueueMessages } from '../notify/outbox.service';
import { isSealedBot, sealBot, type StoredBotRef } from '../notify/robot-ref';
import { applySweepPage, type BatchedChange } from '../pool/ownership-writer';
import { cooldownEnd } from '../pool/ownership-rules';
import { listPools } from '../pool/pool.repository';
import { findTenantById } from '../tenants/tenants.repository';
import { anchorOf, clockSubjectOf } from './clocks';
import {
  dueCondition,
  dueCustomerIds,
  escalationDueIds,
  finishRun,
  customerNames,
  ledgerOfRun,
  lockDueCustomers,
  ownerContext,
  startRun,
  sweepRules,
  workCalendar,
  type LockedCustomer,
  type SweepRule,
} from './reclaim.repository';
import { latestDueAnchorDay } from './work-calendar';
import { writeTransaction } from '../../db/write-retry';

/** Customers per page: big enough that round trips and statement overheads vanish, small enough to lock briefly. */
const PAGE = 2000;
/** Page transactions in flight at once (on separate connections; SQLite runs them one after the other). */
const PAGES_AT_ONCE = 2;
/** More due customers than this under one rule in one run would be a misconfiguration, not a workload. */
const MAX_DUE_PER_RULE = 5_000_000;
/** A run found unfinished and started less than this ago is still being run by someone else. */
const RUN_LEASE_MS = 10 * 60_000;

export interface SweepOptions {
  now: number;
  /** Compute exactly what a real run would do, write nothing. */
  dryRun?: boolean;
  /** Preview: these rules replace the stored rules of their pools. */
  proposedRules?: SweepRule[];
  /** Only these pools (preview of one pool). */
  poolIds?: number[];
  /** Test seam: called between selecting a page and reclaiming it. */
  hooks?: { afterSelect?: (ids: number[]) => Promise<void> };
  /** Test seam: customers per page (default PAGE), so a test walks several pages with a few customers. */
  pageSize?: number;
}

export interface SweepSummary {
  tenantId: string;
  runDate: string;
  now: string;
  dryRun: boolean;
  /** True when this (tenant, run date) had already run: nothing was changed, the first run's summary is shown. */
  alreadyRan: boolean;
  reclaimed: number;
  escalated: number;
  byRule: { ruleId: number; kind: string; days: number; count: number }[];
  byRegion: { region: string; count: number }[];
  byRep: { userId: string; name: string; count: number }[];
  examples: { customerId: number; name: string; ownerId: string | null; ownerName: string | null; reason: string }[];
}

const kindNames: Record<string, string> = {
  no_verified_visit: '无有效拜访',
  no_follow_up: '无跟进',
  no_deal: '未成交',
  protection_max: '超过最长保护期',
};

/** Why a rule takes a customer back, in the words a rep reads: "15 天无有效拜访". */
export function ruleReason(rule: Pick<SweepRule, 'kind' | 'days' | 'workingDaysOnly'>): string {
  return rule.kind === 'protection_max'
    ? `持有超过 ${rule.days} ${rule.workingDaysOnly ? '个工作日' : '天'}（最长保护期）`
    : `${rule.days} ${rule.workingDaysOnly ? '个工作日' : '天'}${kindNames[rule.kind]}`;
}

interface Taken {
  customerId: number;
  name: string;
  ownerId: string | null;
  rule: SweepRule | null;
  reason: string;
  type: 'reclaimed' | 'escalated';
}

/**
 * The reclaim sweep of one tenant (DESIGN §4.3): for each enabled rule, due customers are selected in pages by one
 * set-based query, and each page is reclaimed in one transaction (two pages at a time) that locks the rows, re-checks
 * the due condition in the UPDATE itself (a check-in committed meanwhile wins), and writes one ledger row each with the
 * rule, its version and the evidence. Then unclaimed customers cascade up the pool chain. A run is identified by (tenant, run date): a
 * second run of the date changes nothing. The digests go to the outbox in the transaction that closes the run.
 * A dry run walks the same selection and writes nothing.
 */
export async function runSweep(deps: { db: Db; logger: Logger; secrets: SecretBox }, tenantId: string, options: SweepOptions): Promise<SweepSummary> {
  const { db } = deps;
  const { now } = options;
  const dryRun = options.dryRun === true;
  const tenant = await findTenantById(db, tenantId);
  if (tenant === undefined) throw new AppError(404, 'not_found', `企业 ${tenantId} 不存在。`);
  const zone = tenant.timeZone;
  const runDate = localDate(now, zone);
  let runStartedAt = now;
  let resumed = false;
  if (!dryRun) {
    const run = await startRun(db, tenantId, runDate, now);
    if (run.state === 'exists') {
      if (run.finished || now - run.startedAt < RUN_LEASE_MS) {
        const summary =
          run.summary === null
            ? await summarize(db, tenantId, runDate, now, await takenByRun(db, tenantId, runDate, run.startedAt), false)
            : (JSON.parse(run.summary) as SweepSummary);
        return { ...summary, alreadyRan: true };
      }
      runStartedAt = run.startedAt;
      resumed = true;
    }
  }
  const [calendar, storedRules, pools] = await Promise.all([workCalendar(db, tenantId), sweepRules(db, tenantId), listPools(db, tenantId)]);
  const inScope = (poolId: number) => options.poolIds === undefined || options.poolIds.includes(poolId);
  const proposedPools = new Set((options.proposedRules ?? []).map((r) => r.poolId));
  const rules = [...storedRules.filter((r) => !proposedPools.has(r.poolId)), ...(options.proposedRules ?? [])].filter((r) => r.enabled && inScope(r.poolId));
  const poolById = new Map(pools.map((p) => [p.id, p]));
  const taken: Taken[] = [];
  const seen = new Set<number>();

  const thresholdOf = (rule: SweepRule) => startOfLocalDate(addDays(latestDueAnchorDay(runDate, rule.days, rule.workingDaysOnly, calendar), 1), zone);
  // The due ids of a rule in one ordered read, then reclaimed a page at a time: paging the read itself with
  // `id > afterId` made MariaDB walk the pool's index from its start for every page (quadratic in the pool size).
  // The next rule's read runs while this rule's pages do; what this rule takes meanwhile is dropped from it below, and
  // every page re-checks ownership and the due condition under its lock anyway.
  const dueRead = (rule: SweepRule) => {
    const read = dueCustomerIds(db, { tenantId, poolId: rule.poolId, rule, threshold: thresholdOf(rule), afterId: 0, limit: MAX_DUE_PER_RULE });
    // Awaited in its turn; a failure surfaces there, or not at all when an earlier rule already failed the run.
    read.catch(() => undefined);
    return read;
  };
  let nextRead = rules.length > 0 ? dueRead(rules[0]!) : undefined;
  for (const [index, rule] of rules.entries()) {
    const read = nextRead!;
    nextRead = index + 1 < rules.length ? dueRead(rules[index + 1]!) : undefined;
    const threshold = thresholdOf(rule);
    const pool = poolById.get(rule.poolId);
    if (pool === undefined) continue;
    const blockedUntil = cooldownEnd(pool, now);
    const due = (await read).filter((id) => !seen.has(id));
    const pages: number[][] = [];
    const pageSize = options.pageSize ?? PAGE;
    for (let start = 0; start < due.length; start += pageSize) pages.push(due.slice(start, start + pageSize));
    const reclaimPage = async (ids: number[]): Promise<LockedCustomer[]> => {
      if (dryRun) return lockDueCustomers(db, { tenantId, ids, rule, threshold });
      await options.hooks?.afterSelect?.(ids);
      return writeTransaction(db, async (trx) => {
        const rows = await lockDueCustomers(trx, { tenantId, ids, rule, threshold });
        const changes: BatchedChange[] = rows.map((row) => ({
          customerId: row.id,
          fromUserId: row.owner_id,
          fromPoolId: row.pool_id,
          reason: ruleReason(rule),
          evidence: reclaimEvidence(rule, row, runDate),
        }));
        await applySweepPage(trx, {
          tenantId,
          type: 'reclaimed',
          changes,
          toPoolId: rule.targetPoolId ?? rule.poolId,
          ruleId: rule.id,
          ruleVersion: rule.version,
          priorOwnerBlockedUntil: blockedUntil,
          now,
          stillDue: (eb) => dueCondition(eb, rule, threshold),
        });
        return rows;
      });
    };
    // Pages hold disjoint customers, so two transactions never wait on each other's rows: while one page is in the
    // database the next one is built here, and the database works on two pages at once.
    for (const rows of await inOrder(pages, dryRun ? 1 : PAGES_AT_ONCE, reclaimPage)) {
      for (const row of rows) {
        seen.add(row.id);
        taken.push({ customerId: row.id, name: row.name, ownerId: row.owner_id, rule, reason: ruleReason(rule), type: 'reclaimed' });
      }
    }
  }

  // The cascade: customers nobody claimed for `escalate_after_days` move up to the next pool.
  for (const pool of pools) {
    if (!inScope(pool.id) || pool.escalateAfterDays === null || pool.escalateToPoolId === null) continue;
    const threshold = startOfLocalDate(addDays(runDate, -pool.escalateAfterDays), zone);
    const target = poolById.get(pool.escalateToPoolId);
    const reason = `在「${pool.name}」${pool.escalateAfterDays} 天无人领取，升级到「${target?.name ?? pool.escalateToPoolId}」`;
    for (let afterId = 0; ; ) {
      const ids = (await escalationDueIds(db, { tenantId, poolId: pool.id, threshold, afterId, limit: PAGE })).filter((id) => !seen.has(id));
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1]!;
      const rows = await db.selectFrom('customers').select(['id', 'name', 'pool_id', 'pool_entered_at']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      if (!dryRun) {
        await writeTransaction(db, (trx) =>
          applySweepPage(trx, {
            tenantId,
            type: 'escalated',
            changes: rows.map((row) => ({ customerId: row.id, fromUserId: null, fromPoolId: row.pool_id, reason, evidence: { runDate, poolEnteredAt: row.pool_entered_at, escalateAfterDays: pool.escalateAfterDays } })),
            toPoolId: pool.escalateToPoolId!,
            ruleId: null,
            ruleVersion: null,
            priorOwnerBlockedUntil: null,
            now,
            stillDue: (eb) => eb.and([eb('pool_id', '=', pool.id), eb('pool_entered_at', '<', threshold), eb('reserved_by_assignment_id', 'is', null)]),
          }),
        );
      }
      for (const row of rows) {
        seen.add(row.id);
        taken.push({ customerId: row.id, name: row.name, ownerId: null, rule: null, reason, type: 'escalated' });
      }
    }
  }

  if (dryRun) return summarize(db, tenantId, runDate, now, taken, true);
  // A run that started here did all its changes in this process: what the pages took is the whole run, names
  // included. A run resumed after a crash also reports what the crashed attempt did, so it reads its ledger rows back.
  const all = resumed ? await takenByRun(db, tenantId, runDate, runStartedAt) : taken;
  const summary = await summarize(db, tenantId, runDate, now, all, false);
  const digests = await digestMessages(db, deps.secrets, tenantId, tenant.settings, runDate, all);
  await writeTransaction(db, async (trx) => {
    await enqueueMessages(trx, digests, now);
    await finishRun(trx, tenantId, runDate, now, summary);
  });
  deps.logger.info({ tenantId, runDate, reclaimed: summary.reclaimed, escalated: summary.escalated }, 'reclaim sweep finished');
  return summary;
}

/**
 * What a reclaim was decided on, kept with its ledger row: the run, the rule as it was (its id and version are the
 * ledger row's own columns), the anchor, and exactly the customer fields the rule's due condition reads.
 */
function reclaimEvidence(rule: SweepRule, row: LockedCustomer, runDate: string): Record<string, unknown> {
  const evidence: Record<string, unknown> = {
    runDate,
    rule: { kind: rule.kind, days: rule.days, workingDaysOnly: rule.workingDaysOnly },
    anchor: anchorOf(rule, clockSubjectOf(row)),
    ownedSince: row.owned_since,
  };
  if (rule.kind === 'no_verified_visit' || rule.kind === 'no_follow_up') evidence.lastVerifiedVisitAt = row.last_verified_visit_at;
  if (rule.kind === 'no_follow_up') evidence.lastFollowUpAt = row.last_follow_up_at;
  if (rule.kind === 'no_deal' || rule.kind === 'protection_max' || rule.exemptWonCustomers) evidence.lastDealWonAt = row.last_deal_won_at;
  if (rule.levels.length > 0) evidence.level = row.level;
  if (rule.tags.length > 0) evidence.tags = JSON.parse(row.tags) as string[];
  return evidence;
}

/**
 * `fn` over every item, at most `limit` at a time, results in the items' order. After a failure no further item is
 * started; the ones running are awaited, then the first error is thrown.
 */
async function inOrder<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}

async function takenByRun(db: Db, tenantId: string, runDate: string, since: number): Promise<Taken[]> {
  const rules = new Map((await sweepRules(db, tenantId)).map((r) => [r.id, r]));
  // In the order the sweep takes them (rule after rule, each by customer id), escalations last: the order a run that
  // never stopped reports from memory, whichever of two concurrent pages wrote its ledger rows first.
  const position = new Map([...rules.keys()].map((id, i) => [id, i]));
  const rank = (e: { type: string; rule_id: number | null }) => (e.type === 'reclaimed' ? position.get(e.rule_id ?? -1) ?? rules.size : rules.size + 1);
  const rows = (await ledgerOfRun(db, tenantId, runDate, since)).sort(
    (a, b) => rank(a) - rank(b) || (a.type === 'reclaimed' ? a.customer_id - b.customer_id : 0),
  );
  // Names only for what is shown: the summary's first examples and each rep's first five in the digests.
  const shown = new Set(rows.filter((e) => e.type === 'reclaimed').slice(0, 10).map((e) => e.customer_id));
  const perRep = new Map<string, number[]>();
  for (const e of rows) {
    if (e.type !== 'reclaimed') continue;
    const ids = perRep.get(e.from_user_id ?? '') ?? [];
    ids.push(e.customer_id);
    perRep.set(e.from_user_id ?? '', ids);
  }
  for (const ids of perRep.values()) for (const id of [...ids].sort((a, b) => a - b).slice(0, 5)) shown.add(id);
  const names = await customerNames(db, tenantId, [...shown]);
  return rows.map((e) => ({
    customerId: e.customer_id,
    name: names.get(e.customer_id) ?? '',
    ownerId: e.from_user_id,
    rule: e.rule_id === null ? null : rules.get(e.rule_id) ?? null,
    reason: e.reason ?? '',
    type: e.type as 'reclaimed' | 'escalated',
  }));
}

async function summarize(db: Db, tenantId: string, runDate: string, now: number, taken: Taken[], dryRun: boolean): Promise<SweepSummary> {
  const reclaimed = taken.filter((t) => t.type === 'reclaimed');
  const owners = await ownerContext(db, tenantId, reclaimed.map((t) => t.ownerId).filter((id): id is string => id !== null));
  const count = <K>(items: Taken[], key: (t: Taken) => K) => {
    const counts = new Map<K, number>();
    for (const t of items) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
    return counts;
  };
  const byRule = [...count(reclaimed, (t) => t.rule?.id ?? 0)].map(([ruleId, n]) => {
    const rule = reclaimed.find((t) => t.rule?.id === ruleId)?.rule;
    return { ruleId, kind: rule?.kind ?? 'unknown', days: rule?.days ?? 0, count: n };
  });
  const byRegion = [...count(reclaimed, (t) => owners.get(t.ownerId ?? '')?.region ?? '未分区')].map(([region, n]) => ({ region, count: n }));
  const byRep = [...count(reclaimed, (t) => t.ownerId ?? '')].map(([userId, n]) => ({ userId, name: owners.get(userId)?.name ?? userId, count: n }));
  return {
    tenantId,
    runDate,
    now: new Date(now).toISOString(),
    dryRun,
    alreadyRan: false,
    reclaimed: reclaimed.length,
    escalated: taken.length - reclaimed.length,
    byRule: byRule.sort((a, b) => b.count - a.count || a.ruleId - b.ruleId),
    byRegion: byRegion.sort((a, b) => b.count - a.count || a.region.localeCompare(b.region)),
    byRep: byRep.sort((a, b) => b.count - a.count || a.userId.localeCompare(b.userId)),
    examples: reclaimed.slice(0, 10).map((t) => ({ customerId: t.customerId, name: t.name, ownerId: t.ownerId, ownerName: owners.get(t.ownerId ?? '')?.name ?? null, reason: t.reason })),
  };
}

/**
 * One digest per manager (their reps' reclaimed customers, grouped by rep) and one per configured pool-return robot —
 * never one message per customer. Dedupe keys carry the run date, so a rerun adds nothing to the outbox.
 */
async function digestMessages(db: Db, secrets: SecretBox, tenantId: string, settings: { poolReturnBots?: StoredBotRef[] }, runDate: string, taken: Taken[]): Promise<OutboxMessage[]> {
  const reclaimed = taken.filter((t) => t.type === 'reclaimed');
  if (reclaimed.length === 0) return [];
  const owners = await ownerContext(db, tenantId, reclaimed.map((t) => t.ownerId!).filter(Boolean));
  const grouped = new Map<string, Taken[]>();
  for (const t of reclaimed) {
    const items = grouped.get(t.ownerId ?? '') ?? [];
    items.push(t);
    grouped.set(t.ownerId ?? '', items);
  }
  // Reps in a stable order (by user id), each rep's customers by id, whatever order the rows came in. Grouped first,
  // so localeCompare runs over the reps, not over every customer of a big run.
  const byRep = new Map(
    [...grouped].sort(([a], [b]) => a.localeCompare(b)).map(([repId, items]) => [repId, items.sort((x, y) => x.customerId - y.customerId)] as const),
  );
  const section = (repId: string, items: Taken[]) => {
    const top = items.slice(0, 5).map((t) => `  - ${t.name}（${t.reason}）`).join('\n');
    return `- **${owners.get(repId)?.name ?? repId}**：${items.length} 个\n${top}${items.length > 5 ? `\n  - …等共 ${items.length} 个` : ''}`;
  };
  const message = (reps: [string, Taken[]][], scope: string): PlatformMessage => {
    const total = reps.reduce((n, [, items]) => n + items.length, 0);
    return {
      kind: 'markdown',
      title: `${runDate} 公海回收：${scope}${total} 个客户`,
      text: `### ${runDate} 自动回收公海\n${scope}共 ${total} 个客户因规则到期退回公海：\n${reps.map(([id, items]) => section(id, items)).join('\n')}\n\n打开「公海」查看详情。`,
    };
  };
  const messages: OutboxMessage[] = [];
  const byManager = new Map<string, [string, Taken[]][]>();
  for (const [repId, items] of byRep) {
    const managerId = owners.get(repId)?.managerId;
    if (managerId) byManager.set(managerId, [...(byManager.get(managerId) ?? []), [repId, items]]);
  }
  for (const [managerId, reps] of byManager) {
    messages.push({ tenantId, dedupeKey: `reclaim-digest:${runDate}:manager:${managerId}`, target: { kind: 'users', userIds: [managerId] }, message: message(reps, '你的团队') });
  }
  // Robots stay sealed on their way to the outbox (a robot saved before tokens were sealed is sealed here) and are named
  // by hash in the dedupe key: the token is a credential.
  for (const bot of settings.poolReturnBots ?? []) {
    const sealed = isSealedBot(bot) ? bot : sealBot(secrets, bot);
    messages.push({ tenantId, dedupeKey: `reclaim-digest:${runDate}:bot:${sealed.key}`, target: { kind: 'bot', bot: sealed }, message: message([...byRep], '') });
  }
  return messages;
}
