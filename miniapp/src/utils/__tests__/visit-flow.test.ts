import { resolveObjectURL } from 'node:buffer';
import sharp from 'sharp';
import { samplePhoto } from '../../../../server/src/modules/evidence/photo-sample';
import { startHarness, type Harness } from '../../../../server/test/harness';
import { h5Platform } from '../../platform/h5';
import type { LocationFix, Photo, PlatformApi, UploadRequest, UploadResult } from '../../platform/platform';
import { createApi } from '../../services/api';
import type { CustomerDto, LoginResult } from '../../services/api-types';
import { NetworkError } from '../../services/errors';
import { ApiClient, type HttpTransport, type SessionStore } from '../../services/request';
import { createPhotoLoader } from '../photo-loader';
import { VisitFlow, type DraftStore, type VisitDraft, type VisitPhase } from '../visit-flow';

/** The Node stand-in for Taro.request: real HTTP through fetch. `loseNext` drops the answer of matching requests. */
function fetchTransport(lose: { path: string; times: number }) {
  const transport: HttpTransport = async ({ method, url, headers, body }) => {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body });
    } catch (err) {
      throw new NetworkError(err);
    }
    const text = await res.text();
    if (lose.times > 0 && new URL(url).pathname === lose.path) {
      lose.times--;
      // The server did the work; the phone never hears back.
      throw new NetworkError(new Error('connection reset'));
    }
    return { status: res.status, body: text };
  };
  return transport;
}

const memorySession = (): SessionStore => {
  let value: LoginResult | null = null;
  return { load: () => value, save: (s) => (value = s) };
};

/** Drafts in a Map, as Taro storage would keep them across a reload. */
function memoryDrafts(): DraftStore & { map: Map<number, VisitDraft> } {
  const map = new Map<number, VisitDraft>();
  return {
    map,
    load: (id) => (map.has(id) ? (JSON.parse(JSON.stringify(map.get(id))) as VisitDraft) : null),
    save: (d) => void map.set(d.customerId, JSON.parse(JSON.stringify(d)) as VisitDraft),
    clear: (id) => void map.delete(id),
  };
}

