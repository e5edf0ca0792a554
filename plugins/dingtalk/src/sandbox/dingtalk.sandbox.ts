import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  SandboxAccessTokens,
  SandboxControl,
  SandboxFaults,
  SandboxInbox,
  SandboxLoginCodes,
  SandboxRateWindow,
  parseOrgUser,
  readRequestBody,
  systemClock,
  type AccessTokenCheck,
  type Clock,
  type ControlReply,
  type InboxMessage,
  type LoginChannel,
  type OrgFixture,
  type SandboxFault,
} from '@gonghai/plugin-core';
import { Router, type RouterContext } from '@koa/router';
import { dingTalkRobotSign } from '../dingtalk.crypto';
import type { DingTalkApiFailure, DingTalkLoginUser, DingTalkReply } from '../dingtalk.types';
import { SandboxApprovals, type SandboxApproval, type SandboxApprovalOutcome } from './dingtalk.sandbox-approvals';
import { pushDingTalkEvent, type DingTalkDeliveryOutcome } from './dingtalk.sandbox-callbacks';
import { SandboxOrg, wireDepartment } from './dingtalk.sandbox-org';
import { dingTalkErrmsg } from './dingtalk.errmsg';

export const dingTalkSandboxPrefix = '/sandbox/dingtalk';

/**
 * The vendor paths served under the prefix, as the real `oapi.dingtalk.com` and (the `/v1.0/…` ones)
 * `api.dingtalk.com` serve them.
 */
export const dingTalkSandboxPaths = {
  token: '/gettoken',
  getUserInfo: '/topapi/v2/user/getuserinfo',
  departmentGet: '/topapi/v2/department/get',
  departmentListSub: '/topapi/v2/department/listsub',
  userList: '/topapi/v2/user/list',
  userGet: '/topapi/v2/user/get',
  robotSend: '/robot/send',
  workNotification: '/topapi/message/corpconversation/asyncsend_v2',
  jsapiTicket: '/get_jsapi_ticket',
  apiToken: '/v1.0/oauth2/accessToken',
  processInstances: '/v1.0/workflow/processInstances',
} as const;

const apiPaths: ReadonlySet<string> = new Set([dingTalkSandboxPaths.apiToken, dingTalkSandboxPaths.processInstances]);

export interface DingTalkSandboxOptions {
  /** One per corp, each with its app's credentials. The sandbox changes its own copies, never these. */
  fixtures: readonly OrgFixture[];
  /** Token, code, robot-window and signature-timestamp checks follow this clock; default the system clock. */
  clock?: Clock;
}

/** A member to add or change, as `POST _control/org/users` takes it. */
export interface DingTalkSandboxUserInput {
  userId: string;
  name: string;
  departmentIds: number[];
  /** Leads every listed department. */
  leader?: boolean;
  hiredDate?: string;
  mobile?: string;
  title?: string;
  /** An administrator of the corp. */
  admin?: boolean;
  /** Default the first fixture's corp. */
  corpId?: string;
}

/** What an org change did; `delivered` etc. describe the contact-change push to the corp's callback URL. */
export interface DingTalkOrgChange extends Partial<DingTalkDeliveryOutcome> {
  change: 'added' | 'updated' | 'removed';
  delivered: boolean;
}

/** What deciding an approval did: one outcome per push of the same `bpms_instance_change`. */
export interface DingTalkDecision {
  instanceId: string;
  status: SandboxApproval['status'];
  /** Every push was answered with the encrypted `success`. */
  delivered: boolean;
  /** The last push's HTTP status (0 when unreachable or when the corp has no callback). */
  serverStatus: number;
  deliveries: DingTalkDeliveryOutcome[];
}

