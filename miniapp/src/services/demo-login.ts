import type { LoginChannel, LoginCode } from '@/platform/platform';
import type { ApiClient } from './request';

const vendorPath = (platform: LoginCode['platform']) => (platform === 'dingtalk' ? 'dingtalk' : 'wecom');

/** Whether the server runs the platform sandboxes (PLATFORM_SANDBOX=on), i.e. the demo picker can work. */
export async function sandboxAvailable(client: ApiClient): Promise<boolean> {
  try {
    await client.request('GET', '/sandbox/dingtalk/_control/messages', { auth: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * The channel the H5 app really logs in through: inside WeCom an H5 page gets an OAuth code, inside DingTalk the same
 * 免登 code as the mini-program. The picker runs in the H5 build, so a WeCom demo login exercises the OAuth exchange.
 */
export const h5LoginChannel = (platform: LoginCode['platform']): LoginChannel => (platform === 'wecom' ? 'oauth' : 'miniprogram');

/** A login code for a demo user, minted by the sandbox's control endpoint (what the real app would get from the platform). */
export async function demoLoginCode(client: ApiClient, platform: LoginCode['platform'], corpId: string, userId: string): Promise<LoginCode> {
  const channel = h5LoginChannel(platform);
  const { code } = await client.request<{ code: string }>('POST', `/sandbox/${vendorPath(platform)}/_control/login-code`, { body: { corpId, userId, channel }, auth: false });
  return { platform, corpId, code, channel };
}
