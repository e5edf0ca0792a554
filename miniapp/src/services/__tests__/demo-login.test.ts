import { dialects } from '../../../../server/test/databases';
import { startHarness, type Harness } from '../../../../server/test/harness';
import type { LoginResult } from '../api-types';
import { demoLoginCode } from '../demo-login';
import { ApiClient, type HttpTransport } from '../request';

const fetchTransport: HttpTransport = async ({ method, url, headers, body }) => {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: await res.text() };
};

describe.each(dialects)('the H5 demo login against the real server on %s', (dialect) => {
  let h: Harness;
  let client: ApiClient;

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  beforeEach(() => {
    let session: LoginResult | null = null;
    client = new ApiClient({
      origin: h.baseUrl,
      transport: fetchTransport,
      store: { load: () => session, save: (s) => void (session = s) },
      loginCode: async () => {
        throw new Error('not used');
      },
      upload: async () => {
        throw new Error('not used');
      },
      sleep: async () => undefined,
      newKey: () => `key-${Math.random()}`,
    });
  });

  it('logs a WeCom demo user in through the OAuth exchange, as an H5 page inside WeCom would', async () => {
    const code = await demoLoginCode(client, 'wecom', 'wwdemo', 'rep06');
    expect(code).toEqual({ platform: 'wecom', corpId: 'wwdemo', code: expect.stringMatching(/^[0-9a-f]{32}$/), channel: 'oauth' });

    const result = await client.login(code);
    expect(result.user.id).toBe('rep06');
    expect(result.tenant.id).toBe('demo-wecom');

    // The code really is an OAuth one: sent as a mini-program code it is refused.
    const again = await demoLoginCode(client, 'wecom', 'wwdemo', 'rep06');
    await expect(client.login({ ...again, channel: 'miniprogram' })).rejects.toMatchObject({ status: 401, code: 'invalid_code' });
  });

  it('logs a DingTalk demo user in with the 免登 code the H5 micro-app gets', async () => {
    const code = await demoLoginCode(client, 'dingtalk', 'dingdemo', 'rep07');
    expect(code.channel).toBe('miniprogram');

    const result = await client.login(code);
    expect(result.user.id).toBe('rep07');
  });
});
