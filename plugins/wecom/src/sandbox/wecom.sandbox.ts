import { randomBytes } from 'node:crypto';
import {
  SandboxAccessTokens,
  SandboxControl,
  SandboxFaults,
  SandboxLoginCodes,
  readRequestBody,
  systemClock,
  type Clock,
  type ControlReply,
  type OrgFixture,
  type SandboxFault,
} from '@gonghai/plugin-core';
import { Router, type RouterContext } from '@koa/router';
import type { WeComReply } from '../wecom.types';
import { weComErrmsg } from './wecom.errmsg';

export const weComSandboxPrefix = '/sandbox/wecom';

/** The vendor paths served under the prefix, as the real `qyapi.weixin.qq.com` serves them. */
export const weComSandboxPaths = {
  token: '/cgi-bin/gettoken',
  code2Session: '/cgi-bin/miniprogram/jscode2session',
} as const;

export interface WeComSandboxOptions {
  /** One per corp, each with its app's credentials (the corp secret is `app.appSecret`). */
  fixtures: readonly OrgFixture[];
  /** Token and code expiry follow this clock; default the system clock. */
  clock?: Clock;
}

export interface WeComSandbox {
  /** Mount with `app.use(router.routes())`; every route is under `/sandbox/wecom`. */
  readonly router: Router;
  /** A login code as `wx.qy.login` would give it: single use, five minutes. Throws for an unknown corp or user. */
  mintLoginCode(corpId: string, userId: string): string;
  /** Expires every access token now; returns how many were live. */
  expireTokens(): number;
  /** Plans wrong answers for a vendor path, like `POST _control/faults`. */
  injectFault(fault: SandboxFault): void;
  /** How many requests reached a vendor path (e.g. `/cgi-bin/gettoken`), faulted ones included. */
  callCount(path: string): number;
}

type Handler = (ctx: RouterContext) => Promise<WeComReply> | WeComReply;

/** WeCom's server API and the DESIGN §6 control endpoints, over in-memory orgs. */
export function createWeComSandbox(options: WeComSandboxOptions): WeComSandbox {
  const clock = options.clock ?? systemClock;
  const fixtures = [...options.fixtures];
  if (new Set(fixtures.map((fixture) => fixture.corpId)).size !== fixtures.length) {
    throw new Error('WeCom sandbox fixtures need distinct corp ids');
  }
  const codes = new SandboxLoginCodes(clock);
  // WeCom issues a new token on every call (wecom-api §1); the owner is the app's corp.
  const tokens = new SandboxAccessTokens({ clock, tokenBytes: 48 });
  const faults = new SandboxFaults();
  const control = new SandboxControl({
    fixtures,
    codes,
    tokens,
    faults,
    vendorPaths: Object.values(weComSandboxPaths),
    prefix: weComSandboxPrefix,
  });
  const calls = new Map<string, number>();

  function failure(errcode: number): WeComReply {
    return { errcode, errmsg: weComErrmsg(errcode, clock.now()) };
  }

  /** Counts the call and answers a planned fault before the handler; vendor answers are always HTTP 200 otherwise. */
  function vendorRoute(path: string, handler: Handler) {
    return async (ctx: RouterContext) => {
      calls.set(path, (calls.get(path) ?? 0) + 1);
      const fault = faults.take(path);
      if (fault === undefined) {
        ctx.status = 200;
        ctx.body = await handler(ctx);
      } else if (fault.errcode !== undefined) {
        ctx.status = fault.status ?? 200;
        ctx.body = failure(fault.errcode);
      } else {
        // A gateway in front of the API answers outages, and it speaks HTML.
        ctx.status = fault.status ?? 503;
        ctx.type = 'text/html';
        ctx.body = `<html><body><h1>${ctx.status}</h1></body></html>`;
      }
    };
  }

  const router = new Router({ prefix: weComSandboxPrefix });

  router.get(
    weComSandboxPaths.token,
    vendorRoute(weComSandboxPaths.token, (ctx) => {
      const fixture = fixtures.find((candidate) => candidate.corpId === queryParam(ctx, 'corpid'));
      if (fixture === undefined) return failure(40013);
      const secret = queryParam(ctx, 'corpsecret');
      if (secret === undefined) return failure(41004);
      if (secret !== fixture.app.appSecret) return failure(40001);
      const issued = tokens.issue(fixture.corpId);
      return { errcode: 0, errmsg: 'ok', access_token: issued.accessToken, expires_in: issued.expiresIn };
    }),
  );

  router.get(
    weComSandboxPaths.code2Session,
    vendorRoute(weComSandboxPaths.code2Session, (ctx) => {
      const accessToken = queryParam(ctx, 'access_token');
      if (accessToken === undefined) return failure(41001);
      const token = tokens.check(accessToken);
      if (token.status === 'invalid') return failure(40014);
      if (token.status === 'expired') return failure(42001);
      const code = queryParam(ctx, 'js_code');
      if (code === undefined) return failure(41008);
      const owner = codes.redeem(code);
      if (owner === undefined) return failure(40029);
      // WeCom names the code's own corp, which may not be the token's (wecom-api §2a): the caller must check.
      const sessionKey = randomBytes(16).toString('base64');
      return { corpid: owner.corpId, userid: owner.userId, session_key: sessionKey, errcode: 0, errmsg: 'ok' };
    }),
  );

  router.post('/_control/login-code', async (ctx) => {
    write(ctx, control.loginCode(await readRequestBody(ctx)));
  });
  router.post('/_control/tokens/expire', (ctx) => {
    write(ctx, control.expireTokens());
  });
  router.post('/_control/faults', async (ctx) => {
    write(ctx, control.addFault(await readRequestBody(ctx)));
  });

  return {
    router,
    mintLoginCode: (corpId, userId) => control.mintLoginCode(corpId, userId),
    expireTokens: () => tokens.expireAll(),
    injectFault: (fault) => {
      control.injectFault(fault);
    },
    callCount: (path) => calls.get(path) ?? 0,
  };
}

function write(ctx: RouterContext, reply: ControlReply): void {
  ctx.status = reply.status;
  ctx.body = reply.body;
}

function queryParam(ctx: RouterContext, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
