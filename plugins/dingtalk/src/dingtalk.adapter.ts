import type { PlatformAdapter } from '@gonghai/plugin-core';
import { DingTalkClient, type DingTalkClientOptions } from './dingtalk.client';

export type DingTalkAdapterOptions = DingTalkClientOptions;

/** The port over one tenant's DingTalk app; it only translates. */
export function createDingTalkAdapter(options: DingTalkAdapterOptions): PlatformAdapter {
  const client = new DingTalkClient(options);
  return {
    platform: 'dingtalk',
    auth: {
      async exchangeLoginCode(code) {
        const user = await client.getUserInfoByCode(code);
        // The answer names no corp: it is the corp whose app token asked (dingtalk-api §1.3).
        return { corpId: options.credentials.corpId, platformUserId: user.userid };
      },
    },
  };
}
