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

/** A JSON request to the server, with a token when given: its status and parsed body, whatever the status. */
export async function requestJson(baseUrl: string, method: string, urlPath: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A demo DingTalk user's token the way the app gets one: a sandbox login code exchanged at /api/v1/auth/login. */
export async function dingtalkToken(baseUrl: string, userId: string): Promise<string> {
  const { body: code } = await requestJson(baseUrl, 'POST', '/sandbox/dingtalk/_control/login-code', { corpId: 'dingdemo', userId });
  return (await requestJson(baseUrl, 'POST', '/api/v1/auth/login', { platform: 'dingtalk', corpId: 'dingdemo', code: code.code })).body.token as string;
}
