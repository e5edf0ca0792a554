import ExcelJS from 'exceljs';
import { dialects } from '../../../../server/test/databases';
import { startHarness, type Harness } from '../../../../server/test/harness';
import type { DocumentRequest, DocumentResult, LoginCode } from '../../platform/platform';
import { createApi, exportFilename } from '../api';
import type { LoginResult } from '../api-types';
import { ApiError, NetworkError } from '../errors';
import { ApiClient } from '../request';

/** What a saved document looked like: the request the platform got, and the bytes of a 2xx answer. */
interface Saved {
  request: DocumentRequest;
  status: number;
  bytes: Buffer | null;
}

/** The platform's saveDocument as h5.ts does it, keeping the file instead of clicking a download link. */
function savingPlatform(saved: Saved[]) {
  return async (request: DocumentRequest): Promise<DocumentResult> => {
    const res = await fetch(request.url, { headers: request.headers });
    if (!res.ok) {
      saved.push({ request, status: res.status, bytes: null });
      return { status: res.status, body: await res.text() };
    }
    saved.push({ request, status: res.status, bytes: Buffer.from(await res.arrayBuffer()) });
    return { status: res.status, body: '' };
  };
}

async function sheetRows(file: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe.each(dialects)('导出 Excel through the client against the real server (%s)', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(() => h.close());

  /** A client signed in with `token`; a silent re-login gets a fresh code for `userId` from the DingTalk sandbox. */
  function clientWith(token: string, userId: string, saveDocument: (r: DocumentRequest) => Promise<DocumentResult>) {
    const logins: string[] = [];
    const session = { token, expiresIn: 3600, user: {} as never, tenant: {} as never } as unknown as LoginResult;
    let stored: LoginResult | null = session;
    const client = new ApiClient({
      origin: h.baseUrl,
      // Only the silent re-login's POST /api/v1/auth/login goes through the transport.
      transport: async ({ method, url, headers, body }) => {
        const res = await fetch(url, { method, headers, body });
        return { status: res.status, body: await res.text() };
      },
      store: { load: () => stored, save: (s) => (stored = s) },
      loginCode: async (): Promise<LoginCode> => {
        const res = await fetch(`${h.baseUrl}/sandbox/dingtalk/_control/login-code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ corpId: 'dingdemo', userId }),
        });
        const { code } = (await res.json()) as { code: string };
        logins.push(code);
        return { platform: 'dingtalk', corpId: 'dingdemo', code, channel: 'miniprogram' };
      },
      upload: async () => {
        throw new Error('not used');
      },
      saveDocument,
      sleep: async () => undefined,
    });
    return { api: createApi(client), logins };
  }

  it('saves the chosen pool and status as 客户导出-<local date>.xlsx with the JWT, holding the customers and their status and owner', async () => {
    const token = await h.tokenFor('demo-dingtalk', 'admin01');
    const saved: Saved[] = [];
    const { api } = clientWith(token, 'admin01', savingPlatform(saved));
    const east = await h.db.selectFrom('pools').select('id').where('tenant_id', '=', 'demo-dingtalk').where('name', '=', '华东公海').executeTakeFirstOrThrow();

    await api.admin.exportCustomers({ poolId: east.id, status: 'owned' }, new Date(2026, 11, 7, 23, 30));
    expect(saved).toHaveLength(1);
    expect(saved[0]!.request).toEqual({
      url: `${h.baseUrl}/api/v1/admin/customers/export.xlsx?poolId=${east.id}&status=owned`,
      headers: { authorization: `Bearer ${token}` },
      filename: '客户导出-2026-12-07.xlsx',
      fileType: 'xlsx',
    });
    const rows = await sheetRows(saved[0]!.bytes!);
    expect(rows[0]!.slice(10, 13)).toEqual(['负责人', '状态', '负责人姓名']);
    const owned = await h.db
      .selectFrom('customers')
      .leftJoin('users', (j) => j.onRef('users.id', '=', 'customers.owner_id').onRef('users.tenant_id', '=', 'customers.tenant_id'))
      .select(['customers.name', 'customers.owner_id', 'users.name as ownerName'])
      .where('customers.tenant_id', '=', 'demo-dingtalk')
      .where('customers.pool_id', '=', east.id)
      .where('customers.status', '=', 'owned')
      .orderBy('customers.id')
      .execute();
    expect(owned.length).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => [r[0], r[10], r[11], r[12]])).toEqual(owned.map((c) => [c.name, c.owner_id, '已领取', c.ownerName]));

    // No filter: every customer of the tenant, the pool ones marked 公海 without an owner.
    await api.admin.exportCustomers({}, new Date(2026, 0, 5));
    expect(saved[1]!.request.url).toBe(`${h.baseUrl}/api/v1/admin/customers/export.xlsx`);
    expect(saved[1]!.request.filename).toBe('客户导出-2026-01-05.xlsx');
    const all = await sheetRows(saved[1]!.bytes!);
    const count = await h.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', 'demo-dingtalk').executeTakeFirstOrThrow();
    expect(all.length - 1).toBe(Number(count.n));
    // An empty cell reads back as nothing.
    const inPool = all.slice(1).filter((r) => r[11] === '公海');
    expect(inPool.length).toBeGreaterThan(0);
    expect(inPool.map((r) => [r[10] ?? '', r[12] ?? ''])).toEqual(inPool.map(() => ['', '']));
  });

  it('logs in again once when the token has expired, then saves', async () => {
    const saved: Saved[] = [];
    const { api, logins } = clientWith('expired-token', 'admin01', savingPlatform(saved));
    await api.admin.exportCustomers({ status: 'pool' });
    expect(logins).toHaveLength(1);
    expect(saved.map((s) => s.status)).toEqual([401, 200]);
    expect(saved[1]!.request.headers.authorization).not.toBe('Bearer expired-token');
    expect((await sheetRows(saved[1]!.bytes!)).slice(1).every((r) => r[11] === '公海')).toBe(true);
  });

  it('shows a rep the server\'s refusal, and a missing answer as a network failure', async () => {
    const repToken = await h.tokenFor('demo-dingtalk', 'rep01');
    const saved: Saved[] = [];
    const { api } = clientWith(repToken, 'rep01', savingPlatform(saved));
    const refused = await api.admin.exportCustomers({}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, code: 'forbidden' });
    expect((refused as ApiError).message).toMatch(/[\u4e00-\u9fa5]/);
    expect(saved.map((s) => s.status)).toEqual([403]);

    const offline = clientWith(repToken, 'rep01', async () => ({ status: 0, body: '' }));
    await expect(offline.api.admin.exportCustomers({})).rejects.toBeInstanceOf(NetworkError);
  });

  it('names the file by the device\'s local date', () => {
    expect(exportFilename(new Date(2026, 8, 3, 0, 5))).toBe('客户导出-2026-09-03.xlsx');
  });
});
