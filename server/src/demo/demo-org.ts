import { demoDepartments, demoTenants, demoUsers } from '@gonghai/config';
import type { OrgFixture } from '@gonghai/plugin-core';
import { localDate, DAY_MS } from '../time';

/**
 * The demo org as each platform's sandbox serves it (DESIGN §12); hire dates are relative to `now`. `serverBaseUrl` is
 * read when the sandbox delivers a callback, so it may be learnt after the server started listening.
 */
export function demoOrgFixtures(
  now: number,
  zone = 'Asia/Shanghai',
  serverBaseUrl?: () => string,
): { dingtalk: OrgFixture[]; wecom: OrgFixture[] } {
  const build = (platform: 'dingtalk' | 'wecom'): OrgFixture[] =>
    demoTenants
      .filter((t) => t.platform === platform)
      .map((t) => ({
        corpId: t.corpId,
        app: { appKey: t.appKey, appSecret: t.appSecret, agentId: t.agentId },
        departments: demoDepartments.map((d) => ({ id: d.id, name: d.name, parentId: d.parentId })),
        users: demoUsers.map((u) => ({
          userId: u.userId,
          name: u.name,
          departmentIds: [...u.departmentIds],
          leaderOf: [...(u.leaderOf ?? [])],
          mobile: u.mobile,
          title: u.title,
          hiredDate: localDate(now - u.hiredDaysAgo * DAY_MS, zone),
          // The demo's admin administers the corp on the platform too (DingTalk says so; WeCom has no such field).
          ...(u.appRoles?.includes('admin') ? { admin: true } : {}),
        })),
        robots: [{ ...t.robot }],
        approvalTemplateIds: [t.approvalTemplateId],
        ...(serverBaseUrl === undefined
          ? {}
          : {
              callback: {
                token: t.callbackToken,
                aesKey: t.callbackAesKey,
                receiverId: t.callbackReceiverId,
                url: () => `${serverBaseUrl()}/callbacks/${platform}/${t.id}`,
              },
            }),
      }));
  return { dingtalk: build('dingtalk'), wecom: build('wecom') };
}
