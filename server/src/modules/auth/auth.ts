import { z } from 'zod';

export const loginBody = z.object({
  platform: z.enum(['dingtalk', 'wecom']),
  corpId: z.string().trim().min(1).max(64),
  code: z.string().trim().min(1, '缺少登录码').max(512),
  /**
   * How the client got the code: `miniprogram` (the mini-program's login API) or `oauth` (an H5 page's web login, e.g.
   * WeCom's OAuth redirect). Absent means `miniprogram`, so clients older than the field keep working.
   */
  channel: z.enum(['miniprogram', 'oauth']).default('miniprogram'),
});

export type LoginInput = z.infer<typeof loginBody>;
