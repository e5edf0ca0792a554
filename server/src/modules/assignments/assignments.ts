import { z } from 'zod';
import { AppError } from '../../errors';
import { queryNumber } from '../../http/validate';
import type { AssignmentItemState, AssignmentStatus } from './assignments.table';

export type AssignmentErrorCode = 'nothing_to_assign' | 'assignee_inactive' | 'approval_failed' | 'no_approval_template';

/** The assignment module's errors: a status, a code from the union above and a Chinese message. */
export const assignmentError = (status: number, code: AssignmentErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(status, code, message, details);

/** Why a requested customer could not be reserved, as the 201 answer reports it. */
export type UnavailableReason = 'not_found' | 'owned' | 'reserved' | 'not_pool_member';

export interface UnavailableCustomer {
  customerId: number;
  reason: UnavailableReason;
  message: string;
}

export interface AssignmentItemDto {
  customerId: number;
  name: string;
  level: string;
  poolId: number;
  state: AssignmentItemState;
  note: string | null;
}

/** An assignment as the API shows it. */
export interface AssignmentDto {
  id: number;
  status: AssignmentStatus;
  assigneeUserId: string;
  assigneeName: string;
  requestedBy: string;
  reason: string;
  overrideCap: boolean;
  approvalInstanceId: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  counts: Record<AssignmentItemState, number>;
  items: AssignmentItemDto[];
}

/** One customer of a suggested starter pack. */
export interface StarterPackItem {
  id: number;
  name: string;
  address: string;
  lat: number;
  lng: number;
  level: string;
  poolId: number;
  distanceM: number;
  /** Why this customer was chosen, in Chinese. */
  reason: string;
}

export interface StarterPack {
  assigneeUserId: string;
  base: { lat: number; lng: number; source: 'given' | 'team_customers' | 'pool_customers' };
  items: StarterPackItem[];
  /** Customers the hire could claim that were left out on purpose, by reason. */
  excluded: { reserved: number; bounced: number };
  medianDistanceM: number | null;
}

const coord = z.enum(['gcj02', 'wgs84']).default('gcj02');
const userId = z.string({ error: '请选择新员工（assigneeUserId）' }).trim().min(1, '请选择新员工（assigneeUserId）').max(64);

export const MAX_ASSIGNMENT_CUSTOMERS = 200;

export const createAssignmentBody = z.object({
  assigneeUserId: userId,
  customerIds: z
    .array(z.number({ error: '客户 id 必须是数字' }).int('客户 id 必须是整数').positive('客户 id 必须是正整数'), { error: '请选择要分配的客户（customerIds）' })
    .min(1, '请至少选择 1 个客户')
    .max(MAX_ASSIGNMENT_CUSTOMERS, `一次最多分配 ${MAX_ASSIGNMENT_CUSTOMERS} 个客户`)
    .refine((ids) => new Set(ids).size === ids.length, '客户不能重复选择'),
  reason: z.string({ error: '请填写分配原因' }).trim().min(1, '请填写分配原因').max(500, '分配原因最长 500 个字'),
  /** HR's onboarding override of the pool cap; recorded in the ledger evidence. */
  overrideCap: z.boolean({ error: 'overrideCap 必须是 true 或 false' }).default(false),
});

export const suggestQuery = z
  .object({
    assigneeUserId: userId,
    count: queryNumber(z.number({ error: 'count 必须是数字' }).int('count 必须是整数').min(1, 'count 至少为 1').max(100, 'count 最多为 100').default(30)),
    lat: queryNumber(z.number().min(-90).max(90).optional()),
    lng: queryNumber(z.number().min(-180).max(180).optional()),
    coord,
  })
  .refine((q) => (q.lat === undefined) === (q.lng === undefined), { message: 'lat 和 lng 必须同时提供' });

export const listAssignmentsQuery = z.object({
  status: z.enum(['pending', 'approved', 'refused', 'withdrawn', 'expired', 'failed']).optional(),
  cursor: z.string().regex(/^\d+$/, '必须是上一页返回的 nextCursor').optional(),
  limit: queryNumber(z.number().int().min(1).max(100).default(20)),
});

export type CreateAssignmentBody = z.infer<typeof createAssignmentBody>;
export type SuggestQuery = z.infer<typeof suggestQuery>;
export type ListAssignmentsQuery = z.infer<typeof listAssignmentsQuery>;
