import {
  CallbackCipher,
  PlatformError,
  RateLimiter,
  randomAscii,
  realSleep,
  systemClock,
  type CallbackResult,
  type PlatformAdapter,
  type PlatformDepartment,
  type PlatformMessage,
  type PlatformUser,
} from '@gonghai/plugin-core';
import { DingTalkClient, dingTalkMaxPageSize, type DingTalkClientOptions } from './dingtalk.client';
import { dingTalkJsapiSignature, dingTalkSuccessReply, openSealedCallback, readSealedCallback } from './dingtalk.crypto';
import { dingTalkEvents, isDingTalkHandshake, type DingTalkEventPayload } from './dingtalk.events';
import type { DingTalkRobotMessage, DingTalkUser, DingTalkWorkMessage } from './dingtalk.types';

export interface DingTalkAdapterOptions extends DingTalkClientOptions {
  /** Members per `user/list` page, 1..100; default 100 (DingTalk's maximum). */
  directoryPageSize?: number;
  /** The tenant's UTC offset, for `hiredDate`; default +08:00 (China has one zone and no DST). */
  utcOffsetMinutes?: number;
}

/** DingTalk's root department (dingtalk-api §2.1). */
const rootDepartmentId = 1;

/** The port over one tenant's DingTalk app; it only translates. */
export function createDingTalkAdapter(options: DingTalkAdapterOptions): PlatformAdapter {
  const client = new DingTalkClient(options);
  const { credentials } = options;
  const clock = options.clock ?? systemClock;
  const pageSize = Math.min(Math.max(options.directoryPageSize ?? dingTalkMaxPageSize, 1), dingTalkMaxPageSize);
  const offsetMs = (options.utcOffsetMinutes ?? 480) * 60_000;
  // A custom robot takes 20 messages a minute and then refuses (130101) for a while (dingtalk-api §3.1): wait instead.
  // DingTalk counts arrivals and the limiter counts departures, so a second of margin covers the trip.
  const robots = new RateLimiter({ limit: 20, windowMs: 61_000, clock, sleep: options.sleep ?? realSleep });
  // One send at a time per robot: a slot freed by the clock must not let a message overtake an earlier one still on
  // its way, or DingTalk would see 21 in its minute.
  const robotQueues = new Map<string, Promise<unknown>>();
  function oneAtATime(token: string, send: () => Promise<void>): Promise<void> {
    const turn = (robotQueues.get(token) ?? Promise.resolve()).then(send);
    const settled = turn.catch(() => undefined);
    robotQueues.set(token, settled);
    void settled.then(() => {
      if (robotQueues.get(token) === settled) robotQueues.delete(token);
    });
    return turn;
  }
  let cipher: CallbackCipher | undefined;

  function platformUser(user: DingTalkUser): PlatformUser {
    const leaderOf = (user.leader_in_dept ?? []).filter((entry) => entry.leader).map((entry) => String(entry.dept_id));
    return {
      userId: user.userid,
      name: user.name,
      departmentIds: (user.dept_id_list ?? []).map(String),
      leaderOf,
      managerUserId: user.manager_userid || null,
      mobile: user.mobile || null,
      title: user.title || null,
      hiredDate: typeof user.hired_date === 'number' ? localDate(user.hired_date, offsetMs) : null,
      ...(user.admin === true ? { admin: true } : {}),
    };
  }

  return {
    platform: 'dingtalk',
    auth: {
      async exchangeLoginCode(code) {
        const user = await client.getUserInfoByCode(code);
        // The answer names no corp: it is the corp whose app token asked (dingtalk-api §1.3).
        return { corpId: credentials.corpId, platformUserId: user.userid };
      },
    },

    directory: {
      /** Breadth first from the root: `listsub` gives one level at a time, so parents always come first. */
      async *departments(): AsyncIterable<PlatformDepartment> {
        const root = await client.getDepartment(rootDepartmentId);
        yield { id: String(root.dept_id), name: root.name, parentId: null };
        const queue = [root.dept_id];
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          for (const child of await client.listSubDepartments(next)) {
            yield { id: String(child.dept_id), name: child.name, parentId: String(child.parent_id ?? next) };
            queue.push(child.dept_id);
          }
        }
      },

      /**
       * Pages `user/list`, then reads each member with `user/get`: only that answer has the manager and every
       * department the user leads (`user/list` knows the leader flag of the listed department alone, §2.2–§2.3).
       */
      async *users(departmentId: string): AsyncIterable<PlatformUser> {
        const deptId = departmentNumber(departmentId);
        let cursor: number | undefined = 0;
        while (cursor !== undefined) {
          const page = await client.listUsers(deptId, cursor, pageSize);
          for (const listed of page.users) {
            const detail = await client.getUser(listed.userid);
            // Gone between the two calls: it left the org, and a contact event will say so.
            if (detail !== null) yield platformUser(detail);
          }
          cursor = page.nextCursor;
        }
      },

      async user(userId) {
        if (userId === '') return null;
        const user = await client.getUser(userId);
        return user === null ? null : platformUser(user);
      },
    },

    messages: {
      toGroupBot(bot, message) {
        return oneAtATime(bot.token, async () => {
          await robots.acquire(bot.token);
          await client.sendRobot(bot, robotMessage(message));
        });
      },

      /**
       * A work notification (工作通知, `asyncsend_v2`) rather than the enterprise robot's batchSend: it needs only the
       * oapi token and the agent id the tenant already configures, and takes up to 5000 users a call (§3.3).
       */
      async toUsers(userIds, message) {
        if (userIds.length === 0) return;
        if (userIds.some((id) => id === '' || id.includes(','))) {
          throw new PlatformError('INVALID_ARGUMENT', 'DingTalk user ids must be non-empty and contain no comma');
        }
        for (let start = 0; start < userIds.length; start += 5000) {
          await client.sendWorkNotification(userIds.slice(start, start + 5000), workMessage(message));
        }
      },
    },

    approvals: {
      /**
       * DingTalk titles an instance itself ("<name>提交的<template>"), so `title` is not sent; each field becomes a
       * form component by its label, and approvers in order each approve alone (`NONE`, §4.1).
       */
      async start(request) {
        const processCode = credentials.approvalTemplateId;
        if (processCode === undefined || processCode === '') {
          throw new PlatformError('INVALID_CREDENTIALS', 'this DingTalk app has no approval template (processCode)');
        }
        const approvers = request.approverUserIds ?? [];
        return client.startProcessInstance({
          processCode,
          originatorUserId: request.originatorUserId,
          formComponentValues: request.fields.map((field) => ({ name: field.name, value: field.value })),
          ...(approvers.length === 0
            ? {}
            : { approvers: approvers.map((id) => ({ actionType: 'NONE' as const, userIds: [id] })) }),
        });
      },
    },

    callbacks: {
      handle(request): CallbackResult {
        if (credentials.callback === undefined) {
          throw new PlatformError('BAD_SIGNATURE', 'this DingTalk app has no callback token and key configured');
        }
        if (request.method !== 'POST') throw new PlatformError('BAD_SIGNATURE', 'DingTalk callbacks are POST requests');
        cipher ??= new CallbackCipher(credentials.callback);
        const now = clock.now();
        const plaintext = openSealedCallback(cipher, readSealedCallback(request.rawQuery, request.body), now);
        const payload = parsePayload(plaintext);
        const events = isDingTalkHandshake(payload) ? [] : dingTalkEvents(payload, now);
        // Events the port has no word for are acknowledged too: otherwise DingTalk redelivers them again and again.
        const reply = dingTalkSuccessReply(cipher, now);
        return { reply: { status: 200, contentType: 'application/json', body: JSON.stringify(reply) }, events };
      },
    },

    jsapi: {
      async signature(url) {
        const ticket = await client.getJsapiTicket();
        // dd.config wants milliseconds (unlike WeCom's seconds).
        const timestamp = String(clock.now());
        const nonceStr = randomAscii(16).toString('ascii');
        return {
          platform: 'dingtalk',
          corpId: credentials.corpId,
          agentId: credentials.agentId,
          timestamp,
          nonceStr,
          signature: dingTalkJsapiSignature(ticket, nonceStr, timestamp, url),
        };
      },
    },
  };
}

