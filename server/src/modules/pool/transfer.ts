import { z } from 'zod';

/** The most customers one transfer moves: one transaction holds them all (all or nothing). */
export const TRANSFER_MAX = 1000;

const userId = z.string().trim().min(1).max(64);

/**
 * `POST /api/v1/customers/transfer`: the customers (by id, or every customer `fromUserId` owns, or those of the ids that
 * `fromUserId` owns), to a user or back to a pool (exactly one of the two), with a reason. `force` bypasses the
 * receiver's cap and pool membership (recorded in the ledger evidence).
 */
export const transferBody = z
  .object({
    customerIds: z.array(z.number().int().positive()).min(1, '请至少选择一个客户').max(TRANSFER_MAX, `一次最多转交 ${TRANSFER_MAX} 个客户，请分批转交`).optional(),
    fromUserId: userId.optional(),
    toUserId: userId.optional(),
    toPoolId: z.number().int().positive().optional(),
    reason: z.string().trim().min(1, '请填写转交原因').max(500),
    force: z.boolean().default(false),
  })
  .refine((b) => b.customerIds !== undefined || b.fromUserId !== undefined, { message: '请给出要转交的客户（customerIds）或原负责人（fromUserId）', path: ['customerIds'] })
  .refine((b) => (b.toUserId === undefined) !== (b.toPoolId === undefined), { message: '请在接收人（toUserId）和公海（toPoolId）中选且只选一个', path: ['toUserId'] });

export type TransferBody = z.infer<typeof transferBody>;

/** `POST /api/v1/admin/users/:userId/handover`: all of a leaver's (or a mover's) customers to their successor. */
export const handoverBody = z.object({
  toUserId: userId,
  force: z.boolean().default(false),
});

export type HandoverBody = z.infer<typeof handoverBody>;

/** What a transfer or a handover answers: every customer moved (all or nothing), and where to. */
export interface TransferResult {
  transferred: number;
  toUserId: string | null;
  toPoolId: number | null;
  /** Whether the receiver's message was queued (none for a pool, nor when nothing moved). */
  notified: boolean;
}
