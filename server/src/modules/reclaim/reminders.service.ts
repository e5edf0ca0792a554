import { createHash } from 'node:crypto';
import { isMysql, type Db } from '../../db/create-db';
import { addDays, localDate, startOfLocalDate } from '../../time';
import type { OutboxMessage } from '../notify/outbox';
import { enqueueMessages } from '../notify/outbox.service';
import { findTenantById } from '../tenants/tenants.repository';
import { anchorOf, clockSubjectOf } from './clocks';
import { dueCustomerIds, ownerContext, sweepRules, workCalendar, type SweepRule } from './reclaim.repository';
import { ruleReason } from './sweep.service';
import { latestDueAnchorDay, type WorkCalendar } from './work-calendar';
import { writeTransaction } from '../../db/write-retry';

const PAGE = 1000;

interface Reminder {
  customerId: number;
  name: string;
  ownerId: string;
  rule: SweepRule;
  daysBefore: number;
  anchor: number;
}

/** The instant before which a rule's anchor makes a customer due on local day `day`. */
function thresholdOn(day: string, rule: SweepRule, calendar: WorkCalendar, zone: string): number {
  return startOfLocalDate(addDays(latestDueAnchorDay(day, rule.days, rule.workingDaysOnly, calendar), 1), zone);
}

/**
 * The daily reminders (DESIGN §4.3): for every enabled rule and every `remind_days_before` offset k, the owners of
 * customers that become due exactly k days from today get one message each, listing those customers ("客户 X 还有 3 天
 * 将被收回公海，原因：15 天无有效拜访"); the manager gets a copy when the rule says so. Each (customer, rule, offset,
 * anchor) is reminded once, whatever reruns happen: the reminder rows and the messages are written in one transaction.
 */
export async function runReminders(db: Db, tenantId: string, now: number): Promise<{ reminded: number; messages: number }> {
  const tenant = await findTenantById(db, tenantId);
  if (tenant === undefined) return { reminded: 0, messages: 0 };
  const zone = tenant.timeZone;
  const today = localDate(now, zone);
  const [calendar, rules] = await Promise.all([workCalendar(db, tenantId), sweepRules(db, tenantId)]);
  const found: Reminder[] = [];
  for (const rule of rules.filter((r) => r.enabled)) {
    for (const daysBefore of rule.remindDaysBefore) {
      // Due exactly on today + k: due by then, not due a day earlier.
      const dueBy = thresholdOn(addDays(today, daysBefore), rule, calendar, zone);
      const dueEarlier = thresholdOn(addDays(today, daysBefore - 1), rule, calendar, zone);
      for (let afterId = 0; ; ) {
        const ids = await dueCustomerIds(db, { tenantId, poolId: rule.poolId, rule, threshold: dueBy, afterId, limit: PAGE });
        if (ids.length === 0) break;
        afterId = ids[ids.length - 1]!;
        const rows = await db.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
        for (const row of rows) {
          const anchor = anchorOf(rule, clockSubjectOf(row));
          if (anchor === null || anchor < dueEarlier || row.owner_id === null) continue;
          found.push({ customerId: row.id, name: row.name, ownerId: row.owner_id, rule, daysBefore, anchor });
        }
      }
    }
  }
  if (found.length === 0) return { reminded: 0, messages: 0 };
  const owners = await ownerContext(db, tenantId, found.map((r) => r.ownerId));
  return writeTransaction(db, async (trx) => {
    const fresh: Reminder[] = [];
    for (const r of found) {
      const row = { tenant_id: tenantId, customer_id: r.customerId, rule_id: r.rule.id, days_before: r.daysBefore, anchor: r.anchor, sent_at: now };
      const inserted = isMysql(trx)
        ? await trx.insertInto('reclaim_reminders').ignore().values(row).executeTakeFirst()
        : await trx.insertInto('reclaim_reminders').orIgnore().values(row).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) fresh.push(r);
    }
    const line = (r: Reminder) => `- 客户「${r.name}」还有 ${r.daysBefore} 天将被收回公海，原因：${ruleReason(r.rule)}`;
    const byOwner = new Map<string, Reminder[]>();
    for (const r of fresh) byOwner.set(r.ownerId, [...(byOwner.get(r.ownerId) ?? []), r]);
    const key = (items: Reminder[]) => createHash('sha1').update(items.map((r) => `${r.customerId}:${r.rule.id}:${r.daysBefore}:${r.anchor}`).join(',')).digest('hex').slice(0, 16);
    const messages: OutboxMessage[] = [];
    const byManager = new Map<string, Reminder[]>();
    for (const [ownerId, items] of byOwner) {
      messages.push({
        tenantId,
        dedupeKey: `reclaim-reminder:${today}:${ownerId}:${key(items)}`,
        target: { kind: 'users', userIds: [ownerId] },
        message: { kind: 'markdown', title: `${items.length} 个客户即将被收回公海`, text: `### 即将回收提醒\n${items.map(line).join('\n')}\n\n去拜访或跟进，就能保住这些客户。` },
      });
      const managerId = owners.get(ownerId)?.managerId;
      const copied = items.filter((r) => r.rule.notifyManager);
      if (managerId && copied.length > 0) byManager.set(managerId, [...(byManager.get(managerId) ?? []), ...copied]);
    }
    for (const [managerId, items] of byManager) {
      const text = items.map((r) => `${line(r)}（${owners.get(r.ownerId)?.name ?? r.ownerId}）`).join('\n');
      messages.push({
        tenantId,
        dedupeKey: `reclaim-reminder:${today}:manager:${managerId}:${key(items)}`,
        target: { kind: 'users', userIds: [managerId] },
        message: { kind: 'markdown', title: `团队有 ${items.length} 个客户即将被收回公海`, text: `### 团队即将回收提醒（抄送）\n${text}` },
      });
    }
    await enqueueMessages(trx, messages, now);
    return { reminded: fresh.length, messages: messages.length };
  });
}
