import { randomBytes, randomInt } from 'node:crypto';
import {
  SandboxAccessTokens,
  SandboxControl,
  SandboxControlError,
  SandboxFaults,
  SandboxInbox,
  SandboxLoginCodes,
  loginChannelField,
  SandboxRateWindow,
  parseOrgUser,
  readRequestBody,
  systemClock,
  type Clock,
  type ControlReply,
  type InboxMessage,
  type LoginChannel,
  type OrgFixture,
  type OrgUserInput,
  type SandboxApproval,
  type SandboxFault,
} from '@gonghai/plugin-core';
import { Router, type RouterContext } from '@koa/router';
import type { WeComReply } from '../wecom.types';
import {
  approvalChangeXml,
  contactChangeXml,
  sealCallback,
  sendCallback,
  type WeComDelivery,
} from './wecom.callback-sender';
import { weComErrmsg } from './wecom.errmsg';
import { copyFixture, findUser, subtreeIds, weComDepartments, weComUser, type OrgUser } from './wecom.org';

export const weComSandboxPrefix = '/sandbox/wecom';

/** The vendor paths served under the prefix, as the real `qyapi.weixin.qq.com` serves them. */
export const weComSandboxPaths = {
  token: '/cgi-bin/gettoken',
  code2Session: '/cgi-bin/miniprogram/jscode2session',
  oauthUserInfo: '/cgi-bin/auth/getuserinfo',
  departmentList: '/cgi-bin/department/list',
  userList: '/cgi-bin/user/list',
  userGet: '/cgi-bin/user/get',
  messageSend: '/cgi-bin/message/send',
  webhookSend: '/cgi-bin/webhook/send',
  templateDetail: '/cgi-bin/oa/gettemplatedetail',
  applyEvent: '/cgi-bin/oa/applyevent',
  corpTicket: '/cgi-bin/get_jsapi_ticket',
  agentTicket: '/cgi-bin/ticket/get',
} as const;

/** The Text controls every sandbox approval template has, unless `approvalControlTitles` says otherwise. */
export const defaultWeComApprovalControlTitles: readonly string[] = ['新人', '客户数', '区域', '客户', '说明'];

export interface WeComSandboxOptions {
  /** One per corp, each with its app's credentials (the corp secret is `app.appSecret`). Copied, never changed. */
  fixtures: readonly OrgFixture[];
  /** Token, code, rate-limit and callback times follow this clock; default the system clock. */
  clock?: Clock;
  /** The titles of the Text controls of every approval template (`oa/gettemplatedetail`). */
  approvalControlTitles?: readonly string[];
  /** Model an app created after 2022-06-20: `user/get` and `user/list` carry no `mobile` (wecom-api §3). */
  hideMobiles?: boolean;
}

/** A started approval as `GET _control/approvals` lists it. */
export type WeComSandboxApproval = SandboxApproval;

/** The answer of an org change: `delivered` is WeCom's verdict on the server's reply. */
export type WeComOrgChangeResult = { delivered: false } | WeComDelivery;

export interface WeComSandbox {
  /** Mount with `app.use(router.routes())`; every route is under `/sandbox/wecom`. */
  readonly router: Router;
  /**
   * A login code as `wx.qy.login` (`miniprogram`, the default) or the OAuth redirect to an H5 page (`oauth`) would give
   * it: single use, five minutes, good only at its channel's endpoint. Throws for an unknown corp or user.
   */
  mintLoginCode(corpId: string, userId: string, channel?: LoginChannel): string;
  /** An OAuth code of a visitor who is no member of the corp: `auth/getuserinfo` answers an `openid`, no `userid`. */
  mintNonMemberOAuthCode(corpId: string): string;
  /** Expires every access token now; returns how many were live. */
  expireTokens(): number;
  /** Plans wrong answers for a vendor path, like `POST _control/faults`. */
  injectFault(fault: SandboxFault): void;
  /** How many requests reached a vendor path (e.g. `/cgi-bin/gettoken`), faulted ones included. */
  callCount(path: string): number;
  /** Everything WeCom received from us since `since` (ISO-8601), like `GET _control/messages`. */
  messages(since?: string): InboxMessage[];
  /** Adds (or updates) a member and delivers `change_contact` create_user (update_user); default the first corp. */
  addUser(user: OrgUserInput, corpId?: string): Promise<WeComOrgChangeResult>;
  /** Removes a member and delivers `change_contact` delete_user. Throws for an unknown user. */
  removeUser(userId: string, corpId?: string): Promise<WeComOrgChangeResult>;
  /** Every approval started through `oa/applyevent`, oldest first. */
  approvals(): WeComSandboxApproval[];
  /** Approves or rejects a pending approval and delivers `sys_approval_change` `deliveries` times (same request). */
  decide(instanceId: string, approved: boolean, deliveries?: number): Promise<WeComDelivery[]>;
  /** The originator withdraws a pending approval (`SpStatus` 4); delivered like `decide`. */
  withdraw(instanceId: string, deliveries?: number): Promise<WeComDelivery[]>;
  /** The JS-SDK ticket most recently issued to a corp (`corp`: get_jsapi_ticket, `agent`: agent_config). */
  lastTicket(corpId: string, kind: 'corp' | 'agent'): string | undefined;
}

