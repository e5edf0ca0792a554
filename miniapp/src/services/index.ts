import { platform } from '@/platform';
import { createApi } from './api';
import { ApiClient } from './request';
import { taroSessionStore, taroTransport } from './taro-transport';

export * from './errors';
export type * from './api-types';

/** The app's one client: Taro's HTTP and storage, the build's platform for login codes and uploads. */
export const client = new ApiClient({
  origin: API_ORIGIN,
  transport: taroTransport,
  store: taroSessionStore,
  loginCode: () => platform.loginCode(),
  upload: (request) => platform.upload(request),
  saveDocument: (request) => platform.saveDocument(request),
});

export const api = createApi(client);

// Inside DingTalk/WeCom web views the JS-SDK needs the page signed once per session.
let readyFor: string | null = null;
export async function platformReady(): Promise<void> {
  const session = client.current();
  if (!session || readyFor === session.token) return;
  readyFor = session.token;
  await platform.ready((url) => api.platform.jsapiSignature(url));
}
export { demoLoginCode, sandboxAvailable } from './demo-login';
