import { z } from 'zod';

export const loginBody = z.object({
  platform: z.enum(['dingtalk', 'wecom']),
  corpId: z.string().trim().min(1).max(64),
  code: z.string().trim().min(1, '缺少登录码').max(512),
});

export type LoginInput = z.infer<typeof loginBody>;
