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

  it('lists the department tree, parents first, with region flags, active members and leaders; reps and managers get 403', async () => {
    const res = await h.request('GET', '/api/v1/admin/departments', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { id: string }) => d.id)).toEqual(['1', '2', '21', '22', '3', '31', '32', '4', '5']);
    expect(res.body.items.find((d: { id: string }) => d.id === '2')).toEqual({ id: '2', name: '华东', parentId: '1', path: '/1/2/', region: true, memberCount: 1, leaders: ['钱东'] });
    expect(res.body.items.find((d: { id: string }) => d.id === '22')).toEqual({ id: '22', name: '杭州一组', parentId: '2', path: '/1/2/22/', region: false, memberCount: 4, leaders: [] });

    // A leaver is no longer counted.
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep05').execute();
    const after = await h.request('GET', '/api/v1/admin/departments', { token: admin });
    expect(after.body.items.find((d: { id: string }) => d.id === '22').memberCount).toBe(3);
    await h.db.updateTable('users').set({ active: 1 }).where('tenant_id', '=', T).where('id', '=', 'rep05').execute();

    for (const token of [rep, manager]) {
      const refused = await h.request('GET', '/api/v1/admin/departments', { token });
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 403, error: { code: 'forbidden', message: '没有权限：此操作需要管理员角色。' } });
    }
  });

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
