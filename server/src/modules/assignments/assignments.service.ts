import { PlatformError, type PlatformEvent } from '@gonghai/plugin-core';
import type { Actor, AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';
import { notFound } from '../../errors';
import { appPageUrl } from '../../http/app-links';
import { formatLocal, localDate, toIso } from '../../time';
import { enqueueMessages } from '../notify/outbox.service';
import type { OutboxMessage } from '../notify/outbox';
import { findUser, userNames } from '../org/org.repository';
import { OwnershipFacts } from '../pool/ownership-facts';
import { decideChange, emptyCounts, type Refusal } from '../pool/ownership-rules';
import { applyOwnershipChanges, changeOf, type OwnershipChange } from '../pool/ownership-writer';
import { memberPoolIds } from '../pool/pool.repository';
import { findTenantById } from '../tenants/tenants.repository';
import type { Tenant } from '../tenants/tenants';
import {
  assignmentError,
  type AssignmentDto,
  type CreateAssignmentBody,
  type ListAssignmentsQuery,
  type UnavailableCustomer,
} from './assignments';
import {
  customersByIds,
  decideRequest,
  departmentNamesOf,
  expiredPending,
  findRequest,
  findRequestByInstance,
  hasUnnumberedPending,
  insertItems,
  insertRequest,
  itemsOf,
  listRequests,
  poolDepartmentNames,
  releaseCustomers,
  reserveCustomers,
  setInstanceId,
  setItemState,
  setOutcome,
  type AssignmentRow,
} from './assignments.repository';
import type { AssignmentItemState } from './assignments.table';
import { writeTransaction } from '../../db/write-retry';

const HOUR_MS = 3_600_000;
/** How long an approval result may wait for its request to record the approval's id before it is thought foreign. */
const INSTANCE_ID_GRACE_MS = 5 * 60_000;

type CustomerRow = Awaited<ReturnType<typeof customersByIds>>[number];

async function tenantOf(db: Db, tenantId: string): Promise<Tenant> {
  const tenant = await findTenantById(db, tenantId);
  if (!tenant) throw notFound('企业');
  return tenant;
}

/** Why one requested customer cannot be reserved, or null when it can. */
function unavailability(id: number, row: CustomerRow | undefined, ownerNames: Map<string, string>, memberPools: Set<number>, poolNames: Map<number, string>, assigneeName: string): UnavailableCustomer | null {
  if (!row) return { customerId: id, reason: 'not_found', message: `客户 #${id} 不存在。` };
  if (row.status === 'owned') {
    const owner = ownerNames.get(row.owner_id ?? '') ?? row.owner_id;
    return { customerId: id, reason: 'owned', message: `「${row.name}」已被 ${owner} 领取，不在公海中了。` };
  }
  if (row.reserved_by_assignment_id !== null) {
    return { customerId: id, reason: 'reserved', message: `「${row.name}」已被另一个分配申请（#${row.reserved_by_assignment_id}）预留，审批中。` };
  }
  if (!memberPools.has(row.pool_id)) {
    return { customerId: id, reason: 'not_pool_member', message: `「${row.name}」在「${poolNames.get(row.pool_id) ?? row.pool_id}」中，${assigneeName} 不是该公海的成员。` };
  }
  return null;
}

/**
 * HR asks for pool customers to be given to a (new) rep (DESIGN §7): reserves those still available — in one
 * conditional write, so a claim racing it either wins the customer or gets `reserved` — starts the platform approval
 * with a readable form and answers with the assignment and the customers that could not be reserved, at once.
 */
export async function createAssignment(
  deps: AppDeps,
  actor: Actor,
  body: CreateAssignmentBody,
  /** Tests only: runs between the first read and the reservation, to let a claim slip in there. */
  hooks: { afterRead?: () => Promise<void> } = {},
): Promise<{ assignment: AssignmentDto; unavailable: UnavailableCustomer[] }> {
  const { db } = deps;
  const { tenantId } = actor;
  const now = deps.clock.now();
  const tenant = await tenantOf(db, tenantId);
  if (!tenant.settings.approvalTemplateId) {
    throw assignmentError(422, 'no_approval_template', '本企业还没有配置人事分配的审批模板，无法发起审批；请管理员用 npm run tenant 设置审批模板编号后再试。');
  }
  const assignee = await findUser(db, tenantId, body.assigneeUserId);
  if (!assignee) throw notFound('员工');
  if (!assignee.active) throw assignmentError(422, 'assignee_inactive', `${assignee.name} 已离职，不能再为其分配客户。`);

  const memberPools = new Set(await memberPoolIds(db, tenantId, assignee.id));
  const poolRows = await db.selectFrom('pools').select(['id', 'name']).where('tenant_id', '=', tenantId).execute();
  const poolNames = new Map(poolRows.map((p) => [p.id, p.name]));
  // `q` is the transaction when called inside it: on SQLite a read on `db` there would wait for the transaction forever.
  const classify = async (ids: number[], rows: CustomerRow[], q: Db = db) => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const owners = await userNames(q, tenantId, [...new Set(rows.flatMap((r) => (r.owner_id ? [r.owner_id] : [])))]);
    const unavailable: UnavailableCustomer[] = [];
    const available: number[] = [];
    for (const id of ids) {
      const why = unavailability(id, byId.get(id), owners, memberPools, poolNames, assignee.name);
      if (why) unavailable.push(why);
      else available.push(id);
    }
    return { byId, unavailable, available };
  };
  const first = await classify(body.customerIds, await customersByIds(db, tenantId, body.customerIds));
  if (first.available.length === 0) {
    throw assignmentError(422, 'nothing_to_assign', `所选的 ${body.customerIds.length} 个客户都无法分配：${first.unavailable[0]!.message}`, { unavailable: first.unavailable });
  }

  await hooks.afterRead?.();

  let id = 0;
  let reserved: number[] = [];
  let unavailable: UnavailableCustomer[] = [];
  let rows = first.byId;
  await writeTransaction(db, async (trx) => {
    id = await insertRequest(trx, {
      tenant_id: tenantId,
      assignee_id: assignee.id,
      requested_by: actor.userId,
      reason: body.reason,
      status: 'pending',
      override_cap: body.overrideCap ? 1 : 0,
      approval_instance_id: null,
      created_at: now,
      expires_at: now + tenant.settings.assignmentHoldHours * HOUR_MS,
      decided_at: null,
      outcome: null,
    });
    const held = new Set(await reserveCustomers(trx, tenantId, id, first.available));
    // Whatever slipped away between the first read and the reservation is reported the same way, from a fresh read.
    const lost = first.available.filter((c) => !held.has(c));
    const fresh = await classify(lost, await customersByIds(trx, tenantId, lost), trx);
    rows = new Map([...first.byId, ...fresh.byId]);
    reserved = body.customerIds.filter((c) => held.has(c));
    unavailable = first.unavailable.concat(fresh.unavailable, fresh.available.map((c) => ({ customerId: c, reason: 'reserved' as const, message: `「${rows.get(c)?.name ?? c}」刚刚被预留或领取。` })));
    if (reserved.length === 0) {
      throw assignmentError(422, 'nothing_to_assign', `所选的 ${body.customerIds.length} 个客户都无法分配：${unavailable[0]!.message}`, { unavailable });
    }
    await insertItems(trx, [
      ...reserved.map((customerId) => ({ tenant_id: tenantId, assignment_id: id, customer_id: customerId, state: 'reserved' as const, note: null })),
      ...unavailable.map((u) => ({ tenant_id: tenantId, assignment_id: id, customer_id: u.customerId, state: 'skipped' as const, note: u.reason })),
    ]);
  });

  const regionsOf = await poolDepartmentNames(db, tenantId, [...new Set(reserved.map((c) => rows.get(c)!.pool_id))]);
  const regions = [...new Set(reserved.flatMap((c) => regionsOf.get(rows.get(c)!.pool_id) ?? [poolNames.get(rows.get(c)!.pool_id) ?? '']))];
  const departments = await departmentNamesOf(db, tenantId, assignee.departmentIds);
  const customerLines = reserved.map((c, i) => {
    const r = rows.get(c)!;
    return `${i + 1}. ${r.name}（${r.level} 级，${r.address}）`;
  });
  try {
    const adapter = await deps.platforms.adapterFor(tenantId);
    const instanceId = await adapter.approvals.start({
      originatorUserId: actor.userId,
      title: `公海客户分配：${assignee.name} ${reserved.length} 个客户`,
      fields: [
        { name: '新人', value: `${assignee.name}（${departments.join('、') || '未分配部门'}）` },
        { name: '客户数', value: String(reserved.length) },
        { name: '区域', value: regions.join('、') },
        { name: '客户', value: customerLines.join('\n') },
        { name: '说明', value: body.overrideCap ? `${body.reason}（入职特批：不受持有上限限制）` : body.reason },
      ],
    });
    await setInstanceId(db, tenantId, id, instanceId);
  } catch (error) {
    // No approval means no result will ever come: give the customers back now rather than at expiry.
    // An instance id another request holds (the unique index refuses it) would apply one decision to two requests.
    const why = error instanceof PlatformError ? error.message : isUniqueViolation(error) ? '平台返回的审批单号已被另一条分配申请使用' : '未知错误';
    await writeTransaction(db, async (trx) => {
      if (await decideRequest(trx, tenantId, id, 'failed', deps.clock.now())) {
        await releaseCustomers(trx, tenantId, id, reserved);
        await setItemState(trx, tenantId, id, reserved, 'released', 'approval_failed');
        await setOutcome(trx, tenantId, id, { error: why });
      }
    });
    deps.logger.warn({ err: error, tenantId, assignmentId: id }, 'starting the assignment approval failed');
    throw assignmentError(502, 'approval_failed', `在${tenant.platform === 'dingtalk' ? '钉钉' : '企业微信'}发起审批失败（${why}），已释放预留的客户；请稍后重试，或请管理员检查审批模板配置。`, { assignmentId: id });
  }
  return { assignment: (await assignmentDtos(db, actor, [(await findRequest(db, tenantId, id))!]))[0]!, unavailable };
}

