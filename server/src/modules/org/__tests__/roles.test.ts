import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { syncTenantOrg } from '../org-sync.service';

const T = 'demo-dingtalk';
const reps = Array.from({ length: 16 }, (_, i) => `rep${String(i + 1).padStart(2, '0')}`);

describe.each(dialects)('admin users and roles on %s', (dialect) => {
  let h: Harness;
  let admin: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await h.tokenFor(T, 'admin01');
  });
  afterAll(() => h.close());

  const rolesIn = async (tenantId: string, userId: string) =>
    (await h.db.selectFrom('users').select('roles').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirstOrThrow()).roles;
  /** Sets roles straight in the database (test setup), and makes this process read them again. */
  const setRoles = async (tenantId: string, userId: string, roles: string) => {
    await h.db.updateTable('users').set({ roles }).where('tenant_id', '=', tenantId).where('id', '=', userId).execute();
    h.deps.users.invalidate(tenantId, userId);
  };
  const putRoles = (token: string, userId: string, roles: unknown) => h.request('PUT', `/api/v1/admin/users/${userId}/roles`, { token, body: { roles } });
  const list = async (query: string) => {
    const res = await h.request('GET', `/api/v1/admin/users${query}`, { token: admin });
    expect(res.status).toBe(200);
    return res.body as { total: number; items: { id: string; name: string; active: boolean; roles: string[]; departments: string[] }[] };
  };

  it('lists the tenant’s users by id, a page at a time, searching name or id and filtering by role', async () => {
    const all = await list('?q=&role=');
    expect(all.total).toBe(21);
    expect(all.items.map((u) => u.id)).toEqual(['admin01', 'hr01', 'mgr-east', 'mgr-south', 'newhire01', ...reps]);
    expect(all.items[0]).toEqual({ id: 'admin01', name: '严管', active: true, roles: ['admin'], departments: ['信息部'] });
    expect(await list('?limit=2&offset=2')).toEqual({
      total: 21,
      items: [
        { id: 'mgr-east', name: '钱东', active: true, roles: ['manager'], departments: ['华东'] },
        { id: 'mgr-south', name: '林南', active: true, roles: ['manager'], departments: ['华南'] },
      ],
    });
    expect((await list('?role=manager')).items.map((u) => u.id)).toEqual(['mgr-east', 'mgr-south']);
    expect(await list('?q=REP1&role=rep&limit=3')).toMatchObject({ total: 7, items: [{ id: 'rep10' }, { id: 'rep11' }, { id: 'rep12' }] });
    expect((await list(`?q=${encodeURIComponent('严')}&role=hr`)).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('%')}`)).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('新人')}`)).items.map((u) => u.id)).toEqual(['newhire01']);
    const bad = await h.request('GET', '/api/v1/admin/users?role=boss', { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });

  it('refuses reps and managers (403), an unknown user (404) and a roles list that is empty, unknown or repeated (400)', async () => {
    for (const id of ['rep01', 'mgr-east', 'hr01']) {
      const token = await h.tokenFor(T, id);
      const listed = await h.request('GET', '/api/v1/admin/users', { token });
      expect(listed.status).toBe(403);
      expect(listed.body).toEqual({ error: { code: 'forbidden', message: '没有权限：此操作需要管理员角色。' } });
      expect((await putRoles(token, 'rep02', ['admin'])).status).toBe(403);
    }
    expect(await rolesIn(T, 'rep02')).toBe('rep');
    const unknown = await putRoles(admin, 'nobody', ['rep']);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: '员工不存在，或你无权查看。' } });
    for (const roles of [[], ['boss'], ['rep', 'rep'], 'admin', undefined]) {
      const res = await putRoles(admin, 'rep02', roles);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect(await rolesIn(T, 'rep02')).toBe('rep');
    expect(await h.db.selectFrom('role_changes').selectAll().execute()).toEqual([]);
  });

  it('gives a rep the admin routes on their very next request, audits who, when, before and after, and takes them back', async () => {
    const rep = await h.tokenFor(T, 'rep03');
    // Remembered by this process as a rep before the change.
    expect((await h.request('GET', '/api/v1/admin/users', { token: rep })).status).toBe(403);

    const granted = await putRoles(admin, 'rep03', ['admin', 'rep']);
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ user: { id: 'rep03', name: '李娜', active: true, roles: ['rep', 'admin'], departments: ['上海一组'] } });
    expect((await h.request('GET', '/api/v1/admin/users?role=admin', { token: rep })).body.items.map((u: { id: string }) => u.id)).toEqual(['admin01', 'rep03']);

    h.clock.advance(60_000);
    // The new admin takes their own admin role back; the token is the same, the roles are the database's.
    expect((await putRoles(rep, 'rep03', ['rep'])).status).toBe(200);
    expect((await h.request('GET', '/api/v1/admin/users', { token: rep })).status).toBe(403);
    // Setting the roles a user already has changes nothing and writes no audit row.
    expect((await putRoles(admin, 'rep03', ['rep'])).body.user.roles).toEqual(['rep']);

    const audit = await h.db.selectFrom('role_changes').select(['tenant_id', 'user_id', 'actor_id', 'before_roles', 'after_roles', 'changed_at']).orderBy('id').execute();
    expect(audit.map((r) => ({ ...r, changed_at: Number(r.changed_at) }))).toEqual([
      { tenant_id: T, user_id: 'rep03', actor_id: 'admin01', before_roles: 'rep', after_roles: 'rep,admin', changed_at: h.clock.now() - 60_000 },
      { tenant_id: T, user_id: 'rep03', actor_id: 'rep03', before_roles: 'rep,admin', after_roles: 'rep', changed_at: h.clock.now() },
    ]);
  });

  it('refuses to take admin from the last active admin (422 last_admin); a departed admin does not count', async () => {
    // demo-wecom's admin01 is an admin too: another tenant's admins do not count.
    const refused = await putRoles(admin, 'admin01', ['rep']);
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      error: {
        code: 'last_admin',
        message: '不能取消这位同事的管理员角色：他是公司最后一位在职的管理员，取消后就没有人能管理公海了。请先给另一位同事授予管理员角色，再修改这位。',
      },
    });
    expect(await rolesIn(T, 'admin01')).toBe('admin');

    // An admin who left is no second admin.
    await setRoles(T, 'rep16', 'rep,admin');
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep16').execute();
    try {
      expect((await putRoles(admin, 'admin01', ['rep'])).status).toBe(422);
    } finally {
      await h.db.updateTable('users').set({ active: 1 }).where('tenant_id', '=', T).where('id', '=', 'rep16').execute();
      await setRoles(T, 'rep16', 'rep');
    }
    expect((await putRoles(admin, 'admin01', ['hr'])).body.error.code).toBe('last_admin');
  });

  it('lets exactly one of two admins demoting each other at once succeed', async () => {
    const east = await h.tokenFor(T, 'mgr-east');
    for (let round = 0; round < 5; round++) {
      await setRoles(T, 'admin01', 'admin');
      await setRoles(T, 'mgr-east', 'manager,admin');
      const answers = await Promise.all([putRoles(admin, 'mgr-east', ['manager']), putRoles(east, 'admin01', ['rep'])]);
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      // The loser was refused as the last admin, or (arriving after the winner's commit) no longer an admin at all.
      expect(statuses.filter((s) => s === 422 || s === 403)).toHaveLength(1);
      const admins = await h.db.selectFrom('users').select('id').where('tenant_id', '=', T).where('roles', 'like', '%admin%').execute();
      expect(admins).toHaveLength(1);
    }
    await setRoles(T, 'admin01', 'admin');
    await setRoles(T, 'mgr-east', 'manager');
  });

  it('makes a DingTalk platform admin an admin at the org sync, and keeps roles an admin set by hand', async () => {
    // The platform's contact event for a new admin: the event path syncs them.
    const added = await h.control('dingtalk', 'POST', 'org/users', { userId: 'boss01', name: '老板', departmentIds: [1], admin: true });
    expect(added).toMatchObject({ status: 200, body: { delivered: true } });
    expect(await rolesIn(T, 'boss01')).toBe('admin');
    // A full sync keeps them admin; the demo's own admin is one on the platform too.
    await syncTenantOrg(h.deps, T);
    expect(await rolesIn(T, 'boss01')).toBe('admin');
    expect(await rolesIn(T, 'admin01')).toBe('admin');

    // Set by hand: the sync no longer touches them, whatever the platform says.
    expect((await putRoles(admin, 'boss01', ['manager'])).status).toBe(200);
    expect((await putRoles(admin, 'rep05', ['rep', 'hr'])).status).toBe(200);
    await syncTenantOrg(h.deps, T);
    expect(await rolesIn(T, 'boss01')).toBe('manager');
    expect(await rolesIn(T, 'rep05')).toBe('rep,hr');
    expect(await rolesIn(T, 'rep06')).toBe('rep');
  });

  it('makes the first admins `tenant add --admin` named (WeCom) admins at the org sync', async () => {
    const W = 'demo-wecom';
    const row = await h.db.selectFrom('tenants').select('settings').where('id', '=', W).executeTakeFirstOrThrow();
    await h.db.updateTable('tenants').set({ settings: JSON.stringify({ ...JSON.parse(row.settings), firstAdmins: ['rep07'] }) }).where('id', '=', W).execute();
    expect(await rolesIn(W, 'rep07')).toBe('rep');
    await syncTenantOrg(h.deps, W);
    expect(await rolesIn(W, 'rep07')).toBe('admin');
    expect(await rolesIn(W, 'rep08')).toBe('rep');
    const token = await h.tokenFor(W, 'rep07');
    expect((await h.request('GET', '/api/v1/admin/users?role=admin', { token })).body.items.map((u: { id: string }) => u.id)).toEqual(['admin01', 'rep07']);
  });
});
