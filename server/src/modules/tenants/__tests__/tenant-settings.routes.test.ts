import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { findTenantById } from '../tenants.repository';

const T = 'demo-dingtalk';

describe.each(dialects)('GET|PUT /api/v1/admin/settings on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await h.tokenFor(T, 'admin01');
    manager = await h.tokenFor(T, 'mgr-east');
  });
  afterAll(() => h.close());

  it('shows the departure policy and the appeal window, defaults filled in', async () => {
    const res = await h.request('GET', '/api/v1/admin/settings', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ settings: { departurePolicy: 'pool', appealDays: 3 } });
  });

  it('lets an admin set them, keeping every other setting as stored', async () => {
    const before = (await findTenantById(h.db, T))!.settings;
    const res = await h.request('PUT', '/api/v1/admin/settings', { token: admin, body: { departurePolicy: 'successor', appealDays: 5 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ settings: { departurePolicy: 'successor', appealDays: 5 } });
    const after = (await findTenantById(h.db, T))!.settings;
    expect(after).toEqual({ ...before, departurePolicy: 'successor', appealDays: 5 });
    expect((await h.request('PUT', '/api/v1/admin/settings', { token: admin, body: { appealDays: 2 } })).body).toEqual({ settings: { departurePolicy: 'successor', appealDays: 2 } });
  });

  it('refuses a manager (403), an unknown policy, a window out of range and an empty change (400)', async () => {
    const refused = await h.request('PUT', '/api/v1/admin/settings', { token: manager, body: { appealDays: 7 } });
    expect(refused.status).toBe(403);
    expect((await h.request('GET', '/api/v1/admin/settings', { token: manager })).status).toBe(403);
    for (const body of [{ departurePolicy: 'hr' }, { appealDays: 0 }, { appealDays: 31 }, { appealDays: 1.5 }, {}]) {
      const res = await h.request('PUT', '/api/v1/admin/settings', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await findTenantById(h.db, T))!.settings).toMatchObject({ departurePolicy: 'successor', appealDays: 2 });
  });
});