/** One assignment with its customers; HR and admins see all of the tenant's. */
export async function getAssignment(db: Db, actor: Actor, id: number): Promise<AssignmentDto> {
  const row = await findRequest(db, actor.tenantId, id);
  if (!row) throw notFound('分配申请');
  return (await assignmentDtos(db, actor, [row]))[0]!;
}

export async function listAssignments(db: Db, actor: Actor, q: ListAssignmentsQuery): Promise<{ items: AssignmentDto[]; nextCursor: string | null }> {
  const rows = await listRequests(db, actor.tenantId, { status: q.status, beforeId: q.cursor === undefined ? undefined : Number(q.cursor), limit: q.limit });
  return { items: await assignmentDtos(db, actor, rows), nextCursor: rows.length === q.limit ? String(rows.at(-1)!.id) : null };
}

async function assignmentDtos(db: Db, actor: Actor, rows: AssignmentRow[]): Promise<AssignmentDto[]> {
  const items = await itemsOf(db, actor.tenantId, rows.map((r) => r.id));
  const names = await userNames(db, actor.tenantId, [...new Set(rows.map((r) => r.assignee_id))]);
  return rows.map((r) => {
    const mine = items.filter((i) => i.assignment_id === r.id);
    const counts: Record<AssignmentItemState, number> = { reserved: 0, assigned: 0, released: 0, skipped: 0 };
    for (const i of mine) counts[i.state]++;
    return {
      id: r.id,
      status: r.status,
      assigneeUserId: r.assignee_id,
      assigneeName: names.get(r.assignee_id) ?? r.assignee_id,
      requestedBy: r.requested_by,
      reason: r.reason,
      overrideCap: r.override_cap === 1,
      approvalInstanceId: r.approval_instance_id,
      createdAt: toIso(r.created_at)!,
      expiresAt: toIso(r.expires_at)!,
      decidedAt: toIso(r.decided_at),
      counts,
      items: mine.map((i) => ({ customerId: i.customer_id, name: i.name ?? `#${i.customer_id}`, level: i.level ?? '', poolId: i.pool_id ?? 0, state: i.state, note: i.note })),
    };
  });
}

