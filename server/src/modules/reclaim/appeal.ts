import { z } from 'zod';
import type { AppealStatus } from './appeal.table';

/** `POST /api/v1/customers/:id/appeal`: why the reclaim was wrong. */
export const appealBody = z.object({
  reason: z.string().trim().min(1, '请填写申诉理由（例如：已拜访但定位异常、客户正在签约）').max(500),
});

/** `GET /api/v1/appeals?status=`: open ones by default. */
export const appealsQuery = z.object({
  status: z.enum(['open', 'accepted', 'declined', 'all']).default('open'),
});

/** `POST /api/v1/appeals/:id/decision`: accept (the customer goes back to the rep) or decline; `force` bypasses the cap. */
export const appealDecisionBody = z.object({
  decision: z.enum(['accepted', 'declined'], { message: '处理结果只能是 accepted（同意）或 declined（驳回）' }),
  note: z.string().trim().max(500).optional(),
  force: z.boolean().default(false),
});

export type AppealBody = z.infer<typeof appealBody>;
export type AppealsQuery = z.infer<typeof appealsQuery>;
export type AppealDecisionBody = z.infer<typeof appealDecisionBody>;

/** A customer reclaimed from the rep that they may still appeal, or have appealed (`GET /api/v1/me/reclaimed`). */
export interface ReclaimedItem {
  customerId: number;
  customerName: string;
  reclaimedAt: string;
  reason: string | null;
  /** The end of the appeal window. */
  appealUntil: string;
  appeal: { id: number; status: AppealStatus; note: string | null } | null;
}

/** An appeal as the API shows it. */
export interface AppealDto {
  id: number;
  customerId: number;
  customerName: string;
  userId: string;
  userName: string | null;
  reason: string;
  status: AppealStatus;
  /** When the customer was reclaimed (the ledger row appealed against). */
  reclaimedAt: string;
  reclaimReason: string | null;
  createdAt: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  note: string | null;
}
