import { z } from 'zod';

/** The settings both the app and `npm run tenant -- set` change, with their one set of rules. */
export const sharedSettingFields = {
  departurePolicy: z.enum(['pool', 'manager', 'successor'], { message: '离职客户去向只能是 pool（退回公海）、manager（转给上级）或 successor（上级指定交接人）' }).optional(),
  appealDays: z.number().int('申诉期必须是整数天').min(1, '申诉期至少 1 天').max(30, '申诉期最多 30 天').optional(),
};

/** The settings an admin changes in the app (the rest are set with `npm run tenant`). */
export const tenantSettingsBody = z
  .object(sharedSettingFields)
  .refine((b) => b.departurePolicy !== undefined || b.appealDays !== undefined, { message: '请至少修改一项设置（departurePolicy 或 appealDays）' });

export type TenantSettingsBody = z.infer<typeof tenantSettingsBody>;

/** `GET|PUT /api/v1/admin/settings`: what those routes show. */
export interface AdminTenantSettings {
  departurePolicy: 'pool' | 'manager' | 'successor';
  appealDays: number;
}
