import type { PlatformMessages } from '@gonghai/plugin-core';
import type { Logger } from 'pino';
import type { Db } from '../../db/create-db';
import type { CurrentUsers } from '../auth/current-users';
import { formatLocal, localDate } from '../../time';
import { OwnershipFacts } from '../pool/ownership-facts';
import { decideChange, emptyCounts } from '../pool/ownership-rules';
import { applyOwnershipChanges, changeOf, type OwnershipChange } from '../pool/ownership-writer';
import { enqueueMessages } from '../notify/outbox.service';
import { customersOwnedBy } from '../pool/transfer.repository';
import type { Tenant } from '../tenants/tenants';
import { findTenantById } from '../tenants/tenants.repository';
import type { User } from './org';
import { countOwnedBy, insertHandover, openHandoverOf } from './handover.repository';
import { findUser, markUserLeft } from './org.repository';
import { writeTransaction } from '../../db/write-retry';
import { bumpStamp } from '../../db/change-stamps';

export interface DepartureResult {
  userId: string;
  /** Customers that left with the employee. */
  returned: number;
  /** `pool`, the manager who received them, or (policy `successor`) when they go to the pool unless handed over. */
  destination: 'pool' | { managerId: string } | { successorDueAt: string };
  /** Whether the manager's message was sent (for `successor`: queued). */
  notified: boolean;
}

const BATCH = 200;
/** How long the manager has to pick a successor under the `successor` policy (issue 19 item 6). */
export const SUCCESSOR_WINDOW_MS = 72 * 3_600_000;
/** Customers the manager's message lists by name. */
const LISTED = 20;

/**
 * An employee left (DESIGN §6): mark them left (locked out of the API at once), hand every customer they own back to its pool — or to their manager when
 * the tenant says so and the manager is active — through the one decision (`depart`) and the one writer, ledger type
 * `left_with_employee`, and tell the manager. Under the `successor` policy nothing moves yet: the customers stay with
 * the leaver (who can no longer act on them) and the manager is asked to pick a successor within 72 hours
 * (`pending_handovers`; handover.service.ts hands them over, the hourly job sends what is left to the pool). Safe to run
 * twice: the second run finds nothing to move and sends nothing.
 */
export async function handleDeparture(
  deps: { db: Db; logger: Logger; users: CurrentUsers },
  tenantId: string,
  userId: string,
  now: number,
  messages: PlatformMessages | undefined,
): Promise<DepartureResult> {
  const { db } = deps;
  const tenant = await findTenantById(db, tenantId);
  if (tenant === undefined) throw new Error(`tenant ${tenantId} does not exist`);
  await markUserLeft(db, tenantId, userId, now);
  await bumpStamp(db, tenantId, 'users', now);
  // Their next request is refused at once in this process (others at their next stamp poll), and a claim
  // already past the door is refused by its own transaction.
  deps.users.invalidate(tenantId, userId);
  const leaver = await findUser(db, tenantId, userId);
  const manager = leaver?.managerId ? await findUser(db, tenantId, leaver.managerId) : undefined;
  if (tenant.settings.departurePolicy === 'successor') return awaitSuccessor(db, tenant, userId, leaver, manager, now);
  const toManager = tenant.settings.departurePolicy === 'manager' && manager?.active === true ? manager.id : null;
  const moved = await departCustomers(db, tenant, userId, toManager, now);
  let notified = false;
  if (manager?.active === true && messages !== undefined && moved.length > 0) {
    const name = leaver?.name ?? userId;
    const where = toManager === null ? '已全部退回公海，其他同事现在可以领取' : '已转到你的名下，请尽快安排跟进';
    const listed = moved.slice(0, 10).map((c) => `- ${c.name}`).join('\n');
    const more = moved.length > 10 ? `\n- …等共 ${moved.length} 个` : '';
    try {
      await messages.toUsers([manager.id], {
        kind: 'markdown',
        title: `${name} 已离职：${moved.length} 个客户${toManager === null ? '已退回公海' : '已转给你'}`,
        text: `### ${name} 已离职\n${formatLocal(now, tenant.timeZone)}，${name} 名下的 ${moved.length} 个客户${where}：\n${listed}${more}`,
      });
      notified = true;
    } catch (error) {
      // The customers have moved either way; a lost notice must not undo or repeat that.
      deps.logger.warn({ err: error, tenantId, userId }, 'departure notice to the manager failed');
    }
  }
  return { userId, returned: moved.length, destination: toManager === null ? 'pool' : { managerId: toManager }, notified };
}

