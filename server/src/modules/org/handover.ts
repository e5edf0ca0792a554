import { z } from 'zod';

/** `GET /api/v1/handovers?status=pending`: only the handovers still waiting for a successor are listed. */
export const handoverListQuery = z.object({
  status: z.enum(['pending'], { error: "status 目前只能是 'pending'（等待指定交接人）" }).default('pending'),
});
export type HandoverListQuery = z.infer<typeof handoverListQuery>;

/** One leaver whose customers wait for the manager to pick a successor (departure policy `successor`). */
export interface PendingHandoverDto {
  userId: string;
  userName: string;
  /** When the departure was handled (ISO 8601). */
  departedAt: string;
  /** After this instant the hourly job sends what is left to the pool (ISO 8601). */
  deadline: string;
  /** Customers the leaver still owns now (a handover takes them all). */
  customers: number;
  /** The first few of them by id, for the list. */
  customerNames: string[];
}
