import type { Actor, AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { writeTransaction } from '../../db/write-retry';
import { AppError, notFound } from '../../errors';
import { formatLocal } from '../../time';
import { enqueueMessages } from '../notify/outbox.service';
import type { HandoverBody, TransferResult } from '../pool/transfer';
import { customersOwnedBy, type TransferCandidate } from '../pool/transfer.repository';
import { authorityOver, moveCustomers, notifyReceiver } from '../pool/transfer.service';
import type { Tenant } from '../tenants/tenants';
import { departCustomers } from './departure.service';
import type { HandoverListQuery, PendingHandoverDto } from './handover';
import { countOwnedBy, dueHandovers, openHandovers, openHandoverOf, resolveHandover } from './handover.repository';
import { departmentPaths, findUser, userNames } from './org.repository';

const PAGE = 1000;
/** Leavers the list shows at once (a company rarely has more waiting at the same time), and names per leaver. */
const LISTED = 100;
const NAMED = 3;

/**
 * `GET /api/v1/handovers?status=pending` (离职交接): the leavers whose customers wait for a successor, the nearest
 * deadline first — all of them for an admin, for a manager those in the subtrees they lead (the ones they may hand
 * over). The count is what the leaver owns now, which is what a handover would move.
 */
export async function listPendingHandovers(deps: Pick<AppDeps, 'db'>, actor: Actor, _query: HandoverListQuery): Promise<PendingHandoverDto[]> {
  const { db } = deps;
  const { tenantId } = actor;
  let paths: string[] | null = null;
  if (!actor.roles.includes('admin')) {
    const me = await findUser(db, tenantId, actor.userId);
    paths = await departmentPaths(db, tenantId, me?.leaderOf ?? []);
  }
  const rows = await openHandovers(db, tenantId, paths, LISTED);
  return Promise.all(
    rows.map(async (row) => {
      const [customers, first] = await Promise.all([countOwnedBy(db, tenantId, row.user_id), customersOwnedBy(db, tenantId, row.user_id, NAMED)]);
      return {
        userId: row.user_id,
        userName: row.user_name,
        departedAt: new Date(row.created_at).toISOString(),
        deadline: new Date(row.due_at).toISOString(),
        customers,
        customerNames: first.map((c) => c.name),
      };
    }),
  );
}

/** Everything `userId` owns, by id (a handover takes it all at once). */
async function allOwnedBy(db: Db, tenantId: string, userId: string): Promise<TransferCandidate[]> {
  const all: TransferCandidate[] = [];
  for (let afterId = 0; ; ) {
    const page = await customersOwnedBy(db, tenantId, userId, PAGE, afterId);
    all.push(...page);
    if (page.length < PAGE) return all;
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * `POST /api/v1/admin/users/:userId/handover` (issue 19 item 6): an admin, or a manager in scope of both, hands every
 * customer of a leaver (reason «离职交接») or of a mover still at work («调岗交接») to one successor, all or nothing,
 * through the transfer decision (the successor's cap and pool membership apply unless `force`). A handover the
 * `successor` policy was waiting for is closed; the successor gets one message listing the customers.
 */
export async function handOver(deps: AppDeps, actor: Actor, userId: string, body: HandoverBody): Promise<TransferResult & { reason: string }> {
  const { db } = deps;
  const { tenantId } = actor;
  const now = deps.clock.now();
  const [from, to] = await Promise.all([findUser(db, tenantId, userId), findUser(db, tenantId, body.toUserId)]);
  if (from === undefined) throw notFound('员工');
  if (to === undefined) throw notFound('接手的员工');
  const { authority, outside } = await authorityOver(db, actor, [from.id, to.id]);
  if (outside !== undefined) {
    const name = outside === from.id ? from.name : to.name;
    throw new AppError(403, 'forbidden', outside === from.id ? `${name} 不在你管理的部门内，你不能交接其客户。` : `${name} 不在你管理的部门内，不能把客户交接给他/她。`);
  }
  if (from.id === to.id) throw new AppError(422, 'invalid_request', '接手的同事不能是交出客户的本人，请另选一位。');
  const customers = await allOwnedBy(db, tenantId, from.id);
  if (customers.length === 0) throw new AppError(409, 'nothing_to_hand_over', `${from.name} 名下没有客户需要交接。`);
  const reason = from.active ? '调岗交接' : '离职交接';
  await writeTransaction(db, async (trx) => {
    await moveCustomers(trx, { tenantId, timeZone: actor.timeZone, customers, fromUserId: from.id, toUserId: to.id, authority, force: body.force, reason, now });
    const pending = await openHandoverOf(trx, tenantId, from.id);
    if (pending !== undefined) await resolveHandover(trx, tenantId, pending.id, { status: 'handed_over', at: now, by: actor.userId, toUserId: to.id });
    await notifyReceiver(trx, tenantId, to.id, customers, now, { key: `handover:${from.id}`, title: `${from.name} 的 ${customers.length} 个客户已交接给你`, why: `原因：${reason}` });
  });
  return { transferred: customers.length, toUserId: to.id, toPoolId: null, notified: true, reason };
}

/**
 * The hourly sweep of the `successor` policy: every open handover past its deadline sends what the leaver still owns to
 * the pool through the `depart` decision, exactly as the `pool` policy does, and tells the manager who was asked. Safe to
 * run twice: a closed handover is not due, and the decision finds nothing left to move.
 */
export async function expireHandovers(deps: Pick<AppDeps, 'db'>, tenant: Tenant, now: number): Promise<number> {
  const { db } = deps;
  let expired = 0;
  for (const pending of await dueHandovers(db, tenant.id, now)) {
    const moved = await departCustomers(db, tenant, pending.user_id, null, now);
    // Counted once it committed: a retried run must not count it twice.
    const closed = await writeTransaction(db, async (trx) => {
      if (!(await resolveHandover(trx, tenant.id, pending.id, { status: 'to_pool', at: now, by: null, toUserId: null }))) return false;
      if (pending.manager_id === null || moved.length === 0) return true;
      const name = (await userNames(trx, tenant.id, [pending.user_id])).get(pending.user_id) ?? pending.user_id;
      const title = `${name} 的 ${moved.length} 个客户未指定交接人，已退回公海`;
      await enqueueMessages(
        trx,
        [
          {
            tenantId: tenant.id,
            dedupeKey: `handover:${pending.id}:to_pool`,
            target: { kind: 'users', userIds: [pending.manager_id] },
            message: { kind: 'markdown', title, text: `### ${title}\n交接期限 ${formatLocal(pending.due_at, tenant.timeZone)} 已过，这些客户已退回公海，其他同事现在可以领取。` },
          },
        ],
        now,
      );
      return true;
    });
    if (closed) expired++;
  }
  return expired;
}
