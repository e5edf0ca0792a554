import type { PlatformDepartment, PlatformUser } from '@gonghai/plugin-core';
import { startDingTalk, type DingTalkHarness } from './harness';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('DingTalk directory', () => {
  let dingtalk: DingTalkHarness;

  beforeEach(async () => {
    dingtalk = await startDingTalk();
  });

  afterEach(async () => {
    await dingtalk.close();
  });

  it('walks the department tree breadth first from the root, parents before children', async () => {
    const departments = await collect(dingtalk.adapter().directory.departments());

    expect(departments).toEqual<PlatformDepartment[]>([
      { id: '1', name: '海川贸易', parentId: null },
      { id: '20', name: '华东大区', parentId: '1' },
      { id: '30', name: '华南大区', parentId: '1' },
      { id: '21', name: '上海', parentId: '20' },
      { id: '22', name: '杭州', parentId: '20' },
      { id: '211', name: '浦东组', parentId: '21' },
    ]);
    expect(dingtalk.sandbox.callCount('/topapi/v2/department/listsub')).toBe(6);
  });

  it('pages a department’s own members with next_cursor and returns exactly the fixture', async () => {
    const users = await collect(dingtalk.adapter({}, { directoryPageSize: 3 }).directory.users('21'));

    expect(users).toEqual<PlatformUser[]>([
      {
        userId: 'mgr0211',
        name: '赵磊',
        departmentIds: ['21'],
        leaderOf: ['21'],
        managerUserId: 'mgr0201',
        mobile: '13900000211',
        title: '经理',
        hiredDate: '2019-11-30',
      },
      {
        userId: 'rep0733',
        name: '李娜',
        departmentIds: ['21', '22'],
        leaderOf: [],
        // No manager in the fixture: the leader of the first department.
        managerUserId: 'mgr0211',
        mobile: '13900000733',
        title: '销售代表',
        hiredDate: '2024-03-01',
      },
      {
        userId: 'rep0734',
        name: '孙悦',
        departmentIds: ['21'],
        leaderOf: [],
        managerUserId: 'mgr0211',
        mobile: '13900000734',
        title: '销售代表',
        // Midnight in Shanghai is still 2024-12-31 in UTC: the date is read in the tenant's zone.
        hiredDate: '2025-01-01',
      },
      {
        userId: 'rep0735',
        name: '周杰',
        departmentIds: ['21'],
        leaderOf: [],
        managerUserId: 'mgr0211',
        mobile: '13900000735',
        title: '销售代表',
        hiredDate: '2024-07-08',
      },
    ]);
    expect(dingtalk.sandbox.callCount('/topapi/v2/user/list')).toBe(2);
    expect(dingtalk.sandbox.callCount('/topapi/v2/user/get')).toBe(4);
  });

  it('lists every fixture member across the whole tree', async () => {
    const adapter = dingtalk.adapter();
    const seen = new Map<string, PlatformUser>();
    for await (const department of adapter.directory.departments()) {
      for await (const user of adapter.directory.users(department.id)) seen.set(user.userId, user);
    }

    expect([...seen.keys()].sort()).toEqual(dingtalk.fixture.users.map((user) => user.userId).sort());
    expect(seen.get('boss0001')).toMatchObject({ leaderOf: ['1'], managerUserId: null, departmentIds: ['1'] });
    expect(seen.get('mgr0201')).toMatchObject({ leaderOf: ['20'], managerUserId: 'boss0001' });
  });

  it('answers one user, and null for someone DingTalk does not know (60121)', async () => {
    const adapter = dingtalk.adapter();

    await expect(adapter.directory.user('rep0811')).resolves.toEqual({
      userId: 'rep0811',
      name: '吴敏',
      departmentIds: ['30'],
      leaderOf: [],
      managerUserId: null,
      mobile: '13900000811',
      title: '销售代表',
      hiredDate: '2023-02-28',
    });
    await expect(adapter.directory.user('ghost')).resolves.toBeNull();
  });

  it('maps a missing department (60003) to NOT_FOUND and a non-numeric id to INVALID_ARGUMENT', async () => {
    const adapter = dingtalk.adapter();

    await expect(collect(adapter.directory.users('404'))).rejects.toMatchObject({ code: 'NOT_FOUND', vendorCode: 60003 });
    await expect(collect(adapter.directory.users('east'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refreshes an expired token once and retries the call', async () => {
    const adapter = dingtalk.adapter();
    await adapter.directory.user('rep0733');
    await expect(dingtalk.control('POST', 'tokens/expire')).resolves.toEqual({ status: 200, body: { expired: 1 } });

    await expect(collect(adapter.directory.departments())).resolves.toHaveLength(6);

    expect(dingtalk.sandbox.callCount('/gettoken')).toBe(2);
    // The first department/get met the expired token and was retried once with the fresh one.
    expect(dingtalk.sandbox.callCount('/topapi/v2/department/get')).toBe(2);
  });

  it('shares one token request among 20 concurrent directory calls', async () => {
    const adapter = dingtalk.adapter();
    const ids = ['boss0001', 'mgr0201', 'mgr0211', 'rep0733', 'rep0734'];

    const users = await Promise.all(Array.from({ length: 20 }, (_, index) => adapter.directory.user(ids[index % ids.length]!)));

    expect(users.map((user) => user?.userId)).toEqual(Array.from({ length: 20 }, (_, index) => ids[index % ids.length]));
    expect(dingtalk.sandbox.callCount('/gettoken')).toBe(1);
    expect(dingtalk.sandbox.callCount('/topapi/v2/user/get')).toBe(20);
  });

  it('paces user/get to 20 a second instead of meeting 90018', async () => {
    const adapter = dingtalk.adapter();

    await Promise.all(Array.from({ length: 45 }, () => adapter.directory.user('rep0733')));

    expect(dingtalk.sandbox.callCount('/topapi/v2/user/get')).toBe(45);
    expect(dingtalk.sleeps).toEqual([1000, 1000]);
  });

  it('maps a rate limit, retries busy answers and gives up on outages as UNAVAILABLE', async () => {
    const adapter = dingtalk.adapter();
    await adapter.directory.user('rep0733');

    dingtalk.sandbox.injectFault({ path: '/topapi/v2/user/get', times: 1, errcode: 90018 });
    await expect(adapter.directory.user('rep0733')).rejects.toMatchObject({ code: 'RATE_LIMITED', vendorCode: 90018 });
    dingtalk.sandbox.injectFault({ path: '/topapi/v2/department/listsub', times: 2, errcode: -1 });
    await expect(collect(adapter.directory.departments())).resolves.toHaveLength(6);
    dingtalk.sandbox.injectFault({ path: '/topapi/v2/user/list', times: 3, status: 502 });
    await expect(collect(adapter.directory.users('21'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