type ApprovalEvent = Extract<PlatformEvent, { type: 'approval.finished' | 'approval.withdrawn' }>;

/**
 * Applies an approval result to its assignment (called for every approval event, once per event id). Only the first
 * result finds the request pending; a duplicate, or a refusal arriving after an agreement, changes nothing.
 */
export async function applyApprovalResult(deps: AppDeps, tenantId: string, event: ApprovalEvent): Promise<void> {
  const now = deps.clock.now();
  const request = await findRequestByInstance(deps.db, tenantId, event.instanceId);
  if (!request) {
    // The platform may answer faster than we wrote the approval's id down: fail, so the vendor delivers it again.
    if (await hasUnnumberedPending(deps.db, tenantId, now - INSTANCE_ID_GRACE_MS)) {
      throw new Error(`approval ${event.instanceId} arrived before its assignment recorded the instance id`);
    }
    deps.logger.info({ tenantId, instanceId: event.instanceId }, 'approval result for no assignment (another template)');
    return;
  }
  if (request.status !== 'pending') return;
  if (event.type === 'approval.finished' && event.approved) await approve(deps, request, now);
  else await release(deps, request, event.type === 'approval.withdrawn' ? 'withdrawn' : 'refused', now);
}

/** Pending requests whose hold ran out: their reservations are released and HR is told. Returns how many expired. */
export async function expireAssignments(deps: AppDeps, tenantId: string, now: number): Promise<number> {
  let expired = 0;
  for (const row of await expiredPending(deps.db, tenantId, now)) if (await release(deps, row, 'expired', now)) expired++;
  return expired;
}