export interface DingTalkSandbox {
  /** Mount with `app.use(router.routes())`; every route is under `/sandbox/dingtalk`. */
  readonly router: Router;
  /**
   * A login code as `dd.getAuthCode` would give it: single use, five minutes. Throws for an unknown corp or user.
   * DingTalk exchanges H5 and mini-program codes alike (dingtalk-api §1.3), so `channel` only labels it.
   */
  mintLoginCode(corpId: string, userId: string, channel?: LoginChannel): string;
  /** Expires every access token now; returns how many were live. */
  expireTokens(): number;
  /** Plans wrong answers for a vendor path, like `POST _control/faults`. */
  injectFault(fault: SandboxFault): void;
  /** How many requests reached a vendor path (e.g. `/gettoken`), faulted ones included. */
  callCount(path: string): number;
  /** Everything robots and work notifications received, like `GET _control/messages?since=`. */
  messages(since?: string): InboxMessage[];
  /** Adds or changes a member and pushes `user_add_org` / `user_modify_org`; throws `SandboxControlError` for bad input. */
  addUser(user: DingTalkSandboxUserInput): Promise<DingTalkOrgChange>;
  /** Removes a member and pushes `user_leave_org`; throws `SandboxControlError` for an unknown user. */
  removeUser(userId: string, corpId?: string): Promise<DingTalkOrgChange>;
  /** The approvals started so far, like `GET _control/approvals`. */
  approvals(): SandboxApproval[];
  /** Decides a pending approval and pushes its result `deliveries` times (1..5), like a vendor retry would. */
  decide(instanceId: string, approved: boolean, deliveries?: number): Promise<DingTalkDecision>;
  /** The originator withdraws a pending approval (`terminate`), pushed `deliveries` times (1..5). */
  withdraw(instanceId: string, deliveries?: number): Promise<DingTalkDecision>;
  /** The corp's live jsapi ticket, if one was issued: what `dd.config` signatures are checked against. */
  jsapiTicket(corpId: string): string | undefined;
  /** The corp as the sandbox now serves it (its own copy, after any control changes). */
  org(corpId: string): OrgFixture | undefined;
}

/** A control failure: the HTTP endpoints answer `{error: {code, message}}` with `status`; helpers throw it. */
export class DingTalkSandboxControlError extends Error {
  override readonly name = 'DingTalkSandboxControlError';

