import { startHarness, type Harness } from '../../../../server/test/harness';
import type { UploadRequest } from '../../platform/platform';
import { createApi } from '../api';
import { ApiClient } from '../request';

/** The H5 platform's upload, as in platform/h5.ts: the form's fields, then the file under its name. */
const formUpload = async ({ url, photo, field, headers, filename, fields }: UploadRequest) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields ?? {})) form.append(k, v);
  form.append(field, photo.file!, filename ?? 'photo.jpg');
  const res = await fetch(url, { method: 'POST', headers, body: form });
  return { status: res.status, body: await res.text() };
};

describe('the customer import upload against the real server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h.close());

  it('sends the file with poolId and dryRun and answers the report', async () => {
    const token = await h.tokenFor('demo-dingtalk', 'admin01');
    const uploads: UploadRequest[] = [];
    const client = new ApiClient({
      origin: h.baseUrl,
      transport: async () => ({ status: 500, body: '' }),
      store: { load: () => ({ token, expiresAt: '', user: {} as never, tenant: {} as never }) as never, save: () => undefined },
      loginCode: async () => {
        throw new Error('not used');
      },
      upload: async (r) => {
        uploads.push(r);
        return formUpload(r);
      },
      newKey: () => 'k1',
    });
    const pool = await h.db.selectFrom('pools').select('id').where('tenant_id', '=', 'demo-dingtalk').where('name', '=', '华东公海').executeTakeFirstOrThrow();
    const csv = new Blob(['客户名称,地址,纬度,经度\n上传测试客户,上海市黄浦区,31.21,121.47\n']);
    const report = await createApi(client).admin.importCustomers({ path: '', file: csv }, '客户.csv', pool.id, true);
    expect(report).toEqual({ dryRun: true, rows: 1, created: 1, updated: 0, skipped: 0, geocoded: 0, duplicates: [], errors: [] });
    expect(uploads[0]).toMatchObject({ field: 'file', filename: '客户.csv', fields: { poolId: String(pool.id), dryRun: 'true' } });
  });
});
