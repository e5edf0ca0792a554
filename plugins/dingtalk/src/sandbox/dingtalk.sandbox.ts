import { createHash, randomBytes } from 'node:crypto';
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
import type { DingTalkLoginUser, DingTalkReply } from '../dingtalk.types';
import { dingTalkErrmsg } from './dingtalk.errmsg';

export const dingTalkSandboxPrefix = '/sandbox/dingtalk';

/** The vendor paths served under the prefix, as the real `oapi.dingtalk.com` serves them. */
export const dingTalkSandboxPaths = {
  token: '/gettoken',
  getUserInfo: '/topapi/v2/user/getuserinfo',
} as const;

export interface DingTalkSandboxOptions {
  /** One per corp, each with its app's credentials. */
  fixtures: readonly OrgFixture[];
  /** Token and code expiry follow this clock; default the system clock. */
  clock?: Clock;
}

export interface DingTalkSandbox {
  /** Mount with `app.use(router.routes())`; every route is under `/sandbox/dingtalk`. */
  readonly router: Router;
  /** A login code as `dd.getAuthCode` would give it: single use, five minutes. Throws for an unknown corp or user. */
  mintLoginCode(corpId: string, userId: string): string;
  /** Expires every access token now; returns how many were live. */
  expireTokens(): number;
  /** Plans wrong answers for a vendor path, like `POST _control/faults`. */
  injectFault(fault: SandboxFault): void;
  /** How many requests reached a vendor path (e.g. `/gettoken`), faulted ones included. */
  callCount(path: string): number;
}

type Handler = (ctx: RouterContext) => Promise<DingTalkReply> | DingTalkReply;

/** DingTalk's legacy API and the DESIGN §6 control endpoints, over in-memory orgs. */
export function createDingTalkSandbox(options: DingTalkSandboxOptions): DingTalkSandbox {
  const clock = options.clock ?? systemClock;
  const fixtures = [...options.fixtures];
  assertDistinctApps(fixtures);
  const codes = new SandboxLoginCodes(clock);
  // DingTalk hands back the same token while it is valid (dingtalk-api §1.2); the owner is the app's corp.
  const tokens = new SandboxAccessTokens({ clock, reuseLiveToken: true });
  const faults = new SandboxFaults();
  const control = new SandboxControl({
    fixtures,
    codes,
    tokens,
    faults,
    vendorPaths: Object.values(dingTalkSandboxPaths),
    prefix: dingTalkSandboxPrefix,
  });
  const calls = new Map<string, number>();

  /** Counts the call and answers a planned fault before the handler; vendor answers are always HTTP 200 otherwise. */
  function vendorRoute(path: string, handler: Handler) {
    return async (ctx: RouterContext) => {
      calls.set(path, (calls.get(path) ?? 0) + 1);
      const fault = faults.take(path);
      if (fault === undefined) {
        ctx.status = 200;
        ctx.body = withRequestId(await handler(ctx));
      } else if (fault.errcode !== undefined) {
        ctx.status = fault.status ?? 200;
        ctx.body = withRequestId(failure(fault.errcode));
      } else {
        // A gateway in front of the API answers outages, and it speaks HTML.
        ctx.status = fault.status ?? 503;
        ctx.type = 'text/html';
        ctx.body = `<html><body><h1>${ctx.status}</h1></body></html>`;
      }
    };
  }

  const router = new Router({ prefix: dingTalkSandboxPrefix });

  router.get(
    dingTalkSandboxPaths.token,
    vendorRoute(dingTalkSandboxPaths.token, (ctx) => {
      const appKey = queryParam(ctx, 'appkey');
      const fixture = fixtures.find((candidate) => candidate.app.appKey === appKey);
      if (fixture === undefined || fixture.app.appSecret !== queryParam(ctx, 'appsecret')) return failure(40089);
      const issued = tokens.issue(fixture.corpId);
      return { ...failure(0), access_token: issued.accessToken, expires_in: issued.expiresIn };
    }),
  );

  router.post(
    dingTalkSandboxPaths.getUserInfo,
    vendorRoute(dingTalkSandboxPaths.getUserInfo, async (ctx) => {
      const token = tokens.check(queryParam(ctx, 'access_token'));
      if (token.status === 'invalid') return failure(40014);
      if (token.status === 'expired') return failure(42001);
      const body = await readRequestBody(ctx);
      const code = body.ok ? stringField(body.value, 'code') : undefined;
      if (code === undefined) return failure(400002);
      const owner = codes.redeem(code);
      // A code belongs to one corp: another corp's app token cannot redeem it.
      if (owner === undefined || owner.corpId !== token.owner) return failure(40078);
      const fixture = fixtures.find((candidate) => candidate.corpId === owner.corpId);
      const user = fixture?.users.find((candidate) => candidate.userId === owner.userId);
      if (user === undefined) return failure(60121);
      return { ...failure(0), result: loginUser(owner.corpId, user) };
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

function failure(errcode: number): DingTalkReply {
  return { errcode, errmsg: dingTalkErrmsg(errcode) };
}

function withRequestId(reply: DingTalkReply): DingTalkReply {
  return { ...reply, request_id: randomBytes(8).readBigUInt64BE().toString(36).slice(0, 12) };
}

/** Stable per user, shaped like DingTalk's ids (the unionid does not change between logins). */
function loginUser(corpId: string, user: OrgFixture['users'][number]): DingTalkLoginUser {
  const digest = (salt: string) => createHash('sha256').update(`${salt}:${corpId}:${user.userId}`).digest();
  return {
    userid: user.userId,
    device_id: digest('device').toString('hex').slice(0, 32),
    sys: false,
    sys_level: 0,
    unionid: digest('unionid').toString('base64url').replace(/[-_]/g, '').slice(0, 22),
    associated_unionid: digest('associated').toString('base64url').replace(/[-_]/g, '').slice(0, 22),
    name: user.name,
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

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

function assertDistinctApps(fixtures: readonly OrgFixture[]): void {
  const corpIds = new Set(fixtures.map((fixture) => fixture.corpId));
  const appKeys = new Set(fixtures.map((fixture) => fixture.app.appKey));
  if (corpIds.size !== fixtures.length || appKeys.size !== fixtures.length) {
    throw new Error('DingTalk sandbox fixtures need distinct corp ids and app keys');
  }
}