/**
 * The `successor` policy: the leaver's customers wait (one open `pending_handovers` row per leaver, so a second run adds
 * nothing) and the manager gets one message, in the same transaction, listing them with the deadline.
 */
async function awaitSuccessor(db: Db, tenant: Tenant, userId: string, leaver: User | undefined, manager: User | undefined, now: number): Promise<DepartureResult> {
  const owned = await countOwnedBy(db, tenant.id, userId);
  const dueAt = now + SUCCESSOR_WINDOW_MS;
  if (owned === 0) return { userId, returned: 0, destination: 'pool', notified: false };
  const asked = manager?.active === true ? manager.id : null;
  const queued = await writeTransaction(db, async (trx) => {
    if ((await openHandoverOf(trx, tenant.id, userId)) !== undefined) return false;
    const id = await insertHandover(trx, { tenant_id: tenant.id, user_id: userId, manager_id: asked, customers: owned, due_at: dueAt, created_at: now });
    if (asked === null) return false;
    const name = leaver?.name ?? userId;
    const first = await customersOwnedBy(trx, tenant.id, userId, LISTED);
    const listed = first.map((c) => `- ${c.name}`);
    if (owned > LISTED) listed.push(`- 等 ${owned} 个`);
    const title = `${name} 已离职：请在 72 小时内为其 ${owned} 个客户指定交接人`;
    await enqueueMessages(
      trx,
      [
        {
          tenantId: tenant.id,
          dedupeKey: `handover:${id}`,
          target: { kind: 'users', userIds: [asked] },
          message: {
            kind: 'markdown',
            title,
            text: `### ${title}\n${name} 名下的客户暂时保留，请在 ${formatLocal(dueAt, tenant.timeZone)} 前到「工作台 → 离职交接」指定一位接手的同事（一次交接全部客户）；逾期未指定，这些客户将退回公海。\n${listed.join('\n')}`,
          },
        },
      ],
      now,
    );
    return true;
  });
  return { userId, returned: 0, destination: { successorDueAt: new Date(dueAt).toISOString() }, notified: queued };
}

/**
 * Every customer `userId` owns (not reserved by an HR assignment in flight) to its pool, or to `toManager`, through the
 * `depart` decision and the one writer, in pages of BATCH. Returns what moved.
 */
export async function departCustomers(db: Db, tenant: Tenant, userId: string, toManager: string | null, now: number): Promise<{ id: number; name: string }[]> {
  const tenantId = tenant.id;
  const moved: { id: number; name: string }[] = [];
  const day = localDate(now, tenant.timeZone);
  for (;;) {
    const owned = await db
      .selectFrom('customers')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('owner_id', '=', userId)
      .where('status', '=', 'owned')
      // A customer reserved by an HR assignment in flight is left to that assignment, which sees the owner is gone.
      .where('reserved_by_assignment_id', 'is', null)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (owned.length === 0) break;
    const before = moved.length;
    // What moved is added once the page committed: a retried page starts afresh.
    const page = await writeTransaction(db, async (trx) => {
      const facts = await OwnershipFacts.read(trx, tenantId, day, owned.map((c) => ({ customerId: c.id, userId: toManager })));
      const changes: OwnershipChange[] = [];
      const names: { id: number; name: string }[] = [];
      for (const customer of owned) {
        const row = facts.row(customer.id);
        const pool = row ? facts.pool(row.pool_id) : null;
        const manager = toManager === null ? null : facts.party(toManager, row?.pool_id ?? -1);
        const decision = decideChange(facts.state(customer.id), pool, manager && pool ? facts.countsOf(manager.id, pool.id) : emptyCounts(day), {
          kind: 'depart',
          leaverId: userId,
          toManager: manager,
          now,
          timeZone: tenant.timeZone,
        });
        // Refused: no longer theirs, or reserved by an HR assignment that settles it itself.
        if (!decision.ok) continue;
        facts.granted(customer.id, decision, now);
        changes.push(changeOf(tenantId, customer.id, decision, now));
        names.push({ id: customer.id, name: customer.name });
      }
      // The rows are locked by the facts read (the transaction on SQLite), so every grant applies.
      await applyOwnershipChanges(trx, changes, { mustApply: true });
      return names;
    });
    moved.push(...page);
    // Nothing moved means someone else changed them all meanwhile; do not spin on the same rows.
    if (owned.length < BATCH || moved.length === before) break;
  }
  return moved;
}
