import { h5LoginChannel } from '../../src/services/demo-login';

/** Who to be on the server: a demo user of one demo tenant (DESIGN §12). */
export interface DemoAccount {
  platform: 'dingtalk' | 'wecom';
  corpId: string;
  userId: string;
}

export type Get = <T>(path: string) => Promise<T>;

async function json<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The server as a demo user sees it, for server-state assertions. Logs in the way the H5 app does: the sandbox of the
 * user's platform mints a code of the H5 channel (DingTalk's 免登 code, WeCom's OAuth code), and the login says so.
 */
export async function apiAs(baseUrl: string, who: DemoAccount): Promise<Get> {
  const channel = h5LoginChannel(who.platform);
  const post = (path: string, body: unknown) => fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { code } = await json<{ code: string }>(await post(`/sandbox/${who.platform}/_control/login-code`, { corpId: who.corpId, userId: who.userId, channel }), 'login code');
  const { token } = await json<{ token: string }>(await post('/api/v1/auth/login', { platform: who.platform, corpId: who.corpId, code, channel }), 'login');
  return async <T>(path: string): Promise<T> => json<T>(await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }), path);
}
