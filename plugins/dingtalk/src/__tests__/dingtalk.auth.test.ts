import { describeAuthContract, listenOnEphemeralPort } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createDingTalkAdapter } from '../dingtalk.adapter';
import { createDingTalkSandbox, dingTalkSandboxPaths, dingTalkSandboxPrefix } from '../sandbox';
import { dingTalkFixtures } from './fixtures';

describeAuthContract({
  platform: 'dingtalk',
  fixtures: dingTalkFixtures,
  paths: { token: dingTalkSandboxPaths.token, login: dingTalkSandboxPaths.getUserInfo },
  errcodes: { tokenExpired: 42001, rateLimited: 90018, busy: -1, unmapped: 60020 },
  async startSandbox({ fixtures, clock }) {
    const sandbox = createDingTalkSandbox({ fixtures, clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    const server = await listenOnEphemeralPort(app.callback());
    return { baseUrl: `${server.origin}${dingTalkSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
  },
  createAdapter: createDingTalkAdapter,
});
