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

const contactPhone = z
  .string()
  .trim()
  .regex(/^[0-9+\-() ]{5,32}$/, '电话号码格式不对');

/** `PATCH /api/v1/customers/:id`: the fields to change, at least one; coordinates come as a pair. */
export const updateCustomerBody = z
  .object({
    name: z.string().trim().min(1, '客户名称不能为空').max(200).optional(),
    address: z.string().trim().min(1, '地址不能为空').max(500).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
    /** What the client's lat/lng are in (Baidu's BD-09 too, for addresses picked on a Baidu map); stored as GCJ-02. */
    coord: z.enum(['gcj02', 'wgs84', 'bd09']).default('gcj02'),
    level: z.enum(customerLevels).optional(),
    tags: z.array(z.string().trim().min(1).max(32)).max(20).optional(),
    /** Admins only: change the level even though it puts the owner over the pool's cap for that level. */
    force: z.boolean().default(false),
  })
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), { message: '经纬度需要同时填写', path: ['lat'] })
  .refine((b) => b.name !== undefined || b.address !== undefined || b.lat !== undefined || b.level !== undefined || b.tags !== undefined, {
    message: '请至少修改一项：名称、地址、坐标、级别或标签',
  });

export const contactBody = z.object({
  name: z.string().trim().min(1, '请填写联系人姓名').max(64),
  title: z.string().trim().max(64).optional(),
  phone: contactPhone.optional(),
});

/** `PATCH …/contacts/:contactId`: the fields to change; null clears the title or phone. */
export const updateContactBody = z
  .object({
    name: z.string().trim().min(1, '联系人姓名不能为空').max(64).optional(),
    title: z.string().trim().max(64).nullable().optional(),
    phone: contactPhone.nullable().optional(),
  })
  .refine((b) => b.name !== undefined || b.title !== undefined || b.phone !== undefined, { message: '请至少修改一项：姓名、职务或电话' });

export const mergeBody = z.object({ intoId: z.number().int().positive() });

export type UpdateCustomerInput = z.infer<typeof updateCustomerBody>;
export type ContactInput = z.infer<typeof contactBody>;
export type UpdateContactInput = z.infer<typeof updateContactBody>;
