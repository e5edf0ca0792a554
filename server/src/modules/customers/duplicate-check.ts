import type { Actor } from '../../context';
import type { Db } from '../../db/create-db';
import { AppError } from '../../errors';
import { isPoolMember } from '../pool/pool.repository';
import { duplicateCandidates, lockTenantCustomerCreation } from './customers.repository';
import { duplicateReasonText, type DedupeCandidate, type DuplicateMatch } from './duplicates';

/**
 * The 409 a duplicate answers with: the existing customer's id, status and pool, the reason, and whether the actor can
 * claim it (a pool customer of a pool they belong to) — then the message says «去领取».
 */
export async function duplicateError(db: Db, actor: Actor, match: DuplicateMatch): Promise<AppError> {
  const { existing, reason } = match;
  const claimable = existing.status === 'pool' && (await isPoolMember(db, actor.tenantId, actor.userId, existing.poolId));
  const where =
    existing.status === 'pool'
      ? claimable
        ? '它在你所在的公海中，可以去领取。'
        : '它在公海中，但不在你所在的公海，请联系管理员。'
      : existing.ownerId === actor.userId
        ? '它已经是你的客户。'
        : '它已有负责人，请勿重复录入（撞单）；如有争议请联系经理。';
  return new AppError(409, 'duplicate_customer', `已有相同客户「${existing.name}」（编号 ${existing.id}，${duplicateReasonText(reason)}）：${where}`, {
    customerId: existing.id,
    status: existing.status,
    poolId: existing.poolId,
    reason,
    claimable,
    ...(claimable ? { hint: '去领取' } : {}),
  });
}

/**
 * Throws the duplicate 409 when the candidate matches an existing customer of the actor's tenant. Run it inside the
 * creating transaction: it first takes the tenant's creation lock, so a concurrent creation of the same customer waits
 * for this one to commit and then sees it (one 201, the others 409).
 */
export async function assertNotDuplicate(trx: Db, actor: Actor, candidate: DedupeCandidate): Promise<void> {
  await lockTenantCustomerCreation(trx, actor.tenantId);
  const match = (await duplicateCandidates(trx, actor.tenantId, [candidate])).match(candidate);
  if (match) throw await duplicateError(trx, actor, match);
}
