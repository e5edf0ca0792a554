import { z } from 'zod';
import type { RuleKind } from '../pool/pool.table';

/** A customer on the wire (DESIGN §9). Times are ISO strings. */
export interface CustomerDto {
  id: number;
  name: string;
  address: string;
  lat: number;
  lng: number;
  level: string;
  tags: string[];
  status: 'pool' | 'owned';
  poolId: number;
  ownerId: string | null;
  ownedSince: string | null;
  lastVerifiedVisitAt: string | null;
  lastFollowUpAt: string | null;
  reclaim: { ruleId: number; kind: RuleKind; dueDate: string } | null;
}

export const customerLevels = ['A', 'B', 'C', 'D'] as const;

export const createCustomerBody = z.object({
  name: z.string().trim().min(1, '请填写客户名称').max(200),
  address: z.string().trim().min(1, '请填写地址').max(500),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  coord: z.enum(['gcj02', 'wgs84']).default('gcj02'),
  level: z.enum(customerLevels).default('C'),
  tags: z.array(z.string().trim().min(1).max(32)).max(20).default([]),
  contacts: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(64),
        title: z.string().trim().max(64).optional(),
        phone: z
          .string()
          .trim()
          .regex(/^[0-9+\-() ]{5,32}$/, '电话号码格式不对')
          .optional(),
      }),
    )
    .max(20)
    .default([]),
  /** Put the new customer straight into this pool instead of owning it. */
  poolId: z.number().int().positive().optional(),
});

export const followUpBody = z.object({
  kind: z.enum(['call', 'note', 'message']),
  content: z.string().trim().min(1, '请填写跟进内容').max(2000),
});

export const dealBody = z.object({
  title: z.string().trim().min(1, '请填写商机名称').max(200),
  amount: z.number().min(0).max(1e10),
  status: z.enum(['open', 'won', 'lost']).default('open'),
});

export const dealStatusBody = z.object({ status: z.enum(['open', 'won', 'lost']) });

export type CreateCustomerInput = z.infer<typeof createCustomerBody>;