  constructor(
    readonly code: 'invalid_request' | 'unknown_corp' | 'unknown_user' | 'unknown_approval' | 'already_decided',
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

type Handler = (ctx: RouterContext) => Promise<DingTalkReply> | DingTalkReply;
/** A v1.0 answer: HTTP 200 with a plain body, or 4xx with `{code, message}`. */
type ApiHandler = (ctx: RouterContext) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };

/** DingTalk's legacy and v1.0 APIs and the DESIGN §6 control endpoints, over in-memory orgs. */
export function createDingTalkSandbox(options: DingTalkSandboxOptions): DingTalkSandbox {
  const clock = options.clock ?? systemClock;
  assertDistinctApps(options.fixtures);
  const orgs = options.fixtures.map((fixture) => new SandboxOrg(fixture));
  const fixtures = orgs.map((org) => org.fixture);
  const codes = new SandboxLoginCodes(clock);
  // DingTalk hands back the same token while it is valid (dingtalk-api §1.2); the owner is the app's corp. The
  // legacy and the v1.0 token endpoints draw from one store: DingTalk accepts the same token on both families (§0).
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
  const inbox = new SandboxInbox(clock);
  // 20 messages a minute per robot (dingtalk-api §3.1).
  const robotWindow = new SandboxRateWindow(clock, 20, 60_000);
  const approvals = new SandboxApprovals();
  const tickets = new Map<string, { ticket: string; expiresAt: number }>();
  const calls = new Map<string, number>();
  let taskIds = 256_271_667_000;

  function orgOf(corpId: string | undefined): SandboxOrg {
    const org = corpId === undefined ? orgs[0] : orgs.find((candidate) => candidate.fixture.corpId === corpId);
    if (org === undefined) throw new DingTalkSandboxControlError('unknown_corp', `no corp "${corpId ?? ''}" in the sandbox`);
    return org;
  }

  function countAndFault(path: string): SandboxFault | undefined {
    calls.set(path, (calls.get(path) ?? 0) + 1);
    const fault = faults.take(path);
    return fault === undefined ? undefined : { path, times: 1, ...fault };
  }

  /** Counts the call and answers a planned fault before the handler; vendor answers are always HTTP 200 otherwise. */
  function vendorRoute(path: string, handler: Handler) {
    return async (ctx: RouterContext) => {
      const fault = countAndFault(path);
      if (fault === undefined) {
        ctx.status = 200;
        ctx.body = withRequestId(await handler(ctx));
      } else if (fault.errcode !== undefined) {
        ctx.status = fault.status ?? 200;
        ctx.body = withRequestId(failure(fault.errcode));
      } else {
        outage(ctx, fault.status);
      }
    };
  }

  /** The v1.0 gateway: a planned errcode becomes the v1.0 failure that means the same (§0). */
  function apiRoute(path: string, handler: ApiHandler) {
    return async (ctx: RouterContext) => {
      const fault = countAndFault(path);
      if (fault === undefined) {
        const answer = await handler(ctx);
        ctx.status = answer.status;
        ctx.body = answer.body;
      } else if (fault.errcode !== undefined) {
        const answer = apiFailureFor(fault.errcode);
        ctx.status = fault.status ?? answer.status;
        ctx.body = answer.body;
      } else {
        outage(ctx, fault.status);
      }
    };
  }

  /** The token in the query, and the corp it belongs to; a failure reply when it is missing, unknown or expired. */
  function legacyToken(ctx: RouterContext): { org: SandboxOrg } | DingTalkReply {
    const check = tokens.check(queryParam(ctx, 'access_token'));
    if (check.status === 'invalid') return failure(40014);
    if (check.status === 'expired') return failure(42001);
    return { org: orgOf(check.owner) };
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

  router.post(
    dingTalkSandboxPaths.departmentGet,
    vendorRoute(dingTalkSandboxPaths.departmentGet, async (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      const deptId = integerField(await bodyOf(ctx), 'dept_id') ?? 1;
      const department = token.org.department(deptId);
      if (department === undefined) return failure(60003);
      const managers = leadersOf(token.org, deptId);
      return { ...failure(0), result: { ...wireDepartment(department), order: 0, dept_manager_userid_list: managers } };
    }),
  );

  router.post(
    dingTalkSandboxPaths.departmentListSub,
    vendorRoute(dingTalkSandboxPaths.departmentListSub, async (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      // Omitting dept_id means the root (dingtalk-api §2.1).
      const deptId = integerField(await bodyOf(ctx), 'dept_id') ?? 1;
      if (token.org.department(deptId) === undefined) return failure(60003);
      return { ...failure(0), result: token.org.children(deptId) };
    }),
  );

  router.post(
    dingTalkSandboxPaths.userList,
    vendorRoute(dingTalkSandboxPaths.userList, async (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      const body = await bodyOf(ctx);
      const deptId = integerField(body, 'dept_id');
      const cursor = integerField(body, 'cursor');
      const size = integerField(body, 'size');
      if (deptId === undefined || cursor === undefined || cursor < 0 || size === undefined || size < 1 || size > 100) {
        return failure(400002);
      }
      if (token.org.department(deptId) === undefined) return failure(60003);
      const members = token.org.members(deptId);
      const page = members.slice(cursor, cursor + size).map((user) => token.org.listedUser(user, deptId));
      const hasMore = cursor + size < members.length;
      return { ...failure(0), result: { has_more: hasMore, ...(hasMore ? { next_cursor: cursor + size } : {}), list: page } };
    }),
  );

  router.post(
    dingTalkSandboxPaths.userGet,
    vendorRoute(dingTalkSandboxPaths.userGet, async (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      const userId = stringField(await bodyOf(ctx), 'userid');
      if (userId === undefined) return failure(400002);
      const user = token.org.user(userId);
      if (user === undefined) return failure(60121);
      return { ...failure(0), result: token.org.detailedUser(user) };
    }),
  );

  router.post(
    dingTalkSandboxPaths.robotSend,
    vendorRoute(dingTalkSandboxPaths.robotSend, async (ctx) => {
      const accessToken = queryParam(ctx, 'access_token');
      if (accessToken === undefined) return failure(40035, '缺少参数 access_token');
      const robot = fixtures.flatMap((fixture) => fixture.robots ?? []).find((candidate) => candidate.token === accessToken);
      if (robot === undefined) return failure(300005);
      if (robot.secret !== undefined) {
        const timestamp = queryParam(ctx, 'timestamp');
        // Signed robots refuse timestamps more than an hour from DingTalk's clock (dingtalk-api §3.1).
        if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp) || Math.abs(clock.now() - Number(timestamp)) > 3600_000) {
          return failure(310000, 'invalid timestamp');
        }
        if (!sameText(queryParam(ctx, 'sign') ?? '', dingTalkRobotSign(robot.secret, timestamp))) {
          return failure(310000, 'sign not match');
        }
      }
      const message = robotMessage(await bodyOf(ctx));
      if (message === undefined) return failure(40035, '缺少参数 json');
      if (!robotWindow.allow(robot.token)) return failure(130101);
      inbox.record({ channel: 'group', target: robot.token, to: [], ...message });
      return failure(0);
    }),
  );

