import { describePlatformContract, listenOnEphemeralPort } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createDingTalkAdapter } from '../dingtalk.adapter';
import { createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from '../sandbox';

describePlatformContract({
  platform: 'dingtalk',
  paths: { token: dingTalkSandboxPaths.token },
  async startSandbox({ fixtures, clock }) {
    const sandbox = createDingTalkSandbox({ fixtures, clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    const server = await listenOnEphemeralPort(app.callback());
    return { baseUrl: `${server.origin}${dingTalkSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
  },
  createAdapter: createDingTalkAdapter,
  // An internal app's event subscription signs for its app key (dingtalk-api §5.1).
  receiverId: (fixture) => fixture.app.appKey,
});
