import type { Actor, AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { AppError, notFound } from '../../errors';
import { localDate } from '../../time';
import { enqueueMessages } from '../notify/outbox.service';
import { departmentPaths, findUser, userInSubtrees, userNames } from '../org/org.repository';
import type { Pool } from './pool';
import { OwnershipFacts } from './ownership-facts';
import { decideChange, emptyCounts, type Authority, type Refusal } from './ownership-rules';
import { applyOwnershipChanges, changeOf, type OwnershipChange } from './ownership-writer';
import { findPool, memberPoolIds } from './pool.repository';
import { poolError } from './pool.errors';
import { TRANSFER_MAX, type TransferBody, type TransferResult } from './transfer';
import { customersOwnedBy, transferCandidates, type TransferCandidate } from './transfer.repository';
import { writeTransaction } from '../../db/write-retry';

/** Customers decided and written per facts read; every page sits in the one transaction of the request. */
const PAGE = 200;
/** Customers a receiver's message lists by name; the rest are counted. */
const LISTED = 20;

/** One customer a transfer refused, as the error's `refused` list reports it. */
export interface TransferRefusal {
  customerId: number;
  name: string | null;
  code: string;
  message: string;
}

/** What moving a set of customers needs, whoever asks (a transfer, a handover). */
export interface MovePlan {
  tenantId: string;
  timeZone: string;
  customers: TransferCandidate[];
  /** When set, each customer must still be this user's when locked. */
  fromUserId?: string;
  toUserId: string | null;
  toPool?: Pool;
  authority: Authority;
  force: boolean;
  reason: string;
  now: number;
}

/**
 * Moves every customer of the plan inside the caller's transaction, or none: pages of PAGE under `OwnershipFacts.read`
 * (each page reads what the earlier ones wrote, so the receiver's cap counts them), one `transfer` decision each, the
 * one writer. Every customer is decided even after a refusal, so the error lists all of them; any refusal throws (the
 * caller's transaction rolls back) with the first refusal's status, code and message.
 */
export async function moveCustomers(trx: Db, plan: MovePlan): Promise<TransferCandidate[]> {
  const { tenantId, now, timeZone } = plan;
  const day = localDate(now, timeZone);
  const refused: TransferRefusal[] = [];
  const moved: TransferCandidate[] = [];
  for (let i = 0; i < plan.customers.length; i += PAGE) {
    const page = plan.customers.slice(i, i + PAGE);
    const facts = await OwnershipFacts.read(trx, tenantId, day, page.map((c) => ({ customerId: c.id, userId: plan.toUserId })));
    const changes: OwnershipChange[] = [];
    for (const customer of page) {
      const row = facts.row(customer.id);
      const pool = row ? facts.pool(row.pool_id) : null;
      if (row && plan.fromUserId !== undefined && row.owner_id !== plan.fromUserId) {
        refused.push({ customerId: customer.id, name: customer.name, code: 'not_owner', message: '该客户已不在原负责人名下（刚被转交、退回或收回），请刷新后再试。' });
        continue;
      }
      const to = plan.toUserId === null ? null : facts.party(plan.toUserId, row?.pool_id ?? -1);
      const decision = decideChange(facts.state(customer.id), pool, to && pool ? facts.countsOf(to.id, pool.id) : emptyCounts(day), {
        kind: 'transfer',
        actor: plan.authority,
        to,
        toPool: plan.toPool,
        force: plan.force,
        reason: plan.reason,
        now,
        timeZone,
      });
      if (!decision.ok) {
        refused.push({ customerId: customer.id, name: customer.name, code: decision.code, message: decision.message });
        continue;
      }
      facts.granted(customer.id, decision, now);
      changes.push(changeOf(tenantId, customer.id, decision, now));
      moved.push(customer);
    }
    // The rows are locked by the facts read (the transaction on SQLite), so every grant applies.
    await applyOwnershipChanges(trx, changes, { mustApply: true });
    // A full page of refusals (a cap reached, an inactive receiver) says enough: the rest would repeat it.
    if (refused.length >= PAGE) break;
  }
  if (refused.length > 0) throw refusalOfAll(refused, plan.customers.length);
  return moved;
}

/** The all-or-nothing error: the first refusal's status and code, its customer named, every refusal listed. */
function refusalOfAll(refused: TransferRefusal[], total: number): AppError {
  const first = refused[0]!;
  const status = first.code === 'not_found' ? 404 : (statusOf[first.code] ?? 409);
  const others = refused.length > 1 ? `另有 ${refused.length - 1} 个客户也不能转交。` : '';
  const message = `这 ${total} 个客户都没有转交：${first.name ? `「${first.name}」` : `客户 ${first.customerId} `}${first.message}${others}`;
  return new AppError(status, first.code, message, { refused: refused.map(({ name: _name, ...r }) => r) });
}

/** The status a refusal code answers with, as the decision gives it (kept here: the error carries many refusals). */
const statusOf: Record<string, number> = {
  forbidden: 403,
  owned_limit_reached: 422,
  not_pool_member: 422,
  reserved: 422,
  assignee_inactive: 422,
  already_owned: 409,
  not_owner: 409,
  pool_archived: 409,
};

/** The Authority of an admin or of a manager over `userIds`: each must sit in a subtree the manager leads. */
export async function authorityOver(db: Db, actor: Actor, userIds: string[]): Promise<{ authority: Authority; outside: string | undefined }> {
  const admin = actor.roles.includes('admin');
  let outside: string | undefined;
  if (!admin) {
    const me = await findUser(db, actor.tenantId, actor.userId);
    const paths = await departmentPaths(db, actor.tenantId, me?.leaderOf ?? []);
    for (const id of new Set(userIds)) {
      if (!(await userInSubtrees(db, actor.tenantId, id, paths))) {
        outside = id;
        break;
      }
    }
  }
  return { authority: { id: actor.userId, roles: actor.roles, inScope: outside === undefined }, outside };
}

/**
 * `POST /api/v1/customers/transfer` (issue 19 item 6): a manager in scope of every owner and of the receiver, or an
 * admin, moves many customers at once to a user or back to a pool through the ownership decision (`transfer`, ledger
 * `transferred`), the receiver's cap and pool membership respected unless `force`. All or nothing: one refusal and
 * nothing moves (the error lists every refusal). The receiver gets one message listing the customers.
 */
export async function transferCustomers(deps: AppDeps, actor: Actor, body: TransferBody): Promise<TransferResult> {
  const { db, clock } = deps;
  const { tenantId } = actor;
  const now = clock.now();
  if (!actor.roles.includes('admin') && !actor.roles.includes('manager')) throw poolError(403, 'forbidden', '只有经理或管理员可以转交客户。');
  const from = body.fromUserId === undefined ? undefined : await findUser(db, tenantId, body.fromUserId);
  if (body.fromUserId !== undefined && from === undefined) throw notFound('原负责人');
  let customers: TransferCandidate[];
  if (body.customerIds !== undefined) {
    const ids = [...new Set(body.customerIds)];
    // A manager may move pool customers only out of the pools they belong to (owned ones: by the owners' scope below).
    const visiblePools = actor.roles.includes('admin') ? undefined : await memberPoolIds(db, tenantId, actor.userId);
    customers = await transferCandidates(db, tenantId, ids, visiblePools);
    const known = new Set(customers.map((c) => c.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new AppError(404, 'not_found', `客户 ${unknown.slice(0, 10).join('、')}${unknown.length > 10 ? ' 等' : ''} 不存在，或你无权查看；这次没有转交任何客户。`, {
        refused: unknown.map((customerId) => ({ customerId, code: 'not_found', message: notFound('客户').message })),
      });
    }
  } else {
    customers = await customersOwnedBy(db, tenantId, from!.id, TRANSFER_MAX + 1);
    if (customers.length > TRANSFER_MAX) {
      throw new AppError(422, 'too_many_customers', `${from!.name} 名下的客户超过 ${TRANSFER_MAX} 个，一次转交不完；请用「离职/调岗交接」一次交接全部，或分批选择客户（customerIds）转交。`);
    }
  }
  if (customers.length === 0) throw poolError(409, 'not_owner', `${from?.name ?? '原负责人'} 名下没有可转交的客户。`);

  const to = body.toUserId === undefined ? undefined : await findUser(db, tenantId, body.toUserId);
  if (body.toUserId !== undefined && to === undefined) throw notFound('接收人');
  const toPool = body.toPoolId === undefined ? undefined : await findPool(db, tenantId, body.toPoolId);
  if (body.toPoolId !== undefined && toPool === undefined) throw notFound('公海');

  const owners = customers.flatMap((c) => (c.ownerId === null ? [] : [c.ownerId]));
  const { authority, outside } = await authorityOver(db, actor, [...owners, ...(to ? [to.id] : [])]);
  if (outside !== undefined) {
    const name = (await userNames(db, tenantId, [outside])).get(outside) ?? outside;
    throw poolError(403, 'forbidden', outside === to?.id ? `${name} 不在你管理的部门内，不能把客户转交给他/她。` : `${name} 不在你管理的部门内，你不能转交其名下的客户。`);
  }

  const moved = await writeTransaction(db, async (trx) => {
    const moved = await moveCustomers(trx, {
      tenantId,
      timeZone: actor.timeZone,
      customers,
      fromUserId: body.fromUserId,
      toUserId: to?.id ?? null,
      toPool,
      authority,
      force: body.force,
      reason: body.reason,
      now,
    });
    if (to && to.id !== actor.userId) {
      const actorName = (await userNames(trx, tenantId, [actor.userId])).get(actor.userId) ?? actor.userId;
      await notifyReceiver(trx, tenantId, to.id, moved, now, { key: `transfer:${actor.userId}`, title: `${actorName} 转交给你 ${moved.length} 个客户`, why: `转交原因：${body.reason}` });
    }
    return moved;
  });
  return { transferred: moved.length, toUserId: to?.id ?? null, toPoolId: toPool?.id ?? null, notified: to !== undefined && to.id !== actor.userId };
}

/** The receiver's one message listing the customers (the first LISTED by name, then «等 N 个»), queued in `trx`. */
export async function notifyReceiver(
  trx: Db,
  tenantId: string,
  userId: string,
  customers: TransferCandidate[],
  now: number,
  what: { key: string; title: string; why: string },
): Promise<void> {
  if (customers.length === 0) return;
  const listed = customers.slice(0, LISTED).map((c) => `- ${c.name}`);
  if (customers.length > LISTED) listed.push(`- 等 ${customers.length} 个`);
  await enqueueMessages(
    trx,
    [
      {
        tenantId,
        // One message per request: who asked, the instant, and the customers it moved.
        dedupeKey: `${what.key}:${userId}:${now}:${customers[0]!.id}:${customers.length}`.slice(0, 191),
        target: { kind: 'users', userIds: [userId] },
        message: { kind: 'markdown', title: what.title, text: `### ${what.title}\n${what.why}\n${listed.join('\n')}\n\n请在「我的客户」中查看并尽快跟进。` },
      },
    ],
    now,
  );
}