type Handler = (ctx: RouterContext) => Promise<WeComReply> | WeComReply;
type Authorized = (fixture: OrgFixture, ctx: RouterContext) => Promise<WeComReply> | WeComReply;

interface StoredApproval extends WeComSandboxApproval {
  corpId: string;
  appliedAt: number;
}

/** WeCom's server API and the DESIGN §6 control endpoints, over in-memory orgs. */
export function createWeComSandbox(options: WeComSandboxOptions): WeComSandbox {
  const clock = options.clock ?? systemClock;
  const fixtures = options.fixtures.map(copyFixture);
  if (new Set(fixtures.map((fixture) => fixture.corpId)).size !== fixtures.length) {
    throw new Error('WeCom sandbox fixtures need distinct corp ids');
  }
  const controlTitles = options.approvalControlTitles ?? defaultWeComApprovalControlTitles;
  const codes = new SandboxLoginCodes(clock);
  // OAuth codes of people outside the corp, owned by their openid.
  const visitorCodes = new SandboxLoginCodes(clock);
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
  const inbox = new SandboxInbox(clock);
  const robotWindow = new SandboxRateWindow(clock, 20, 60_000);
  // 400 corp tickets and 100 app tickets an hour (wecom-api §2c).
  const corpTicketWindow = new SandboxRateWindow(clock, 400, 3_600_000);
  const agentTicketWindow = new SandboxRateWindow(clock, 100, 3_600_000);
  const tickets = new Map<string, string>();
  const approvals: StoredApproval[] = [];
  // WeCom numbers approvals by day and serial (wecom-api §5a), never twice for a corp. A sandbox forgets its approvals
  // when it restarts, so its serials start at a random point: a restarted sandbox does not hand out an id it gave
  // before (issue 16). 16 digits in all, so SpNo stays an exact number.
  const firstSerial = randomInt(1, 100_000_000);
  const calls = new Map<string, number>();

  function failure(errcode: number, extra: Record<string, unknown> = {}): WeComReply {
    return { errcode, errmsg: weComErrmsg(errcode, clock.now()), ...extra };
  }

  function ok(fields: Record<string, unknown> = {}): WeComReply {
    return { errcode: 0, errmsg: 'ok', ...fields };
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

  /** A vendor route that needs `access_token`: 41001 without, 40014 bad, 42001 expired. */
  function withToken(path: string, handler: Authorized) {
    return vendorRoute(path, (ctx) => {
      const accessToken = queryParam(ctx, 'access_token');
      if (accessToken === undefined) return failure(41001);
      const token = tokens.check(accessToken);
      if (token.status === 'invalid') return failure(40014);
      if (token.status === 'expired') return failure(42001);
      const fixture = fixtures.find((candidate) => candidate.corpId === token.owner);
      if (fixture === undefined) return failure(40014);
      return handler(fixture, ctx);
    });
  }

  function corp(corpId: string | undefined): OrgFixture {
    const fixture = corpId === undefined ? fixtures[0] : fixtures.find((candidate) => candidate.corpId === corpId);
    if (fixture === undefined) throw new SandboxControlError('unknown_corp', `no corp "${corpId ?? ''}" in the sandbox`);
    return fixture;
  }

  function templateControls(templateId: string) {
    return controlTitles.map((title, index) => ({ control: 'Text', id: `Text-${templateId.slice(0, 6)}${1000 + index}`, title }));
  }

  async function deliver(fixture: OrgFixture, plaintext: string, times = 1): Promise<WeComDelivery[]> {
    const sealed = sealCallback(fixture, plaintext, clock);
    if (sealed === undefined) return [];
    const results: WeComDelivery[] = [];
    for (let attempt = 0; attempt < times; attempt += 1) results.push(await sendCallback(fixture, sealed));
    return results;
  }

  async function addUser(input: OrgUserInput, corpId?: string): Promise<WeComOrgChangeResult> {
    const fixture = corp(corpId);
    const known = new Set(fixture.departments.map((department) => department.id));
    const missing = input.departmentIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new SandboxControlError('invalid_request', `corp "${fixture.corpId}" has no department ${missing.join(', ')}`);
    }
    const existing = findUser(fixture, input.userId);
    const user: OrgUser = {
      mobile: existing?.mobile ?? '13800000000',
      title: existing?.title ?? '',
      hiredDate: existing?.hiredDate ?? new Date(clock.now()).toISOString().slice(0, 10),
      ...input,
    };
    if (existing === undefined) fixture.users.push(user);
    else fixture.users.splice(fixture.users.indexOf(existing), 1, user);
    const change = existing === undefined ? 'create_user' : 'update_user';
    const [delivery] = await deliver(fixture, contactChangeXml(fixture, change, user, clock));
    return delivery ?? { delivered: false };
  }

  async function removeUser(userId: string, corpId?: string): Promise<WeComOrgChangeResult> {
    const fixture = corp(corpId);
    const user = findUser(fixture, userId);
    if (user === undefined) throw new SandboxControlError('unknown_user', `no user "${userId}" in corp "${fixture.corpId}"`);
    fixture.users.splice(fixture.users.indexOf(user), 1);
    const [delivery] = await deliver(fixture, contactChangeXml(fixture, 'delete_user', user, clock));
    return delivery ?? { delivered: false };
  }

  type Outcome = Exclude<WeComSandboxApproval['status'], 'pending'>;

  async function settle(instanceId: string, outcome: Outcome, deliveries = 1): Promise<WeComDelivery[]> {
    const approval = approvals.find((candidate) => candidate.instanceId === instanceId);
    if (approval === undefined) throw new SandboxControlError('invalid_request', `no approval "${instanceId}"`);
    if (approval.status !== 'pending') {
      throw new SandboxControlError('invalid_request', `approval "${instanceId}" is already ${approval.status}`);
    }
    if (!Number.isInteger(deliveries) || deliveries < 1 || deliveries > 5) {
      throw new SandboxControlError('invalid_request', 'deliveries must be an integer from 1 to 5');
    }
    approval.status = outcome;
    const fixture = corp(approval.corpId);
    return deliver(fixture, approvalChangeXml(fixture, approval, outcome, clock), deliveries);
  }
  function mintNonMemberOAuthCode(corpId: string): string {
    if (!fixtures.some((fixture) => fixture.corpId === corpId)) {
      throw new SandboxControlError('unknown_corp', `no corp "${corpId}" in the sandbox`);
    }
    // Shaped like a WeChat openid: 28 characters starting with "o".
    const openid = `o${randomBytes(20).toString('base64url')}`;
    return visitorCodes.mint({ corpId, userId: openid, channel: 'oauth' });
  }

  const decide = (instanceId: string, approved: boolean, deliveries?: number) =>
    settle(instanceId, approved ? 'approved' : 'rejected', deliveries);

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
      return ok({ access_token: issued.accessToken, expires_in: issued.expiresIn });
    }),
  );

  router.get(
    weComSandboxPaths.code2Session,
    withToken(weComSandboxPaths.code2Session, (_fixture, ctx) => {
      const code = queryParam(ctx, 'js_code');
      if (code === undefined) return failure(41008);
      // An OAuth code means nothing here (wecom-api §2a/§2b): WeCom calls it invalid.
      const owner = codes.redeem(code, { channel: 'miniprogram' });
      if (owner === undefined) return failure(40029);
      // WeCom names the code's own corp, which may not be the token's (wecom-api §2a): the caller must check.
      const sessionKey = randomBytes(16).toString('base64');
      return { corpid: owner.corpId, userid: owner.userId, session_key: sessionKey, errcode: 0, errmsg: 'ok' };
    }),
  );

  router.get(
    weComSandboxPaths.oauthUserInfo,
    withToken(weComSandboxPaths.oauthUserInfo, (fixture, ctx) => {
      const code = queryParam(ctx, 'code');
      if (code === undefined) return failure(41008);
      // The code was issued for one app's redirect: a mini-program code or another corp's code is invalid here.
      const scope = { channel: 'oauth', corpId: fixture.corpId } as const;
      const member = codes.redeem(code, scope);
      // Members get the lowercase `userid` of the new endpoint, whether or not the app can see them (wecom-api §2b).
      if (member !== undefined) return ok({ userid: member.userId });
      const visitor = visitorCodes.redeem(code, scope);
      if (visitor !== undefined) return ok({ openid: visitor.userId });
      return failure(40029);
    }),
  );

  router.get(
    weComSandboxPaths.departmentList,
    withToken(weComSandboxPaths.departmentList, (fixture, ctx) => {
      const id = queryParam(ctx, 'id');
      const all = weComDepartments(fixture);
      if (id === undefined) return ok({ department: all });
      if (!fixture.departments.some((department) => String(department.id) === id)) return failure(60003);
      const subtree = subtreeIds(fixture, Number(id));
      return ok({ department: all.filter((department) => subtree.has(department.id)) });
    }),
  );

  router.get(
    weComSandboxPaths.userList,
    withToken(weComSandboxPaths.userList, (fixture, ctx) => {
      const id = queryParam(ctx, 'department_id');
      if (id === undefined) return failure(40058);
      const department = fixture.departments.find((candidate) => String(candidate.id) === id);
      if (department === undefined) return failure(60003);
      // No recursion: only the department's own members (wecom-api §3).
      const members = fixture.users.filter((user) => user.departmentIds.includes(department.id));
      return ok({ userlist: members.map((user) => weComUser(fixture, user, options.hideMobiles !== true)) });
    }),
  );

  router.get(
    weComSandboxPaths.userGet,
    withToken(weComSandboxPaths.userGet, (fixture, ctx) => {
      const userId = queryParam(ctx, 'userid');
      if (userId === undefined) return failure(40058);
      const user = findUser(fixture, userId);
      if (user === undefined) return failure(60111);
      return ok(weComUser(fixture, user, options.hideMobiles !== true));
    }),
  );

  router.post(
    weComSandboxPaths.messageSend,
    withToken(weComSandboxPaths.messageSend, async (fixture, ctx) => {
      const body = await jsonBody(ctx);
      if (body === undefined) return failure(40058);
      if (body.agentid !== Number(fixture.app.agentId)) return failure(40056);
      const content = readContent(body);
      if (typeof content === 'number') return failure(content);
      if (typeof body.touser !== 'string' || body.touser === '') return failure(40058);
      const wanted = body.touser === '@all' ? fixture.users.map((user) => user.userId) : body.touser.split('|');
      const valid = wanted.map((userId) => findUser(fixture, userId)?.userId).filter((userId) => userId !== undefined);
      const invalid = wanted.filter((userId) => findUser(fixture, userId) === undefined);
      const invaliduser = invalid.join('|');
      if (valid.length === 0) return failure(81013, { invaliduser });
      inbox.record({ channel: 'direct', target: fixture.app.agentId, to: valid, ...content });
      return ok({ invaliduser, invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: randomBytes(16).toString('hex') });
    }),
  );

  router.post(
    weComSandboxPaths.webhookSend,
    vendorRoute(weComSandboxPaths.webhookSend, async (ctx) => {
      const key = queryParam(ctx, 'key');
      const known = fixtures.some((fixture) => (fixture.robots ?? []).some((robot) => robot.token === key));
      if (key === undefined || !known) return failure(93000);
      if (!robotWindow.allow(key)) return failure(45009);
      const body = await jsonBody(ctx);
      if (body === undefined) return failure(40058);
      const content = readContent(body);
      if (typeof content === 'number') return failure(content);
      inbox.record({ channel: 'group', target: key, to: [], ...content });
      return ok();
    }),
  );

  router.post(
    weComSandboxPaths.templateDetail,
    withToken(weComSandboxPaths.templateDetail, async (fixture, ctx) => {
      const body = await jsonBody(ctx);
      const templateId = body?.template_id;
      if (typeof templateId !== 'string' || !(fixture.approvalTemplateIds ?? []).includes(templateId)) return failure(301025);
      const controls = templateControls(templateId).map(({ control, id, title }) => ({
        property: { control, id, title: [{ text: title, lang: 'zh_CN' }], require: 0, un_print: 0 },
        config: {},
      }));
      return ok({ template_names: [{ text: '审批', lang: 'zh_CN' }], template_content: { controls } });
    }),
  );

  router.post(
    weComSandboxPaths.applyEvent,
    withToken(weComSandboxPaths.applyEvent, async (fixture, ctx) => {
      const body = await jsonBody(ctx);
      const application = body === undefined ? undefined : readApplication(fixture, body);
      if (application === undefined) return failure(301025);
      const day = new Date(clock.now()).toISOString().slice(0, 10).replace(/-/g, '');
      const instanceId = `${day}${String((firstSerial + approvals.length) % 100_000_000).padStart(8, '0')}`;
      approvals.push({ ...application, instanceId, corpId: fixture.corpId, status: 'pending', appliedAt: clock.now() });
      return ok({ sp_no: instanceId });
    }),
  );

  function ticketRoute(path: string, kind: 'corp' | 'agent', window: SandboxRateWindow) {
    return withToken(path, (fixture, ctx) => {
      if (kind === 'agent' && queryParam(ctx, 'type') !== 'agent_config') return failure(40058);
      if (!window.allow(fixture.corpId)) return failure(45009);
      const ticket = randomBytes(32).toString('base64url');
      tickets.set(`${fixture.corpId}/${kind}`, ticket);
      return ok({ ticket, expires_in: 7200 });
    });
  }
  router.get(weComSandboxPaths.corpTicket, ticketRoute(weComSandboxPaths.corpTicket, 'corp', corpTicketWindow));
  router.get(weComSandboxPaths.agentTicket, ticketRoute(weComSandboxPaths.agentTicket, 'agent', agentTicketWindow));

  /** Reads the application like WeCom: every problem is 301025 (wecom-api §5a). */
  function readApplication(
    fixture: OrgFixture,
    body: Record<string, unknown>,
  ): Omit<WeComSandboxApproval, 'instanceId' | 'status'> | undefined {
    const templateId = body.template_id;
    const creator = typeof body.creator_userid === 'string' ? findUser(fixture, body.creator_userid) : undefined;
    if (typeof templateId !== 'string' || !(fixture.approvalTemplateIds ?? []).includes(templateId) || creator === undefined) {
      return undefined;
    }
    if ((body as { notify_type?: unknown }).notify_type === 0) return undefined;
    let approverUserIds: string[] = [];
    if (body.use_template_approver === 0) {
      const nodes = Array.isArray(body.approver) ? (body.approver as unknown[]) : [];
      const ids = nodes.map((node) => {
        const { attr, userid } = (node ?? {}) as { attr?: unknown; userid?: unknown };
        const users = Array.isArray(userid) ? userid : [];
        return (attr === 1 || attr === 2) && users.length > 0 ? users : undefined;
      });
      if (ids.length === 0 || ids.some((users) => users === undefined)) return undefined;
      const flat = ids.flat() as unknown[];
      if (!flat.every((userId) => typeof userId === 'string' && findUser(fixture, userId) !== undefined)) return undefined;
      approverUserIds = flat as string[];
    } else if (body.use_template_approver !== 1) {
      return undefined;
    }
    const controls = templateControls(templateId);
    const contents = (body.apply_data as { contents?: unknown } | undefined)?.contents;
    if (!Array.isArray(contents)) return undefined;
    const fields: { name: string; value: string }[] = [];
    for (const content of contents as unknown[]) {
      const { control: type, id, value } = (content ?? {}) as { control?: unknown; id?: unknown; value?: { text?: unknown } };
      const control = controls.find((candidate) => candidate.id === id && candidate.control === type);
      if (control === undefined || typeof value?.text !== 'string') return undefined;
      fields.push({ name: control.title, value: value.text });
    }
    const summary = Array.isArray(body.summary_list) ? (body.summary_list as { summary_info?: { text?: unknown }[] }[]) : [];
    const title = summary[0]?.summary_info?.[0]?.text;
    return {
      templateId,
      originatorUserId: creator.userId,
      title: typeof title === 'string' ? title : '',
      fields,
      approverUserIds,
    };
  }

  /** Besides the shared `{corpId, userId, channel?}`, `{corpId, channel: "oauth", nonMember: true}` mints a visitor's code. */
  router.post('/_control/login-code', async (ctx) => {
    const request = await readRequestBody(ctx);
    const body = request.ok ? request.value : undefined;
    if (typeof body !== 'object' || body === null || (body as { nonMember?: unknown }).nonMember !== true) {
      write(ctx, control.loginCode(request));
      return;
    }
    if (loginChannelField(body) !== 'oauth') {
      const message = 'a non-member can only have an OAuth code: expected {"corpId": string, "channel": "oauth", "nonMember": true}';
      write(ctx, { status: 400, body: { error: { code: 'invalid_request', message } } });
      return;
    }
    const corpId = stringOf((body as Record<string, unknown>).corpId);
    write(ctx, await attempt(async () => ({ code: mintNonMemberOAuthCode(corpId ?? '') })));
  });
  router.post('/_control/tokens/expire', (ctx) => {
    write(ctx, control.expireTokens());
  });
  router.post('/_control/faults', async (ctx) => {
    write(ctx, control.addFault(await readRequestBody(ctx)));
  });
  router.get('/_control/messages', (ctx) => {
    const since = queryParam(ctx, 'since');
    try {
      write(ctx, { status: 200, body: { items: inbox.since(since) } });
    } catch (error) {
      write(ctx, { status: 400, body: { error: { code: 'invalid_request', message: (error as Error).message } } });
    }
  });
  router.post('/_control/org/users', async (ctx) => {
    const request = await readRequestBody(ctx);
    const input = parseOrgUser(request);
    if (typeof input === 'string') {
      const status = !request.ok && request.reason === 'too_large' ? 413 : 400;
      write(ctx, { status, body: { error: { code: request.ok ? 'invalid_request' : request.reason, message: input } } });
      return;
    }
    const corpId = request.ok ? stringOf((request.value as Record<string, unknown>).corpId) : undefined;
    write(ctx, await attempt(() => addUser(input, corpId)));
  });
  router.delete('/_control/org/users/:userId', async (ctx) => {
    const userId = ctx.params.userId ?? '';
    write(ctx, await attempt(() => removeUser(userId, queryParam(ctx, 'corpId')), 404));
  });
  router.get('/_control/approvals', (ctx) => {
    write(ctx, { status: 200, body: { items: approvals.map(publicApproval) } });
  });
  /** `decide` `{approved, deliveries?}` and `withdraw` `{deliveries?}`: 404 unknown, 400 not pending or a bad body. */
  function settleRoute(outcomeOf: (body: { approved?: unknown }) => 'approved' | 'rejected' | 'withdrawn' | undefined, expected: string) {
    return async (ctx: RouterContext) => {
      const request = await readRequestBody(ctx);
      const body = ((request.ok ? request.value : undefined) ?? {}) as { approved?: unknown; deliveries?: unknown };
      const outcome = typeof body === 'object' ? outcomeOf(body) : undefined;
      if (!request.ok || outcome === undefined || (body.deliveries !== undefined && typeof body.deliveries !== 'number')) {
        write(ctx, { status: 400, body: { error: { code: 'invalid_request', message: `expected a JSON body ${expected}` } } });
        return;
      }
      const instanceId = ctx.params.instanceId ?? '';
      if (!approvals.some((approval) => approval.instanceId === instanceId)) {
        write(ctx, { status: 404, body: { error: { code: 'unknown_approval', message: `no approval "${instanceId}"` } } });
        return;
      }
      write(
        ctx,
        await attempt(async () => {
          const results = await settle(instanceId, outcome, (body.deliveries as number | undefined) ?? 1);
          return { instanceId, status: outcome, delivered: results.length > 0 && results.every((result) => result.delivered), deliveries: results };
        }),
      );
    };
  }
  router.post(
    '/_control/approvals/:instanceId/decide',
    settleRoute(
      (body) => (typeof body.approved === 'boolean' ? (body.approved ? 'approved' : 'rejected') : undefined),
      '{"approved": boolean, "deliveries"?: integer 1..5}',
    ),
  );
  router.post('/_control/approvals/:instanceId/withdraw', settleRoute(() => 'withdrawn', '{"deliveries"?: integer 1..5}'));

  return {
    router,
    mintLoginCode: (corpId, userId, channel) => control.mintLoginCode(corpId, userId, channel),
    mintNonMemberOAuthCode,
    expireTokens: () => tokens.expireAll(),
    injectFault: (fault) => {
      control.injectFault(fault);
    },
    callCount: (path) => calls.get(path) ?? 0,
    messages: (since) => inbox.since(since),
    addUser,
    removeUser,
    approvals: () => approvals.map(publicApproval),
    decide,
    withdraw: (instanceId, deliveries) => settle(instanceId, 'withdrawn', deliveries),
    lastTicket: (corpId, kind) => tickets.get(`${corpId}/${kind}`),
  };
}

