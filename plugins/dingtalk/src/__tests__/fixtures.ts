import type { OrgFixture } from '@gonghai/plugin-core';

function org(corpId: string, appKey: string, users: [string, string][]): OrgFixture {
  return {
    corpId,
    departments: [{ id: 1, name: '总部', parentId: null }],
    users: users.map(([userId, name]) => ({
      userId,
      name,
      departmentIds: [1],
      leaderOf: [],
      mobile: '13800000000',
      title: '销售',
      hiredDate: '2024-03-01',
    })),
    app: { appKey, appSecret: `${appKey}-secret-7c1e`, agentId: '2831004512' },
  };
}

/** The tenant under test and a stranger corp whose codes it must refuse. */
export const dingTalkFixtures = [
  org('ding5a3c0f9e21b7d4e8', 'dingq8w2e4r6t8y0u2i4', [
    ['manager0419', '张伟'],
    ['rep0733', '李娜'],
  ]),
  org('ding9f1e7d5c3b1a0f2e', 'dingz1x3c5v7b9n1m3k5', [['outsider01', '王芳']]),
] as const satisfies readonly [OrgFixture, OrgFixture];

/** The callback settings of the tree corp's app: the receiver id is the app key, as for an internal app (§5.1). */
export const treeCallback = {
  token: 'gonghaiCallbackToken7f3a',
  aesKey: 'q5Zt8Rk2Wm4Xn7Pv1Ls9Hc3Jd6Gf0Bb2Ny8Ue5Ta4Ko',
  receiverId: 'dingtree0a1b2c3d4e5f',
} as const;

export const signedRobot = { token: 'b7c1f0e2d3a4958675a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2', secret: 'SEC5f0c1e2d3b4a596877a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5' };
export const plainRobot = { token: '0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b' };
export const approvalTemplateId = 'PROC-3F8C1E2A-GONGHAI-ASSIGN';

/**
 * A corp with a department tree three levels deep, leaders and a manager chain, two robots, an approval template and
 * (when given a URL) encrypted callbacks.
 */
export function treeFixture(callbackUrl?: () => string): OrgFixture {
  const user = (userId: string, name: string, departmentIds: number[], leaderOf: number[], hiredDate: string, managerUserId?: string) => ({
    userId,
    name,
    departmentIds,
    leaderOf,
    mobile: `1390000${userId.slice(-4)}`,
    title: leaderOf.length > 0 ? '经理' : '销售代表',
    hiredDate,
    ...(managerUserId === undefined ? {} : { managerUserId }),
  });
  return {
    corpId: 'dingtree7e6d5c4b3a29',
    departments: [
      { id: 1, name: '海川贸易', parentId: null },
      { id: 20, name: '华东大区', parentId: 1 },
      { id: 30, name: '华南大区', parentId: 1 },
      { id: 21, name: '上海', parentId: 20 },
      { id: 22, name: '杭州', parentId: 20 },
      { id: 211, name: '浦东组', parentId: 21 },
    ],
    users: [
      user('boss0001', '王海川', [1], [1], '2015-06-01'),
      user('mgr0201', '陈静', [20], [20], '2018-03-15', 'boss0001'),
      user('mgr0211', '赵磊', [21], [21], '2019-11-30', 'mgr0201'),
      user('rep0733', '李娜', [21, 22], [], '2024-03-01'),
      user('rep0734', '孙悦', [21], [], '2025-01-01'),
      user('rep0735', '周杰', [21], [], '2024-07-08'),
      user('rep0811', '吴敏', [30], [], '2023-02-28'),
    ],
    app: { appKey: treeCallback.receiverId, appSecret: 'tree-secret-91c4', agentId: '3049117702' },
    ...(callbackUrl === undefined ? {} : { callback: { ...treeCallback, url: callbackUrl } }),
    robots: [signedRobot, plainRobot],
    approvalTemplateIds: [approvalTemplateId],
  };
}