  router.post(
    dingTalkSandboxPaths.workNotification,
    vendorRoute(dingTalkSandboxPaths.workNotification, async (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      const body = await bodyOf(ctx);
      const agentId = record(body)?.agent_id;
      const userIds = (stringField(body, 'userid_list') ?? '').split(',').filter((id) => id !== '');
      const message = workMessage(record(body)?.msg);
      if (String(agentId) !== token.org.fixture.app.agentId || userIds.length === 0 || message === undefined) {
        return failure(400002);
      }
      inbox.record({ channel: 'direct', target: token.org.fixture.app.agentId, to: userIds, ...message });
      taskIds += 1;
      return { ...failure(0), task_id: taskIds };
    }),
  );

  router.get(
    dingTalkSandboxPaths.jsapiTicket,
    vendorRoute(dingTalkSandboxPaths.jsapiTicket, (ctx) => {
      const token = legacyToken(ctx);
      if (!('org' in token)) return token;
      const corpId = token.org.fixture.corpId;
      const now = clock.now();
      let live = tickets.get(corpId);
      // Like the token, the same ticket comes back while it is valid.
      if (live === undefined || now >= live.expiresAt) {
        live = { ticket: randomBytes(24).toString('base64url'), expiresAt: now + 7200_000 };
        tickets.set(corpId, live);
      }
      return { ...failure(0), ticket: live.ticket, expires_in: Math.round((live.expiresAt - now) / 1000) };
    }),
  );

  router.post(
    dingTalkSandboxPaths.apiToken,
    apiRoute(dingTalkSandboxPaths.apiToken, async (ctx) => {
      const body = await bodyOf(ctx);
      const fixture = fixtures.find((candidate) => candidate.app.appKey === stringField(body, 'appKey'));
      if (fixture === undefined || fixture.app.appSecret !== stringField(body, 'appSecret')) {
        return apiFailure(400, 'invalid.client', '无效的clientId或者clientSecret');
      }
      const issued = tokens.issue(fixture.corpId);
      return { status: 200, body: { accessToken: issued.accessToken, expireIn: issued.expiresIn } };
    }),
  );

