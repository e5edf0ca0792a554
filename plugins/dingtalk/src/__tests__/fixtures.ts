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
