import { describePlatformContract, listenOnEphemeralPort } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComAdapter } from '../wecom.adapter';
import { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix } from '../sandbox';

describePlatformContract({
  platform: 'wecom',
  paths: { token: weComSandboxPaths.token },
  async startSandbox({ fixtures, clock }) {
    const sandbox = createWeComSandbox({ fixtures, clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    const server = await listenOnEphemeralPort(app.callback());
    return { baseUrl: `${server.origin}${weComSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
  },
  createAdapter: createWeComAdapter,
  // WeCom signs callbacks of a self-built app for the corp (wecom-api §6c).
  receiverId: (fixture) => fixture.corpId,
});