  router.post(
    dingTalkSandboxPaths.processInstances,
    apiRoute(dingTalkSandboxPaths.processInstances, async (ctx) => {
      const header = ctx.get('x-acs-dingtalk-access-token');
      const check: AccessTokenCheck = tokens.check(header === '' ? undefined : header);
      if (check.status !== 'valid') return apiFailure(400, 'InvalidAuthentication', '不合法的access_token');
      const org = orgOf(check.owner);
      const body = record(await bodyOf(ctx)) ?? {};
      const processCode = body.processCode;
      if (typeof processCode !== 'string' || !(org.fixture.approvalTemplateIds ?? []).includes(processCode)) {
        return apiFailure(400, 'invalidParameter.processCode.notExist', `模板 ${String(processCode)} 不存在`);
      }
      const originator = typeof body.originatorUserId === 'string' ? org.user(body.originatorUserId) : undefined;
      if (originator === undefined) return apiFailure(400, 'invalidParameter.originatorUserId', '发起人不存在');
      const fields = formValues(body.formComponentValues);
      if (fields === undefined) {
        return apiFailure(400, 'invalidParameter.formComponentValues', 'formComponentValues 须为 {name, value} 字符串数组');
      }
      const approverUserIds = approverIds(body.approvers, org);
      if (approverUserIds === undefined) return apiFailure(400, 'invalidParameter.approvers', '审批人不存在或格式错误');
      const instanceId = approvals.start({
        corpId: org.fixture.corpId,
        templateId: processCode,
        originatorUserId: originator.userId,
        // DingTalk titles instances itself (§4.3 sample: "张三提交的拜访审批").
        title: `${originator.name}提交的审批`,
        fields,
        approverUserIds,
        createTime: clock.now(),
      });
      return { status: 200, body: { instanceId } };
    }),
  );

  // ---- control endpoints (DESIGN §6) ----

  async function addUser(input: DingTalkSandboxUserInput): Promise<DingTalkOrgChange> {
    const org = orgOf(input.corpId);
    const parsed = parseOrgUser({ ok: true, value: input });
    if (typeof parsed === 'string') throw new DingTalkSandboxControlError('invalid_request', parsed);
    const unknown = parsed.departmentIds.filter((id) => org.department(id) === undefined);
    if (unknown.length > 0) {
      throw new DingTalkSandboxControlError('invalid_request', `corp ${org.fixture.corpId} has no department ${unknown.join(', ')}`);
    }
    const change = org.upsert(parsed);
    const eventType = change === 'added' ? 'user_add_org' : 'user_modify_org';
    return { change, ...(await pushContactChange(org, eventType, parsed.userId)) };
  }

  async function removeUser(userId: string, corpId?: string): Promise<DingTalkOrgChange> {
    const org = orgOf(corpId);
    if (!org.remove(userId)) {
      throw new DingTalkSandboxControlError('unknown_user', `no user "${userId}" in corp "${org.fixture.corpId}"`, 404);
    }
    return { change: 'removed', ...(await pushContactChange(org, 'user_leave_org', userId)) };
  }

  /** The legacy contact-change plaintext (dingtalk-api §2.4), pushed once. */
  async function pushContactChange(
    org: SandboxOrg,
    eventType: string,
    userId: string,
  ): Promise<DingTalkDeliveryOutcome | { delivered: false }> {
    const { callback, corpId } = org.fixture;
    if (callback === undefined) return { delivered: false };
    const payload = { EventType: eventType, TimeStamp: clock.now(), UserId: [userId], CorpId: corpId };
    return pushDingTalkEvent(callback, payload, clock.now());
  }

