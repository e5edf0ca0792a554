import type { Actor, AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';
import { AppError, notFound } from '../../errors';
import { appPageUrl } from '../../http/app-links';
import { DAY_MS, formatLocal, localDate } from '../../time';
import { findCustomer } from '../customers/customers.repository';
import { enqueueMessages } from '../notify/outbox.service';
import { departmentPaths, findUser, userInSubtrees, userNames, usersInSubtrees } from '../org/org.repository';
import { OwnershipFacts } from '../pool/ownership-facts';
import { decideChange, refusalError } from '../pool/ownership-rules';
import { applyOwnershipChanges, changeOf } from '../pool/ownership-writer';
import { defaultTenantSettings } from '../tenants/tenants';
import { findTenantById } from '../tenants/tenants.repository';
import type { AppealBody, AppealDecisionBody, AppealDto, AppealsQuery, ReclaimedItem } from './appeal';
import { decideAppealRow, findAppeal, findAppealByReclaim, insertAppeal, lastOwnershipEvent, listAppeals, reclaimedFrom, type AppealListRow } from './appeal.repository';
import { writeTransaction } from '../../db/write-retry';

/** Where a manager decides appeals (the 待审拜访 page's 申诉 tab). */
const MANAGER_PAGE = 'pages/review/index';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

async function dtos(db: Db, tenantId: string, rows: AppealListRow[]): Promise<AppealDto[]> {
  const names = await userNames(db, tenantId, rows.flatMap((r) => [r.user_id, ...(r.decided_by ? [r.decided_by] : [])]));
  return rows.map((r) => ({
    id: r.id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    userId: r.user_id,
    userName: names.get(r.user_id) ?? null,
    reason: r.reason,
    status: r.status,
    reclaimedAt: iso(r.reclaimed_at)!,
    reclaimReason: r.reclaim_reason,
    createdAt: iso(r.created_at)!,
    decidedBy: r.decided_by,
    decidedByName: r.decided_by ? names.get(r.decided_by) ?? null : null,
    decidedAt: iso(r.decided_at),
    note: r.decision_note,
  }));
}

/**
 * A rep appeals the reclaim of a customer (issue 19 item 7): only while the customer's latest ledger row is that reclaim,
 * taken from them, and within the tenant's `appealDays` of it; one appeal per reclaim. Their manager is told.
 */
export async function fileAppeal(deps: AppDeps, actor: Actor, customerId: number, body: AppealBody): Promise<{ appeal: AppealDto }> {
  const { db } = deps;
  const { tenantId, userId, timeZone } = actor;
  const now = deps.clock.now();
  const customer = await findCustomer(db, tenantId, customerId);
  if (customer === undefined) throw notFound('客户');
  const last = await lastOwnershipEvent(db, tenantId, customerId);
  if (last === undefined || last.type !== 'reclaimed') {
    throw new AppError(409, 'not_appealable', '该客户最近一次变动不是系统回收（或回收后已被领取、分配、移动），不能申诉；如有疑问请联系经理。');
  }
  if (last.from_user_id !== userId) throw new AppError(403, 'forbidden', '只有客户被回收前的负责人才能对这次回收提出申诉。');
  const tenant = await findTenantById(db, tenantId);
  const days = tenant?.settings.appealDays ?? defaultTenantSettings.appealDays!;
  const deadline = Number(last.at) + days * DAY_MS;
  if (now > deadline) {
    throw new AppError(
      422,
      'appeal_window_closed',
      `该客户于 ${formatLocal(Number(last.at), timeZone)} 被回收，申诉期 ${days} 天已于 ${formatLocal(deadline, timeZone)} 结束，不能再申诉；如有特殊情况请直接联系经理。`,
      { deadline: new Date(deadline).toISOString() },
    );
  }
  const existing = await findAppealByReclaim(db, tenantId, Number(last.id));
  const already = () =>
    new AppError(409, 'appeal_exists', existing?.status === 'declined' ? '你对这次回收的申诉已被驳回，不能再次申诉。' : '你已经对这次回收提出过申诉，请等待经理处理。');
  if (existing !== undefined) throw already();
  const me = await findUser(db, tenantId, userId);
  const manager = me?.managerId ? await findUser(db, tenantId, me.managerId) : undefined;
  const id = await writeTransaction(db, async (trx) => {
    let id: number;
    try {
      id = await insertAppeal(trx, { tenant_id: tenantId, customer_id: customerId, user_id: userId, reclaim_event_id: Number(last.id), reason: body.reason, status: 'open', created_at: now });
    } catch (error) {
      // Two appeals at once: the unique (tenant, reclaim) lets one in.
      if (isUniqueViolation(error)) throw already();
      throw error;
    }
    if (manager?.active) {
      const title = `${me?.name ?? userId} 对客户「${customer.name}」的回收提出申诉`;
      await enqueueMessages(
        trx,
        [
          {
            tenantId,
            dedupeKey: `appeal:${id}`,
            target: { kind: 'users', userIds: [manager.id] },
            message: {
              kind: 'card',
              title,
              text: `### ${title}\n申诉理由：${body.reason}\n同意则客户退回其名下，驳回则留在公海。`,
              url: appPageUrl(deps.config.publicBaseUrl, MANAGER_PAGE, { tab: 'appeals' }),
              buttonText: '去处理',
            },
          },
        ],
        now,
      );
    }
    return id;
  });
  return { appeal: (await dtos(db, tenantId, await listAppeals(db, tenantId, { ids: [id] })))[0]! };
}

/** `GET /api/v1/me/reclaimed`: what was reclaimed from the rep within the appeal window, with any appeal filed. */
export async function myReclaimed(deps: AppDeps, actor: Actor): Promise<{ appealDays: number; items: ReclaimedItem[] }> {
  const { db } = deps;
  const tenant = await findTenantById(db, actor.tenantId);
  const days = tenant?.settings.appealDays ?? defaultTenantSettings.appealDays!;
  const rows = await reclaimedFrom(db, actor.tenantId, actor.userId, deps.clock.now() - days * DAY_MS);
  return {
    appealDays: days,
    items: rows.map((r) => ({
      customerId: r.customer_id,
      customerName: r.customer_name,
      reclaimedAt: iso(r.at)!,
      reason: r.reason,
      appealUntil: iso(r.at + days * DAY_MS)!,
      appeal: r.appeal_id === null ? null : { id: r.appeal_id, status: r.appeal_status!, note: r.decision_note },
    })),
  };
}

/** The reps whose appeals the actor sees: all for an admin, a manager's subtrees, a rep's own. */
async function visibleUsers(db: Db, actor: Actor): Promise<string[] | undefined> {
  if (actor.roles.includes('admin')) return undefined;
  if (!actor.roles.includes('manager')) return [actor.userId];
  const me = await findUser(db, actor.tenantId, actor.userId);
  return [...new Set([actor.userId, ...(await usersInSubtrees(db, actor.tenantId, await departmentPaths(db, actor.tenantId, me?.leaderOf ?? [])))])];
}

/** `GET /api/v1/appeals`: newest first, those the actor may see. */
export async function appealsFor(db: Db, actor: Actor, query: AppealsQuery): Promise<{ items: AppealDto[] }> {
  const rows = await listAppeals(db, actor.tenantId, { status: query.status === 'all' ? undefined : query.status, userIds: await visibleUsers(db, actor) });
  return { items: await dtos(db, actor.tenantId, rows) };
}

/**
 * A manager in scope or an admin decides an open appeal. Accepted: in one transaction, the appeal is marked (so a second
 * decision finds it decided), then the customer goes back to the rep through the `restore` decision (refused when
 * someone else took it meanwhile, when reserved, or over the rep's cap unless `force`) and the one writer, ledger
 * `appeal_restored`. Declined: the customer stays where it is. Either way the rep is told.
 */
export async function decideAppeal(deps: AppDeps, actor: Actor, appealId: number, body: AppealDecisionBody): Promise<{ appeal: AppealDto }> {
  const { db } = deps;
  const { tenantId, timeZone } = actor;
  const now = deps.clock.now();
  const appeal = await findAppeal(db, tenantId, appealId);
  if (appeal === undefined) throw notFound('申诉');
  const admin = actor.roles.includes('admin');
  let inScope = admin;
  if (!admin) {
    const me = await findUser(db, tenantId, actor.userId);
    inScope = await userInSubtrees(db, tenantId, appeal.user_id, await departmentPaths(db, tenantId, me?.leaderOf ?? []));
  }
  const repName = (await userNames(db, tenantId, [appeal.user_id])).get(appeal.user_id) ?? appeal.user_id;
  if (!inScope) throw new AppError(403, 'forbidden', `${repName} 不在你管理的部门内，你不能处理其申诉。`);
  const decided = () => new AppError(409, 'already_decided', `这条申诉已经处理过了（${appeal.status === 'accepted' ? '已同意' : '已驳回'}），刷新列表即可看到结果。`);
  if (appeal.status !== 'open') throw decided();
  const customer = (await findCustomer(db, tenantId, appeal.customer_id))!;
  const note = body.note === undefined || body.note === '' ? null : body.note;
  await writeTransaction(db, async (trx) => {
    if (!(await decideAppealRow(trx, tenantId, appeal.id, { status: body.decision, by: actor.userId, at: now, note }))) {
      throw new AppError(409, 'already_decided', '这条申诉刚刚已被处理过了，刷新列表即可看到结果。');
    }
    if (body.decision === 'accepted') {
      const facts = await OwnershipFacts.read(trx, tenantId, localDate(now, timeZone), [{ customerId: appeal.customer_id, userId: appeal.user_id }]);
      const row = facts.row(appeal.customer_id);
      const pool = row ? facts.pool(row.pool_id) : null;
      const to = facts.party(appeal.user_id, row?.pool_id ?? -1);
      const decision = decideChange(facts.state(appeal.customer_id), pool, pool ? facts.countsOf(to.id, pool.id) : facts.countsOf('', -1), {
        kind: 'restore',
        actor: { id: actor.userId, roles: actor.roles, inScope },
        to,
        force: body.force,
        reason: note ? `申诉通过：${note}` : '申诉通过',
        now,
        timeZone,
      });
      if (!decision.ok) throw refusalError(decision);
      await applyOwnershipChanges(trx, [changeOf(tenantId, appeal.customer_id, decision, now, { evidence: { appealId: appeal.id } })], { mustApply: true });
    }
    const title = body.decision === 'accepted' ? `申诉通过：客户「${customer.name}」已退回你的名下` : `申诉未通过：客户「${customer.name}」留在公海`;
    await enqueueMessages(
      trx,
      [
        {
          tenantId,
          dedupeKey: `appeal:${appeal.id}:${body.decision}`,
          target: { kind: 'users', userIds: [appeal.user_id] },
          message: { kind: 'markdown', title, text: `### ${title}\n你的申诉：${appeal.reason}${note ? `\n处理意见：${note}` : ''}` },
        },
      ],
      now,
    );
  });
  return { appeal: (await dtos(db, tenantId, await listAppeals(db, tenantId, { ids: [appeal.id] })))[0]! };
}

/** The customer's appeals as timeline items (who appealed, why, and the decision), for the profile. */
export async function appealTimeline(db: Db, tenantId: string, customerId: number) {
  const items = await dtos(db, tenantId, await listAppeals(db, tenantId, { customerId }));
  return items.map((a) => ({ sortKey: Date.parse(a.createdAt), type: 'appeal', at: a.createdAt, ...a }));
}
