import { describeAuthContract, describePlatformContract, listenOnEphemeralPort, type Clock, type ContractSandbox, type OrgFixture } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createDingTalkAdapter } from '../dingtalk.adapter';
import { createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from '../sandbox';
import { dingTalkFixtures } from './fixtures';

async function startSandbox({ fixtures, clock }: { fixtures: OrgFixture[]; clock: Clock }): Promise<ContractSandbox> {
  const sandbox = createDingTalkSandbox({ fixtures, clock });
  const app = new Koa();
  app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
  const server = await listenOnEphemeralPort(app.callback());
  return { baseUrl: `${server.origin}${dingTalkSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
}

describeAuthContract({
  platform: 'dingtalk',
  fixtures: dingTalkFixtures,
  paths: { token: dingTalkSandboxPaths.token, login: dingTalkSandboxPaths.getUserInfo },
  errcodes: { tokenExpired: 42001, rateLimited: 90018, busy: -1, unmapped: 60020 },
  startSandbox,
  createAdapter: createDingTalkAdapter,
});

describePlatformContract({
  platform: 'dingtalk',
  paths: { token: dingTalkSandboxPaths.token },
  startSandbox,
  createAdapter: createDingTalkAdapter,
  // An internal app's event subscription signs for its app key (dingtalk-api §5.1).
  receiverId: (fixture) => fixture.app.appKey,
});