  async function settle(instanceId: string, outcome: SandboxApprovalOutcome, deliveries = 1): Promise<DingTalkDecision> {
    if (!Number.isInteger(deliveries) || deliveries < 1 || deliveries > 5) {
      throw new DingTalkSandboxControlError('invalid_request', '"deliveries" must be an integer from 1 to 5');
    }
    const decided = approvals.settle(instanceId, outcome, clock.now());
    if (decided === undefined) throw new DingTalkSandboxControlError('unknown_approval', `no approval "${instanceId}"`, 404);
    if (decided === 'decided') {
      throw new DingTalkSandboxControlError('already_decided', `approval "${instanceId}" was decided before`, 409);
    }
    const status = outcome;
    const { callback } = orgOf(decided.corpId).fixture;
    if (callback === undefined) return { instanceId, status, delivered: false, serverStatus: 0, deliveries: [] };
    const outcomes: DingTalkDeliveryOutcome[] = [];
    // The same plaintext each time, sealed afresh, as DingTalk's own redelivery is.
    for (let push = 0; push < deliveries; push += 1) outcomes.push(await pushDingTalkEvent(callback, decided.payload, clock.now()));
    return {
      instanceId,
      status,
      delivered: outcomes.every((outcome) => outcome.delivered),
      serverStatus: outcomes[outcomes.length - 1]?.serverStatus ?? 0,
      deliveries: outcomes,
    };
  }

  router.post('/_control/login-code', async (ctx) => {
    write(ctx, control.loginCode(await readRequestBody(ctx)));
  });
  router.post('/_control/tokens/expire', (ctx) => {
    write(ctx, control.expireTokens());
  });
  router.post('/_control/faults', async (ctx) => {
    write(ctx, control.addFault(await readRequestBody(ctx)));
  });
  router.get('/_control/messages', (ctx) => {
    const since = typeof ctx.query.since === 'string' ? ctx.query.since : undefined;
    try {
      write(ctx, { status: 200, body: { items: inbox.since(since) } });
    } catch (error) {
      write(ctx, controlFailure(new DingTalkSandboxControlError('invalid_request', (error as Error).message)));
    }
  });
  router.post('/_control/org/users', async (ctx) => {
    const body = await readRequestBody(ctx);
    if (!body.ok) {
      const status = body.reason === 'too_large' ? 413 : 400;
      return write(ctx, { status, body: { error: { code: body.reason, message: body.message } } });
    }
    write(ctx, await controlAttempt(() => addUser(body.value as DingTalkSandboxUserInput)));
  });
  router.delete('/_control/org/users/:userId', async (ctx) => {
    const corpId = typeof ctx.query.corpId === 'string' ? ctx.query.corpId : undefined;
    write(ctx, await controlAttempt(() => removeUser(ctx.params.userId ?? '', corpId)));
  });
  router.get('/_control/approvals', (ctx) => {
    write(ctx, { status: 200, body: { items: approvals.list() } });
  });
  router.post('/_control/approvals/:instanceId/decide', async (ctx) => {
    const body = await readRequestBody(ctx);
    const value = body.ok ? record(body.value) : undefined;
    const approved = value?.approved;
    const deliveries = value?.deliveries ?? 1;
    if (typeof approved !== 'boolean' || typeof deliveries !== 'number') {
      const expected = 'expected a JSON body {"approved": boolean, "deliveries"?: integer 1..5}';
      return write(ctx, controlFailure(new DingTalkSandboxControlError('invalid_request', expected)));
    }
    write(ctx, await controlAttempt(() => settle(ctx.params.instanceId ?? '', approved ? 'approved' : 'rejected', deliveries)));
  });
  router.post('/_control/approvals/:instanceId/withdraw', async (ctx) => {
    const body = await readRequestBody(ctx);
    const value = body.ok ? (record(body.value) ?? {}) : undefined;
    const deliveries = value?.deliveries ?? 1;
    if (typeof deliveries !== 'number') {
      const expected = 'expected a JSON body {"deliveries"?: integer 1..5}';
      return write(ctx, controlFailure(new DingTalkSandboxControlError('invalid_request', expected)));
    }
    write(ctx, await controlAttempt(() => settle(ctx.params.instanceId ?? '', 'withdrawn', deliveries)));
  });

