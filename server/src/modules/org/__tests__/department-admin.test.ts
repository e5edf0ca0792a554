import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { syncTenantOrg } from '../org-sync.service';

const T = 'demo-dingtalk';

describe.each(dialects)('department region flag on %s', (dialect) => {
  let h: Harness;
  let admin: string;
  let manager: string;
  let rep: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    [admin, manager, rep] = await Promise.all([h.tokenFor(T, 'admin01'), h.tokenFor(T, 'mgr-east'), h.tokenFor(T, 'rep01')]);
  });
  afterAll(() => h.close());

  const put = (id: string, body: unknown, token = admin) => h.request('PUT', `/api/v1/admin/departments/${id}`, { token, body });
  const flag = async (tenantId: string, id: string) =>
    (await h.db.selectFrom('departments').select('is_region').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow()).is_region;

  it('refuses the flag to reps and managers', async () => {
    for (const token of [rep, manager]) {
      const res = await put('22', { region: true }, token);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 403, error: { code: 'forbidden', message: '没有权限：此操作需要管理员角色。' } });
    }
    expect(await flag(T, '22')).toBe(0);
  });

  it('marks a department as a region and back, in this tenant only, and an org sync keeps it', async () => {
    const on = await put('22', { region: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ department: { id: '22', name: '杭州一组', parentId: '2', region: true } });
    expect({ mine: await flag(T, '22'), other: await flag('demo-wecom', '22') }).toEqual({ mine: 1, other: 0 });

    // The flag is ours, not the platform's: a directory sync does not reset it.
    await syncTenantOrg(h.deps, T);
    expect(await flag(T, '22')).toBe(1);

    const off = await put('22', { region: false });
    expect(off.body.department).toEqual({ id: '22', name: '杭州一组', parentId: '2', region: false });
    expect(await flag(T, '22')).toBe(0);
    // Setting what is already set answers the same, not a 404.
    expect((await put('22', { region: false })).body.department.region).toBe(false);
  });

  it('answers 404 for an unknown department and 400 for a body without a boolean region', async () => {
    const missing = await put('no-such', { region: true });
    expect({ status: missing.status, error: missing.body.error }).toEqual({ status: 404, error: { code: 'not_found', message: '部门不存在，或你无权查看。' } });
    for (const body of [{}, { region: 'yes' }, { region: 1 }]) {
      const res = await put('21', body);
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code: 'invalid_request' });
      expect(res.body.error.message).toMatch(/region 必须是 true（设为大区）或 false（取消大区）/);
    }
    expect(await flag(T, '21')).toBe(0);
  });
});