describe('the visit flow against the real server', () => {
  let h: Harness;
  let customer: CustomerDto;
  let jpegs: Buffer[];
  const lose = { path: '', times: 0 };
  const loseUpload = { times: 0 };

  /** A phone at `at` (GCJ-02): fixes jitter like real GPS, dated by the server's clock; photos from the camera. */
  function phone(at: { lat: number; lng: number }, photos: Buffer[] = []): Pick<PlatformApi, 'locate' | 'connectedWifi' | 'device' | 'takePhoto'> {
    let n = 0;
    return {
      locate: async () => {
        n++;
        const fix: LocationFix = { lat: at.lat + n * 0.000013, lng: at.lng - n * 0.000011, accuracy: 11.3 + n, coord: 'gcj02', ts: h.clock.now(), source: 'browser' };
        return [fix];
      },
      connectedWifi: async () => [],
      device: () => ({ platform: 'h5', os: 'Linux', model: 'browser', clientVersion: '0.1.0' }),
      takePhoto: async (): Promise<Photo> => {
        const bytes = photos.shift();
        if (!bytes) throw new Error('已取消拍照');
        return { path: 'blob:local-preview', file: new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }) };
      },
    };
  }

  function setup(userId = 'rep01') {
    const client = new ApiClient({
      origin: h.baseUrl,
      transport: fetchTransport(lose),
      store: memorySession(),
      loginCode: async () => {
        const res = await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/login-code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ corpId: 'dingdemo', userId }),
        });
        return { platform: 'dingtalk', corpId: 'dingdemo', code: ((await res.json()) as { code: string }).code, channel: 'miniprogram' };
      },
      upload: async (request: UploadRequest): Promise<UploadResult> => {
        const res = await h5Platform.upload(request);
        if (loseUpload.times > 0) {
          loseUpload.times--;
          throw new NetworkError(new Error('connection reset'));
        }
        return res;
      },
      networkRetries: 0,
      sleep: async () => undefined,
    });
    return { client, api: createApi(client) };
  }

  const countRows = async (table: 'visits' | 'visit_photos', customerId: number) =>
    Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', 'demo-dingtalk').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    h = await startHarness('sqlite');
    const { api } = setup();
    const mine = await api.customers.mine();
    customer = mine.items.find((c) => c.address.includes('上海')) ?? mine.items[0]!;
    jpegs = await Promise.all([
      samplePhoto('storefront', 800, 600).jpeg({ quality: 85 }).toBuffer(),
      samplePhoto('street', 800, 600).jpeg({ quality: 85 }).toBuffer(),
    ]);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    lose.times = 0;
    loseUpload.times = 0;
  });

  it('checks in verified with three jittering fixes, uploads a watermarked photo, and finishes verified after a real stay', async () => {
    const { api, client } = setup();
    const drafts = memoryDrafts();
    const flow = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer, [jpegs[0]!]), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    const phases: VisitPhase[] = [];
    flow.subscribe((s) => {
      if (phases[phases.length - 1] !== s.phase) phases.push(s.phase);
    });
    const before = await countRows('visits', customer.id);

    await flow.checkIn();
    expect(flow.current.error).toBeNull();
    expect(flow.current.phase).toBe('open');
    expect(flow.current.fixes.map((f) => f.accuracy)).toEqual([12.3, 13.3, 14.3]);
    expect(flow.current.visit!.verdict).toBe('verified');
    expect(flow.current.visit!.distanceM).toBeLessThanOrEqual(5);
    // The check-in says where each fix came from, and the server keeps it with the visit.
    const row = await h.db.selectFrom('visits').select('fixes').where('id', '=', flow.current.visit!.id).executeTakeFirstOrThrow();
    expect((JSON.parse(row.fixes) as { source: string }[]).map((f) => f.source)).toEqual(['browser', 'browser', 'browser']);
    // The open visit and its token are kept until finished.
    expect(drafts.map.get(customer.id)).toEqual({ customerId: customer.id, visit: flow.current.visit, photoToken: expect.any(String), photos: [] });

    await flow.takePhoto();
    const shot = flow.current.shots[0]!;
    expect(shot.status).toBe('done');
    expect(shot.photo!.url).toBe(`/api/v1/photos/${shot.photo!.id}`);
    expect(drafts.map.get(customer.id)!.photos).toEqual([shot.photo]);

    // The watermarked copy comes back through the platform download with the JWT (an object URL on H5).
    const loader = createPhotoLoader({
      origin: h.baseUrl,
      token: async () => (await client.ensureSession()).token,
      refresh: async () => (await client.ensureSession()).token,
      download: (r) => h5Platform.download(r),
    });
    const objectUrl = await loader.load(shot.photo!.url);
    expect(await loader.load(shot.photo!.url)).toBe(objectUrl);
    const served = Buffer.from(await resolveObjectURL(objectUrl)!.arrayBuffer());
    const meta = await sharp(served).metadata();
    expect(meta.format).toBe('jpeg');
    expect(served.equals(jpegs[0]!)).toBe(false);

    h.clock.advance(3 * 60_000);
    await flow.finish({ notes: '见到采购经理，约下周报价', feedback: '对新品感兴趣' });
    expect(flow.current.phase).toBe('finished');
    expect(flow.current.visit).toMatchObject({ status: 'finished', verdict: 'verified', dwellS: 180, notes: '见到采购经理，约下周报价', feedback: '对新品感兴趣' });
    expect(flow.current.visit!.photos!.map((p) => p.id)).toEqual([shot.photo!.id]);
    expect(drafts.map.has(customer.id)).toBe(false);
    expect(phases).toEqual(['locating', 'checking-in', 'open', 'finishing', 'finished']);
    expect(await countRows('visits', customer.id)).toBe(before + 1);
  });

  it('shows a check-in from 5 km away as rejected with the distance, and keeps nothing open', async () => {
    const { api } = setup();
    const drafts = memoryDrafts();
    const far = { lat: customer.lat + 0.045, lng: customer.lng };
    const flow = new VisitFlow(customer.id, { visits: api.visits, phone: phone(far), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    await flow.checkIn();
    expect(flow.current.phase).toBe('rejected');
    const out = flow.current.rejection!.reasons.find((r) => r.code === 'OUT_OF_RANGE')!;
    expect(out.message).toMatch(/^定位距离客户约 [\d,]+ 米，超出允许的 300 米（已计入 \d+(\.\d)? 米定位误差）；请到客户现场后重新签到。$/);
    expect(flow.current.rejection!.message).toContain('签到未通过：');
    expect(drafts.map.has(customer.id)).toBe(false);
    flow.reset();
    expect(flow.current.phase).toBe('ready');
  });

  it('resends a check-in whose answer was lost with the same key, so the server records one visit', async () => {
    const { api } = setup();
    const drafts = memoryDrafts();
    const flow = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    const before = await countRows('visits', customer.id);
    lose.path = '/api/v1/visits';
    lose.times = 1;
    await flow.checkIn();
    expect(flow.current).toMatchObject({ phase: 'ready', unconfirmed: true, error: '网络不稳定，签到结果未确认；请点「重新签到」，同一次签到不会重复记录' });
    expect(await countRows('visits', customer.id)).toBe(before + 1);
    const pending = drafts.map.get(customer.id)!.pending!;

    // A reload in between: the new page finds the unanswered check-in and resends it unchanged.
    const again = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    await again.resume();
    expect(again.current.unconfirmed).toBe(true);
    await again.checkIn();
    expect(again.current.phase).toBe('open');
    expect(again.current.fixes).toEqual([]);
    expect(await countRows('visits', customer.id)).toBe(before + 1);
    const row = await h.db.selectFrom('visits').select(['id', 'nonce']).where('id', '=', again.current.visit!.id).executeTakeFirstOrThrow();
    expect(row.nonce).toBe(pending.body.nonce);
    h.clock.advance(3 * 60_000);
    await again.finish({});
    expect(again.current.phase).toBe('finished');
  });

  it('resumes an open visit after a reload, adopts a photo whose answer was lost instead of uploading it twice, and explains a short stay', async () => {
    const { api } = setup();
    const drafts = memoryDrafts();
    const shots = [jpegs[1]!];
    const first = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer, shots), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    await first.checkIn();
    const visitId = first.current.visit!.id;

    const page = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer, shots), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    await page.resume();
    expect(page.current.phase).toBe('open');
    expect(page.current.visit!.id).toBe(visitId);

    loseUpload.times = 1;
    await page.takePhoto();
    expect(page.current.shots).toMatchObject([{ status: 'failed', error: '网络不稳定，照片可能没有上传成功，请点「重试」' }]);
    await page.retryPhoto(page.current.shots[0]!.id);
    expect(page.current.shots[0]!.status).toBe('done');
    const photos = await h.db.selectFrom('visit_photos').select('id').where('visit_id', '=', visitId).execute();
    expect(photos.map((p) => p.id)).toEqual([page.current.shots[0]!.photo!.id]);

    h.clock.advance(40_000);
    await page.finish({ notes: '门店关门，只拍了门头' });
    expect(page.current.phase).toBe('finished');
    expect(page.current.visit!.verdict).toBe('suspect');
    expect(page.current.visit!.risk.reasons.map((r) => [r.code, r.message])).toEqual([
      ['SHORT_DWELL', '本次拜访只停留了 40 秒，少于要求的 120 秒；拜访记录将交由主管复核。'],
    ]);
  });

  it('after a finish whose answer was lost, shows the finished visit the server has instead of an error', async () => {
    const { api } = setup();
    const drafts = memoryDrafts();
    const flow = new VisitFlow(customer.id, { visits: api.visits, phone: phone(customer), drafts, sleep: async () => undefined, now: () => h.clock.now() });
    await flow.checkIn();
    h.clock.advance(5 * 60_000);
    lose.path = `/api/v1/visits/${flow.current.visit!.id}/finish`;
    lose.times = 1;
    await flow.finish({ feedback: '满意' });
    expect(flow.current).toMatchObject({ phase: 'open', error: '网络不稳定，拜访还没有结束；请再点一次「完成拜访」' });
    await flow.finish({ feedback: '满意' });
    expect(flow.current.phase).toBe('finished');
    expect(flow.current.visit).toMatchObject({ status: 'finished', feedback: '满意', dwellS: 300, verdict: 'suspect' });
    expect(flow.current.visit!.risk.reasons.map((r) => r.code)).toEqual(['TOO_FEW_PHOTOS']);
  });
});
