import type { Harness } from '../../server/test/harness';
import { createApi, type Api } from '../src/services/api';
import type { LoginResult } from '../src/services/api-types';
import { NetworkError } from '../src/services/errors';
import { ApiClient } from '../src/services/request';

/**
 * The app's real API client against a test server, signed in as a user of the demo tenant: for tests of view logic that
 * must agree with the server. Nothing logs in again (the session is given) and nothing is uploaded.
 */
export async function apiAs(h: Harness, user: LoginResult['user'], tenant: LoginResult['tenant'] = { id: 'demo-dingtalk', name: '公海演示', platform: 'dingtalk' }): Promise<Api> {
  const session: LoginResult = { token: await h.tokenFor(tenant.id, user.id), expiresIn: 86_400, user, tenant };
  const client = new ApiClient({
    origin: h.baseUrl,
    transport: async ({ method, url, headers, body }) => {
      try {
        const res = await fetch(url, { method, headers, body });
        return { status: res.status, body: await res.text() };
      } catch (err) {
        throw new NetworkError(err);
      }
    },
    store: { load: () => session, save: () => undefined },
    loginCode: async () => {
      throw new Error('the session is given');
    },
    upload: async () => {
      throw new Error('not used');
    },
  });
  return createApi(client);
}
