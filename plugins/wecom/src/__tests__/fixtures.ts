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