function robotMessage(message: PlatformMessage): DingTalkRobotMessage {
  if (message.kind === 'markdown') return { msgtype: 'markdown', markdown: { title: message.title, text: message.text } };
  return {
    msgtype: 'actionCard',
    actionCard: {
      title: message.title,
      text: message.text,
      btnOrientation: '0',
      singleTitle: message.buttonText,
      singleURL: message.url,
    },
  };
}

function workMessage(message: PlatformMessage): DingTalkWorkMessage {
  if (message.kind === 'markdown') return { msgtype: 'markdown', markdown: { title: message.title, text: message.text } };
  return {
    msgtype: 'action_card',
    action_card: { title: message.title, markdown: message.text, single_title: message.buttonText, single_url: message.url },
  };
}

function parsePayload(plaintext: string): DingTalkEventPayload {
  try {
    const value = JSON.parse(plaintext) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as DingTalkEventPayload;
  } catch {
    // Falls through: signed by DingTalk but not JSON is still not something we can act on.
  }
  throw new PlatformError('BAD_RESPONSE', 'DingTalk callback plaintext is not a JSON object');
}

function departmentNumber(departmentId: string): number {
  if (!/^\d{1,15}$/.test(departmentId)) {
    throw new PlatformError('INVALID_ARGUMENT', `DingTalk department ids are numbers, got "${departmentId}"`);
  }
  return Number(departmentId);
}

/** `YYYY-MM-DD` of an instant in the tenant's zone. */
function localDate(epochMs: number, offsetMs: number): string {
  return new Date(epochMs + offsetMs).toISOString().slice(0, 10);
}
