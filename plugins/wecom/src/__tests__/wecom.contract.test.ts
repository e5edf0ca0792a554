import { describeAuthContract, describePlatformContract, listenOnEphemeralPort, type Clock, type ContractSandbox, type OrgFixture } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComAdapter } from '../wecom.adapter';
import { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix } from '../sandbox';
import { weComFixtures } from './fixtures';

async function startSandbox({ fixtures, clock }: { fixtures: OrgFixture[]; clock: Clock }): Promise<ContractSandbox> {
  const sandbox = createWeComSandbox({ fixtures, clock });
  const app = new Koa();
  app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
  const server = await listenOnEphemeralPort(app.callback());
  return { baseUrl: `${server.origin}${weComSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
}

describeAuthContract({
  platform: 'wecom',
  fixtures: weComFixtures,
  paths: { token: weComSandboxPaths.token, login: weComSandboxPaths.code2Session, oauthLogin: weComSandboxPaths.oauthUserInfo },
  errcodes: { tokenExpired: 42001, rateLimited: 45009, busy: -1, unmapped: 60020 },
  startSandbox,
  createAdapter: createWeComAdapter,
});

describePlatformContract({
  platform: 'wecom',
  paths: { token: weComSandboxPaths.token },
  startSandbox,
  createAdapter: createWeComAdapter,
  // WeCom signs callbacks of a self-built app for the corp (wecom-api §6c).
  receiverId: (fixture) => fixture.corpId,
});