  return {
    router,
    mintLoginCode: (corpId, userId, channel) => control.mintLoginCode(corpId, userId, channel),
    expireTokens: () => tokens.expireAll(),
    injectFault: (fault) => {
      control.injectFault(fault);
    },
    callCount: (path) => calls.get(path) ?? 0,
    messages: (since) => inbox.since(since),
    addUser,
    removeUser,
    approvals: () => approvals.list(),
    decide: (instanceId, approved, deliveries) => settle(instanceId, approved ? 'approved' : 'rejected', deliveries),
    withdraw: (instanceId, deliveries) => settle(instanceId, 'withdrawn', deliveries),
    jsapiTicket: (corpId) => {
      const live = tickets.get(corpId);
      return live !== undefined && clock.now() < live.expiresAt ? live.ticket : undefined;
    },
    org: (corpId) => orgs.find((org) => org.fixture.corpId === corpId)?.fixture,
  };
}

function failure(errcode: number, errmsg?: string): DingTalkReply {
  return { errcode, errmsg: errmsg ?? dingTalkErrmsg(errcode) };
}

function withRequestId(reply: DingTalkReply): DingTalkReply {
  return { ...reply, request_id: requestId() };
}

function requestId(): string {
  return randomBytes(8).readBigUInt64BE().toString(36).slice(0, 12);
}

function apiFailure(status: number, code: string, message: string): { status: number; body: DingTalkApiFailure } {
  return { status, body: { code, requestid: requestId().toUpperCase(), message } };
}

/** The v1.0 failure that means what a legacy errcode means, for faults planned by errcode on a v1.0 path. */
function apiFailureFor(errcode: number): { status: number; body: DingTalkApiFailure } {
  if (errcode === 40014 || errcode === 42001) return apiFailure(400, 'InvalidAuthentication', dingTalkErrmsg(errcode));
  if (errcode === 90002 || errcode === 90018 || errcode === 90019) {
    return apiFailure(403, 'Forbidden.AccessDenied.QpsLimitForApi', dingTalkErrmsg(errcode));
  }
  if (errcode === -1 || errcode === 15) return apiFailure(503, 'ServiceUnavailable', dingTalkErrmsg(errcode));
  return apiFailure(400, `errcode.${errcode}`, dingTalkErrmsg(errcode));
}