const endings: Record<'refused' | 'withdrawn' | 'expired', string> = {
  refused: '审批被拒绝',
  withdrawn: '审批已撤回',
  expired: '审批超时未处理',
};

/** Ends a pending request without assigning: every reservation is released. False when it was not pending any more. */
async function release(deps: AppDeps, request: AssignmentRow, status: 'refused' | 'withdrawn' | 'expired', now: number): Promise<boolean> {
  const { db } = deps;
  const tenant = await tenantOf(db, request.tenant_id);
  const assignee = await findUser(db, request.tenant_id, request.assignee_id);
  return writeTransaction(db, async (trx) => {
    if (!(await decideRequest(trx, request.tenant_id, request.id, status, now))) return false;
    const held = (await itemsOf(trx, request.tenant_id, [request.id])).filter((i) => i.state === 'reserved').map((i) => i.customer_id);
    await releaseCustomers(trx, request.tenant_id, request.id, held);
    await setItemState(trx, request.tenant_id, request.id, held, 'released', status);
    await setOutcome(trx, request.tenant_id, request.id, { assigned: 0, released: held.length });
    const name = assignee?.name ?? request.assignee_id;
    await enqueueMessages(
      trx,
      [
        {
          tenantId: request.tenant_id,
          dedupeKey: `assignment:${request.id}:result:hr`,
          target: { kind: 'users', userIds: [request.requested_by] },
          message: {
            kind: 'markdown',
            title: `给 ${name} 的客户分配未生效：${endings[status]}`,
            text: `### 客户分配未生效\n给 ${name} 的 ${held.length} 个公海客户分配申请（#${request.id}）${endings[status]}，${formatLocal(now, tenant.timeZone)} 已释放预留，这些客户回到公海，同事可以领取。\n\n如仍需分配，请重新发起申请。`,
          },
        },
      ],
      now,
    );
    return true;
  });
}

/**
 * An agreed request: the still-reserved customers become the assignee's in one transaction — the facts of all of them
 * read once under their locks, each decided by the one decision (`hr_assign`: the pool cap applies unless HR asked for
 * the onboarding override, which the ledger evidence records), the grants written by the one writer (ledger `assigned`,
 * the approval id in the reason). A refused customer stays in the pool and is reported with why.
 */
async function approve(deps: AppDeps, request: AssignmentRow, now: number): Promise<void> {
  const { db } = deps;
  const tenantId = request.tenant_id;
  const tenant = await tenantOf(db, tenantId);
  const assignee = await findUser(db, tenantId, request.assignee_id);
  const day = localDate(now, tenant.timeZone);
  await writeTransaction(db, async (trx) => {
    if (!(await decideRequest(trx, tenantId, request.id, 'approved', now))) return;
    const items = (await itemsOf(trx, tenantId, [request.id])).filter((i) => i.state === 'reserved');
    const assigned: { id: number; name: string }[] = [];
    const skipped: { customerId: number; reason: string }[] = [];
    if (items.length > 0) {
      const facts = await OwnershipFacts.read(trx, tenantId, day, items.map((i) => ({ customerId: i.customer_id, userId: request.assignee_id })));
      const changes: OwnershipChange[] = [];
      for (const i of items) {
        const row = facts.row(i.customer_id);
        const pool = row ? facts.pool(row.pool_id) : null;
        const to = facts.party(request.assignee_id, row?.pool_id ?? -1);
        const decision = decideChange(facts.state(i.customer_id), pool, pool ? facts.countsOf(to.id, pool.id) : emptyCounts(day), {
          kind: 'hr_assign',
          assignmentId: request.id,
          requestedBy: request.requested_by,
          to,
          override: request.override_cap === 1,
          reason: `审批单 ${request.approval_instance_id} 通过：${request.reason}`,
          now,
          timeZone: tenant.timeZone,
        });
        if (!decision.ok) {
          skipped.push({ customerId: i.customer_id, reason: skippedReason(decision.code, row !== undefined) });
          continue;
        }
        // The next customer of the batch is decided with this one counted (the cap holds across the request).
        facts.granted(i.customer_id, decision, now);
        changes.push(changeOf(tenantId, i.customer_id, decision, now, { evidence: { assignmentId: request.id, approvalInstanceId: request.approval_instance_id } }));
        assigned.push({ id: i.customer_id, name: i.name ?? `#${i.customer_id}` });
      }
      // The rows are locked by the facts read (the transaction on SQLite), so every grant applies.
      await applyOwnershipChanges(trx, changes, { mustApply: true });
    }
    const skippedIds = skipped.map((s) => s.customerId);
    await releaseCustomers(trx, tenantId, request.id, skippedIds);
    await setItemState(trx, tenantId, request.id, assigned.map((a) => a.id), 'assigned');
    for (const reason of new Set(skipped.map((s) => s.reason))) {
      await setItemState(trx, tenantId, request.id, skipped.filter((s) => s.reason === reason).map((s) => s.customerId), 'skipped', reason);
    }
    await setOutcome(trx, tenantId, request.id, { assigned: assigned.length, skipped });
    await enqueueMessages(trx, approvalMessages(deps, tenant, request, assignee?.name ?? request.assignee_id, assignee?.managerId ?? null, assigned, skipped.length), now);
  });
}

