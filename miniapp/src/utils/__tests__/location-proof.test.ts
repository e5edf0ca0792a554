import { startHarness, type Harness } from '../../../../server/test/harness';
import type { LocationFix, PlatformApi } from '../../platform/platform';
import { createApi } from '../../services/api';
import type { LoginResult, NearbyItem } from '../../services/api-types';
import { ApiError } from '../../services/errors';
import { ApiClient, type HttpTransport, type SessionStore } from '../../services/request';
import { claimBodyFor, takeLocationProof } from '../location-proof';

const T = 'demo-dingtalk';

const transport: HttpTransport = async ({ method, url, headers, body }) => {
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: await res.text() };
};

describe('领取 in a pool with a claim radius, against the real server', () => {
  let h: Harness;
  let api: ReturnType<typeof createApi>;
  let items: NearbyItem[];
  let nonces = 0;

  /** A DingTalk phone on Android at `at` (GCJ-02): jittering fixes from dd.startLocating, dated by the server's clock. */
  function phone(at: { lat: number; lng: number }): Pick<PlatformApi, 'locate' | 'connectedWifi' | 'device'> {
    let n = 0;
    return {
      locate: async () => {
        n++;
        const fix: LocationFix = { lat: at.lat + n * 0.000013, lng: at.lng - n * 0.000011, accuracy: 11.3 + n, coord: 'gcj02', ts: h.clock.now(), source: 'dd.startLocating', isMock: false };
        return [fix];
      },
      connectedWifi: async () => [],
      device: () => ({ platform: 'dingtalk', os: 'Android 14', model: 'HUAWEI Mate 60', clientVersion: '0.1.0' }),
    };
  }
  const prover = (at: { lat: number; lng: number }) => () =>
    takeLocationProof({ phone: phone(at), nonce: () => (nonces++, api.visits.nonce()), fixCount: 2, sleep: async () => undefined });

  beforeAll(async () => {
    h = await startHarness('sqlite');
    const east = (await h.db.selectFrom('pools').select('id').where('tenant_id', '=', T).where('name', '=', '华东公海').executeTakeFirstOrThrow()).id;
    await h.db.updateTable('pools').set({ claim_radius_m: 300 }).where('id', '=', east).execute();
    let session: LoginResult | null = null;
    const store: SessionStore = { load: () => session, save: (s) => (session = s) };
    const client = new ApiClient({
      origin: h.baseUrl,
      transport,
      store,
      loginCode: async () => {
        const res = await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/login-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corpId: 'dingdemo', userId: 'rep01' }) });
        return { platform: 'dingtalk', corpId: 'dingdemo', code: ((await res.json()) as { code: string }).code, channel: 'miniprogram' };
      },
      upload: async () => {
        throw new Error('no uploads in these tests');
      },
      networkRetries: 0,
      sleep: async () => undefined,
    });
    api = createApi(client);
    items = (await api.pool.nearby({ lat: 31.2304, lng: 121.4737, radius: 5000, limit: 200 })).items.filter((i) => i.claimRadiusM === 300);
    expect(items.length).toBeGreaterThan(3);
  });
  afterAll(() => h.close());

  it('takes a nonce and fresh fixes first, and the claim at the customer goes through', async () => {
    const item = items[0]!;
    const body = await claimBodyFor(item, null, prover(item));
    expect(Object.keys(body).sort()).toEqual(['device', 'fixes', 'nonce', 'wifi']);
    expect(body.fixes).toHaveLength(2);
    const { customer } = await api.customers.claim(item.id, body);
    expect(customer).toMatchObject({ id: item.id, ownerId: 'rep01' });
  });

  it('is refused too_far, with the distance, from 2 km away', async () => {
    h.clock.advance(3_600_000);
    const item = items[1]!;
    const err = await api.customers.claim(item.id, await claimBodyFor(item, null, prover({ lat: item.lat + 0.018, lng: item.lng }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('too_far');
    expect((err as ApiError).details.radiusM).toBe(300);
  });

  it('sends the page fix as before, and takes no nonce, in a pool without a radius', async () => {
    const before = nonces;
    const pageFix: LocationFix = { lat: 31.2304, lng: 121.4737, accuracy: 20, coord: 'gcj02', ts: h.clock.now(), source: 'dd.getLocation' };
    const body = await claimBodyFor({ claimRadiusM: null }, pageFix, prover(pageFix));
    expect(body).toEqual({ lat: 31.2304, lng: 121.4737, accuracy: 20, coord: 'gcj02' });
    expect(nonces).toBe(before);
  });
});
