import type { Actor, AppDeps } from '../../context';
import { writeTransaction } from '../../db/write-retry';
import { AppError, notFound } from '../../errors';
import { mergePayload } from '../evidence/evidence.service';
import { recordMerge } from '../pool/ownership-writer';
import { customerProfile } from './customers.service';
import { customerWithOpenVisit, deleteCustomer, insertMerge, lockCustomers, moveCustomerChildren } from './customer-merge.repository';
import { insertEdit, updateCustomerColumns } from './customer-edits.repository';

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * `POST /api/v1/admin/customers/:id/merge` (admin): two records of one customer become the survivor `intoId`. Contacts,
 * follow-ups, deals, visits, photos, appeals and the ownership ledger move to it. The merge is recorded in
 * `customer_merges` and chained as a `merge` entry in the same transaction: the moved visits' and photos' entries keep
 * signing the merged id, and verification accepts them on the survivor through that chained merge. The survivor keeps
 * its owner, pool and details and takes the later of each activity time, so its reclaim clocks count the merged
 * record's visits, follow-ups and won deals too. Two ledger rows `merged` on the survivor (`recordMerge`): the merged
 * record leaving its owner (who loses it) or pool, then the survivor staying; then the merged row is deleted. Refused
 * while an HR assignment holds either record or either has a visit still open.
 */
export async function mergeCustomers(deps: AppDeps, actor: Actor, id: number, intoId: number) {
  const { db, clock } = deps;
  if (id === intoId) throw new AppError(422, 'merge_into_self', '不能把客户合并到它自己；请选择另一条重复的客户记录。');
  const now = clock.now();
  await deps.evidence.prepare(actor.tenantId);
  await writeTransaction(db, async (trx) => {
    const rows = await lockCustomers(trx, actor.tenantId, [id, intoId]);
    const merged = rows.get(id);
    const survivor = rows.get(intoId);
    if (!merged) throw notFound('客户');
    if (!survivor) throw new AppError(404, 'not_found', `要合并到的客户（编号 ${intoId}）不存在，请核对编号。`);
    for (const row of [merged, survivor]) {
      if (row.reserved_by_assignment_id !== null) {
        throw new AppError(422, 'reserved', `客户「${row.name}」已被人事预留给新员工（分配申请 #${row.reserved_by_assignment_id} 审批中），请等审批结束后再合并。`);
      }
    }
    // An open visit's photos and finish still address its customer (and would address a deleted one).
    const visiting = await customerWithOpenVisit(trx, actor.tenantId, [id, intoId]);
    if (visiting !== undefined) {
      const name = (visiting === id ? merged : survivor).name;
      throw new AppError(409, 'visit_open', `客户「${name}」有一次拜访还在进行中，请等拜访结束后再合并。`);
    }
    await moveCustomerChildren(trx, actor.tenantId, id, intoId);
    await updateCustomerColumns(trx, actor.tenantId, intoId, {
      last_verified_visit_at: later(survivor.last_verified_visit_at, merged.last_verified_visit_at),
      last_follow_up_at: later(survivor.last_follow_up_at, merged.last_follow_up_at),
      last_deal_won_at: later(survivor.last_deal_won_at, merged.last_deal_won_at),
      updated_at: now,
    });
    await recordMerge(trx, {
      tenantId: actor.tenantId,
      survivorId: intoId,
      merged: { ownerId: merged.owner_id, poolId: merged.pool_id },
      survivor: { ownerId: survivor.owner_id, poolId: survivor.pool_id },
      actorId: actor.userId,
      reason: `合并了重复的客户「${merged.name}」（编号 ${merged.id}），保留「${survivor.name}」（编号 ${survivor.id}）`,
      evidence: { mergedId: merged.id, mergedName: merged.name },
      now,
    });
    await insertEdit(trx, {
      tenantId: actor.tenantId,
      customerId: intoId,
      actorId: actor.userId,
      kind: 'merged',
      changes: [{ field: 'customer', from: { id: merged.id, name: merged.name, ownerId: merged.owner_id }, to: null }],
      mergedCustomerId: id,
      at: now,
    });
    await deleteCustomer(trx, actor.tenantId, id);
    const mergeId = await insertMerge(trx, { tenantId: actor.tenantId, mergedId: id, intoId, mergedName: merged.name, actorId: actor.userId, at: now });
    // Last: it holds the tenant's chain tip until the commit (customers, then visits, then the tip, as check-ins lock).
    const payload = mergePayload({ id: mergeId, tenant_id: actor.tenantId, merged_id: id, into_id: intoId, actor_id: actor.userId, at: now });
    await deps.evidence.appendWithin(trx, { tenantId: actor.tenantId, kind: 'merge', refId: mergeId, payload, now });
  });
  return customerProfile(db, actor, intoId);
}
