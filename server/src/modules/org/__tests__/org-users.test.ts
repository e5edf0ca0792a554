import { dialects } from '../../../../test/databases';
import { startHarness, type Harness } from '../../../../test/harness';
import { DAY_MS, localDate } from '../../../time';

const T = 'demo-dingtalk';
const reps = Array.from({ length: 16 }, (_, i) => `rep${String(i + 1).padStart(2, '0')}`);

describe.each(dialects)('GET /api/v1/org/users on %s', (dialect) => {
  let h: Harness;
  let hr: string;

  beforeAll(async () => {
    h = await startHarness(dialect);
    hr = await h.tokenFor(T, 'hr01');
  });
  afterAll(() => h.close());

  const list = async (token: string, query = '') => {
    const res = await h.request('GET', `/api/v1/org/users${query}`, { token });
    expect(res.status).toBe(200);
    return res.body.items as { id: string; name: string; departments: string[]; hiredDate: string | null; active: boolean; roles: string[]; owned: number }[];
  };
  const hired = (daysAgo: number) => localDate(h.clock.now() - daysAgo * DAY_MS, 'Asia/Shanghai');

  it('lists newest hires first for HR with recent=1, each with departments, hire date, roles and owned customers', async () => {
    const items = await list(hr, '?recent=1');
    // newhire01 joined 2 days ago, rep01…rep16 400 + 17·i days ago, then hr01, mgr-south, mgr-east, admin01.
    expect(items.map((u) => u.id)).toEqual(['newhire01', ...reps, 'hr01', 'mgr-south', 'mgr-east', 'admin01']);
    expect(items[0]).toEqual({ id: 'newhire01', name: '新人小白', departments: ['上海一组'], hiredDate: hired(2), active: true, roles: ['rep'], owned: 0 });
    expect(items[1]).toEqual({ id: 'rep01', name: '张伟', departments: ['上海一组'], hiredDate: hired(400), active: true, roles: ['rep'], owned: 40 });
    expect(items.find((u) => u.id === 'mgr-east')).toEqual({ id: 'mgr-east', name: '钱东', departments: ['华东'], hiredDate: hired(1200), active: true, roles: ['manager'], owned: 0 });
    expect(items.find((u) => u.id === 'hr01')).toEqual({ id: 'hr01', name: '何人', departments: ['人力资源部'], hiredDate: hired(900), active: true, roles: ['hr'], owned: 0 });
    expect(items.filter((u) => u.id.startsWith('rep')).map((u) => u.owned)).toEqual(reps.map(() => 40));
  });

  it('orders by id without recent, and limit cuts the list', async () => {
    expect((await list(hr)).map((u) => u.id)).toEqual(['admin01', 'hr01', 'mgr-east', 'mgr-south', 'newhire01', ...reps]);
    expect((await list(hr, '?recent=1&limit=3')).map((u) => u.id)).toEqual(['newhire01', 'rep01', 'rep02']);
  });

  it('searches name or id, with LIKE wildcards taken literally', async () => {
    expect((await list(hr, `?q=${encodeURIComponent('小白')}`)).map((u) => u.id)).toEqual(['newhire01']);
    expect((await list(hr, '?q=REP1')).map((u) => u.id)).toEqual(['rep10', 'rep11', 'rep12', 'rep13', 'rep14', 'rep15', 'rep16']);
    expect((await list(hr, `?q=${encodeURIComponent('%')}`)).map((u) => u.id)).toEqual([]);
    expect((await list(hr, '?q=_')).map((u) => u.id)).toEqual([]);
    expect((await list(hr, '?q=mgr-')).map((u) => u.id)).toEqual(['mgr-east', 'mgr-south']);
  });

  it('shows leavers as inactive and counts only customers owned now', async () => {
    await h.db.updateTable('users').set({ active: 0 }).where('tenant_id', '=', T).where('id', '=', 'rep16').execute();
    const one = await h.db.selectFrom('customers').select('id').where('tenant_id', '=', T).where('owner_id', '=', 'rep02').orderBy('id').limit(1).executeTakeFirstOrThrow();
    await h.db.updateTable('customers').set({ status: 'pool', owner_id: null }).where('tenant_id', '=', T).where('id', '=', one.id).execute();
    const items = await list(hr, '?q=rep');
    expect(items.find((u) => u.id === 'rep16')!.active).toBe(false);
    expect(items.find((u) => u.id === 'rep02')!.owned).toBe(39);
    expect(items.find((u) => u.id === 'rep03')!.owned).toBe(40);
  });

  it('stays inside the caller’s tenant', async () => {
    await h.db.updateTable('users').set({ name: '企微新人' }).where('tenant_id', '=', 'demo-wecom').where('id', '=', 'newhire01').execute();
    expect((await list(hr, `?q=${encodeURIComponent('新人')}`)).map((u) => u.name)).toEqual(['新人小白']);
    const wecomHr = await h.tokenFor('demo-wecom', 'hr01');
    expect((await list(wecomHr, `?q=${encodeURIComponent('新人')}`)).map((u) => u.name)).toEqual(['企微新人']);
  });

  it('shows a manager only the subtrees they lead', async () => {
    const east = await list(await h.tokenFor(T, 'mgr-east'), '?recent=1');
    expect(east.map((u) => u.id)).toEqual(['newhire01', 'rep01', 'rep02', 'rep03', 'rep04', 'rep05', 'rep06', 'rep07', 'rep08', 'mgr-east']);
    const south = await list(await h.tokenFor(T, 'mgr-south'));
    expect(south.map((u) => u.id)).toEqual(['mgr-south', 'rep09', 'rep10', 'rep11', 'rep12', 'rep13', 'rep14', 'rep15', 'rep16']);
    // A manager who leads nothing sees nobody (roles are the database's, not the token's).
    const setRoles = async (roles: string) => {
      await h.db.updateTable('users').set({ roles }).where('tenant_id', '=', T).where('id', '=', 'rep01').execute();
      h.deps.users.invalidate(T, 'rep01');
    };
    await setRoles('manager');
    try {
      expect(await list(await h.tokenFor(T, 'rep01'))).toEqual([]);
    } finally {
      await setRoles('rep');
    }
  });

  it('refuses reps and bad queries with Chinese messages', async () => {
    const rep = await h.request('GET', '/api/v1/org/users', { token: await h.tokenFor(T, 'rep01') });
    expect(rep.status).toBe(403);
    expect(rep.body).toEqual({ error: { code: 'forbidden', message: '没有权限：此操作需要人事或管理员或经理角色。' } });
    const bad = await h.request('GET', '/api/v1/org/users?recent=2&limit=0', { token: hr });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.issues).toEqual([
      { path: 'recent', message: "recent 只能是 '1'（新人在前）或 '0'" },
      { path: 'limit', message: 'limit 至少为 1' },
    ]);
    expect((await h.request('GET', '/api/v1/org/users')).status).toBe(401);
  });
});
