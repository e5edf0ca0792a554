import { describeAuthContract, listenOnEphemeralPort } from '@gonghai/plugin-core';
import Koa from 'koa';
import { createWeComAdapter } from '../wecom.adapter';
import { createWeComSandbox, weComSandboxPaths, weComSandboxPrefix } from '../sandbox';
import { weComFixtures } from './fixtures';

describeAuthContract({
  platform: 'wecom',
  fixtures: weComFixtures,
  paths: { token: weComSandboxPaths.token, login: weComSandboxPaths.code2Session },
  errcodes: { tokenExpired: 42001, rateLimited: 45009, busy: -1, unmapped: 60020 },
  async startSandbox({ fixtures, clock }) {
    const sandbox = createWeComSandbox({ fixtures, clock });
    const app = new Koa();
    app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
    const server = await listenOnEphemeralPort(app.callback());
    return { baseUrl: `${server.origin}${weComSandboxPrefix}`, callCount: sandbox.callCount, close: server.close };
  },
  createAdapter: createWeComAdapter,
});
