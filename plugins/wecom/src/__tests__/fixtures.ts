import type { OrgFixture } from '@gonghai/plugin-core';

function org(corpId: string, appSecret: string, users: [string, string][]): OrgFixture {
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
    // WeCom has no app key; the corp id stands in for it, as in the demo tenants.
    app: { appKey: corpId, appSecret, agentId: '1000002' },
  };
}

/** The tenant under test and a stranger corp whose codes it must refuse. */
export const weComFixtures = [
  org('ww4b7e2a9c1d3f5e60', 'Jq0vX3mR8tL2pZ6wK9sB1nC4yD7hF5gA0eU2iO8kT3r', [
    ['ZhangWei', '张伟'],
    ['LiNa', '李娜'],
  ]),
  org('ww8d1f6c3a0e2b4d79', 'Pz4nV7cX1bM9qW3eR6tY2uI8oL5kJ0hG4fD1sA7gH2j', [['outsider01', '王芳']]),
] as const satisfies readonly [OrgFixture, OrgFixture];

/** Callback settings of the org below: WeCom's receiver id is the corp id (wecom-api §6c). */
export const weComCallbackSecrets = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiverId: 'ww4b7e2a9c1d3f5e60',
} as const;

/** A four-department org with leaders, a robot and an approval template; `callbackUrl` is read at delivery time. */
export function weComOrg(callbackUrl?: () => string): OrgFixture {
  const [home] = weComFixtures;
  return {
    corpId: home.corpId,
    departments: [
      { id: 1, name: '总部', parentId: null },
      { id: 2, name: '华东区', parentId: 1 },
      { id: 5, name: '上海一部', parentId: 2 },
      { id: 3, name: '华南区', parentId: 1 },
    ],
    users: [
      { userId: 'ZhangWei', name: '张伟', departmentIds: [1], leaderOf: [1], mobile: '13800000001', title: '总经理', hiredDate: '2019-07-01' },
      { userId: 'LiNa', name: '李娜', departmentIds: [1, 2], leaderOf: [2], mobile: '13800000002', title: '区域经理', hiredDate: '2021-03-15' },
      { userId: 'WangFang', name: '王芳', departmentIds: [5], leaderOf: [], mobile: '13800000003', title: '销售', hiredDate: '2024-03-01', managerUserId: 'LiNa' },
      { userId: 'LiuYang', name: '刘洋', departmentIds: [5], leaderOf: [], mobile: '13800000004', title: '销售', hiredDate: '2025-01-02' },
    ],
    app: home.app,
    ...(callbackUrl === undefined ? {} : { callback: { ...weComCallbackSecrets, url: callbackUrl } }),
    robots: [{ token: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' }],
    approvalTemplateIds: ['3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa'],
  };
}