function publicApproval(approval: StoredApproval): WeComSandboxApproval {
  const { instanceId, templateId, originatorUserId, title, fields, approverUserIds, status } = approval;
  return { instanceId, templateId, originatorUserId, title, fields: fields.map((field) => ({ ...field })), approverUserIds: [...approverUserIds], status };
}

/**
 * What the inbox records of a message body (`markdown`, `text`, `textcard`, `template_card`, `news`), or the errcode
 * WeCom answers: 40008 for an unknown type, 44004 for empty content. A markdown heading on the first line is the title.
 */
function readContent(body: Record<string, unknown>): Pick<InboxMessage, 'msgtype' | 'title' | 'text'> | number {
  const msgtype = body.msgtype;
  const part = (typeof msgtype === 'string' ? body[msgtype] : undefined) as Record<string, unknown> | undefined;
  if (typeof msgtype !== 'string' || typeof part !== 'object' || part === null) return 40008;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (msgtype) {
    case 'text':
    case 'markdown': {
      const content = text(part.content);
      if (content === '') return 44004;
      const heading = /^#{1,6} +(.*)\n?/.exec(content);
      return heading === null
        ? { msgtype, title: '', text: content }
        : { msgtype, title: heading[1] ?? '', text: content.slice(heading[0].length) };
    }
    case 'textcard':
      if (text(part.title) === '' || text(part.url) === '') return 44004;
      return { msgtype, title: text(part.title), text: text(part.description) };
    case 'template_card':
      return {
        msgtype,
        title: text((part.main_title as { title?: unknown } | undefined)?.title),
        text: text(part.sub_title_text),
      };
    case 'news': {
      const [article] = Array.isArray(part.articles) ? (part.articles as Record<string, unknown>[]) : [];
      if (article === undefined) return 44004;
      return { msgtype, title: text(article.title), text: text(article.description) };
    }
    default:
      return 40008;
  }
}

async function attempt(run: () => Promise<unknown>, unknownUserStatus = 400): Promise<ControlReply> {
  try {
    return { status: 200, body: await run() };
  } catch (error) {
    if (!(error instanceof SandboxControlError)) throw error;
    const status = error.code === 'unknown_user' ? unknownUserStatus : 400;
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
}

async function jsonBody(ctx: RouterContext): Promise<Record<string, unknown> | undefined> {
  const body = await readRequestBody(ctx);
  return body.ok && typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)
    ? (body.value as Record<string, unknown>)
    : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function write(ctx: RouterContext, reply: ControlReply): void {
  ctx.status = reply.status;
  ctx.body = reply.body;
}

function queryParam(ctx: RouterContext, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