/**
 * The item note of a customer the decision refused (the codes the app explains, assignment-status.ts): the cap and an
 * assignee who left say so; a missing customer or pool says that; anything else means the customer changed meanwhile.
 */
function skippedReason(code: Refusal['code'], customerExists: boolean): string {
  if (code === 'owned_limit_reached' || code === 'assignee_inactive') return code;
  if (code === 'not_found') return customerExists ? 'pool_missing' : 'not_found';
  return 'changed';
}

function approvalMessages(
  deps: AppDeps,
  tenant: Tenant,
  request: AssignmentRow,
  assigneeName: string,
  managerId: string | null,
  assigned: { id: number; name: string }[],
  skipped: number,
): OutboxMessage[] {
  const listed = assigned.slice(0, 10).map((c) => `- ${c.name}`).join('\n');
  const more = assigned.length > 10 ? `\n- …等共 ${assigned.length} 个` : '';
  const skippedLine = skipped > 0 ? `\n\n另有 ${skipped} 个客户未分配（超出持有上限或状态已变化），已回到公海。` : '';
  const key = `assignment:${request.id}:result`;
  const messages: OutboxMessage[] = [
    {
      tenantId: tenant.id,
      dedupeKey: `${key}:hr`,
      target: { kind: 'users', userIds: [request.requested_by] },
      message: {
        kind: 'markdown',
        title: `审批通过：已为 ${assigneeName} 分配 ${assigned.length} 个客户`,
        text: `### 客户分配已生效\n审批单 ${request.approval_instance_id} 已通过，${assigneeName} 现在负责 ${assigned.length} 个客户：\n${listed}${more}${skippedLine}`,
      },
    },
  ];
  if (assigned.length > 0) {
    messages.push({
      tenantId: tenant.id,
      dedupeKey: `${key}:assignee`,
      target: { kind: 'users', userIds: [request.assignee_id] },
      message: {
        kind: 'card',
        title: `你有 ${assigned.length} 个新客户`,
        text: `### 你有 ${assigned.length} 个新客户\n公司为你分配了 ${assigned.length} 个客户，附带完整的历史记录：\n${listed}${more}\n\n尽快安排拜访：有效拜访才能保住客户。`,
        url: appPageUrl(deps.config.publicBaseUrl, 'pages/mine/index'),
        buttonText: '查看我的客户',
      },
    });
  }
  if (managerId !== null && managerId !== request.requested_by) {
    messages.push({
      tenantId: tenant.id,
      dedupeKey: `${key}:manager`,
      target: { kind: 'users', userIds: [managerId] },
      message: {
        kind: 'markdown',
        title: `（抄送）${assigneeName} 获分配 ${assigned.length} 个客户`,
        text: `### 新人客户分配（抄送）\n审批单 ${request.approval_instance_id} 已通过，你的团队成员 ${assigneeName} 获分配 ${assigned.length} 个公海客户：\n${listed}${more}${skippedLine}`,
      },
    });
  }
  return messages;
}

