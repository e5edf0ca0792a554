import type { PlatformAdapter } from '@gonghai/plugin-core';
import { WeComClient, type WeComClientOptions } from './wecom.client';

export type WeComAdapterOptions = WeComClientOptions;

/** The port over one tenant's WeCom app; it only translates. */
export function createWeComAdapter(options: WeComAdapterOptions): PlatformAdapter {
  const client = new WeComClient(options);
  return {
    platform: 'wecom',
    auth: {
      async exchangeLoginCode(code) {
        const session = await client.code2Session(code);
        return { corpId: session.corpid, platformUserId: session.userid };
      },
    },
  };
}