/** A gateway in front of the API answers outages, and it speaks HTML. */
function outage(ctx: RouterContext, status: number | undefined): void {
  ctx.status = status ?? 503;
  ctx.type = 'text/html';
  ctx.body = `<html><body><h1>${ctx.status}</h1></body></html>`;
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

function leadersOf(org: SandboxOrg, deptId: number): string[] {
  return org.fixture.users.filter((user) => user.leaderOf.includes(deptId)).map((user) => user.userId);
}

type Received = Pick<InboxMessage, 'msgtype' | 'title' | 'text'>;

/** The robot's `markdown` / `actionCard` / `text` bodies (dingtalk-api §3.1); `undefined` when one is incomplete. */
function robotMessage(body: unknown): Received | undefined {
  const msgtype = record(body)?.msgtype;
  if (msgtype === 'markdown') {
    const markdown = record(record(body)?.markdown);
    const title = stringField(markdown, 'title');
    const text = stringField(markdown, 'text');
    return title === undefined || text === undefined ? undefined : { msgtype, title, text };
  }
  if (msgtype === 'actionCard') {
    const card = record(record(body)?.actionCard);
    const title = stringField(card, 'title');
    const text = stringField(card, 'text');
    const single = stringField(card, 'singleTitle') !== undefined && stringField(card, 'singleURL') !== undefined;
    const buttons = Array.isArray(card?.btns) && card.btns.length > 0;
    return title === undefined || text === undefined || !(single || buttons) ? undefined : { msgtype, title, text };
  }
  if (msgtype === 'text') {
    const text = stringField(record(record(body)?.text), 'content');
    return text === undefined ? undefined : { msgtype, title: '', text };
  }
  return undefined;
}

/** The work notification's `msg` (dingtalk-api §3.3), for the msgtypes the sandbox reads. */
function workMessage(msg: unknown): Received | undefined {
  const msgtype = record(msg)?.msgtype;
  if (msgtype === 'markdown') {
    const markdown = record(record(msg)?.markdown);
    const title = stringField(markdown, 'title');
    const text = stringField(markdown, 'text');
    return title === undefined || text === undefined ? undefined : { msgtype, title, text };
  }
  if (msgtype === 'action_card') {
    const card = record(record(msg)?.action_card);
    const title = stringField(card, 'title');
    const text = stringField(card, 'markdown');
    const single = stringField(card, 'single_title') !== undefined && stringField(card, 'single_url') !== undefined;
    const buttons = Array.isArray(card?.btn_json_list) && card.btn_json_list.length > 0;
    return title === undefined || text === undefined || !(single || buttons) ? undefined : { msgtype, title, text };
  }
  if (msgtype === 'text') {
    const text = stringField(record(record(msg)?.text), 'content');
    return text === undefined ? undefined : { msgtype, title: '', text };
  }
  return undefined;
}

/** `formComponentValues`: `{name, value}` with string values, as the v1.0 model types them (§4.1). */
function formValues(value: unknown): { name: string; value: string }[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const fields = value.map((entry) => {
    const name = record(entry)?.name;
    const fieldValue = record(entry)?.value;
    return typeof name === 'string' && name !== '' && typeof fieldValue === 'string' ? { name, value: fieldValue } : undefined;
  });
  return fields.every((field) => field !== undefined) ? (fields as { name: string; value: string }[]) : undefined;
}

/** `approvers[]` flattened in order; absent means the template's own flow. `undefined` for unknown users. */
function approverIds(value: unknown, org: SandboxOrg): string[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const ids: string[] = [];
  for (const step of value) {
    const actionType = record(step)?.actionType;
    const userIds = record(step)?.userIds;
    if (!['AND', 'OR', 'NONE'].includes(String(actionType)) || !Array.isArray(userIds) || userIds.length === 0) return undefined;
    for (const id of userIds) {
      if (typeof id !== 'string' || org.user(id) === undefined) return undefined;
      ids.push(id);
    }
  }
  return ids;
}

async function controlAttempt(run: () => Promise<unknown>): Promise<ControlReply> {
  try {
    return { status: 200, body: await run() };
  } catch (error) {
    if (error instanceof DingTalkSandboxControlError) return controlFailure(error);
    throw error;
  }
}

function controlFailure(error: DingTalkSandboxControlError): ControlReply {
  return { status: error.status, body: { error: { code: error.code, message: error.message } } };
}

function write(ctx: RouterContext, reply: ControlReply): void {
  ctx.status = reply.status;
  ctx.body = reply.body;
}

async function bodyOf(ctx: RouterContext): Promise<unknown> {
  const body = await readRequestBody(ctx);
  return body.ok ? body.value : undefined;
}

function queryParam(ctx: RouterContext, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringField(value: unknown, name: string): string | undefined {
  const field = record(value)?.[name];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** An integer, also as topapi's form-encoded string. */
function integerField(value: unknown, name: string): number | undefined {
  const field = record(value)?.[name];
  const number = typeof field === 'string' && /^-?\d+$/.test(field) ? Number(field) : field;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

function sameText(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function assertDistinctApps(fixtures: readonly OrgFixture[]): void {
  const corpIds = new Set(fixtures.map((fixture) => fixture.corpId));
  const appKeys = new Set(fixtures.map((fixture) => fixture.app.appKey));
  if (corpIds.size !== fixtures.length || appKeys.size !== fixtures.length) {
    throw new Error('DingTalk sandbox fixtures need distinct corp ids and app keys');
  }
}
