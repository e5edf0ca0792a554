import {
  PlatformError,
  RateLimiter,
  randomAscii,
  realSleep,
  systemClock,
  type PlatformAdapter,
} from '@gonghai/plugin-core';
import { applyEventBody, type WeComTemplateControl } from './wecom.approvals';
import { createWeComCallbacks } from './wecom.callbacks';
import { WeComClient, type WeComClientOptions } from './wecom.client';
import { defaultHiredDateAttribute, departmentsParentsFirst, toPlatformUser } from './wecom.directory';
import { weComJsapiSignature, withoutFragment } from './wecom.jsapi';
import { appMessage, robotMessage } from './wecom.messages';

/** The part of a pino logger the adapter uses. */
export interface WeComLogger {
  warn(details: object, message: string): void;
}

export interface WeComAdapterOptions extends WeComClientOptions {
  /** Where partly failed sends are reported (recipients WeCom called invalid); default nowhere. */
  logger?: WeComLogger;
  /** Share one robot limiter between the adapters of tenants that may post to the same robot; default one each. */
  robotLimiter?: RateLimiter;
  /** The `extattr` text attribute holding the hire date (`YYYY-MM-DD`); default `入职日期`. */
  hiredDateAttribute?: string;
}

/** WeCom takes at most 1000 `touser` ids per message (wecom-api §4a). */
const maxRecipients = 1000;

/**
 * A limiter for group robots: 20 messages a minute each (wecom-api §4b). The extra second keeps the network's jitter
 * between our clock and WeCom's from ever crossing the limit.
 */
export function createWeComRobotLimiter(options: Pick<WeComAdapterOptions, 'clock' | 'sleep'> = {}): RateLimiter {
  return new RateLimiter({ limit: 20, windowMs: 61_000, clock: options.clock ?? systemClock, sleep: options.sleep ?? realSleep });
}

/** The port over one tenant's WeCom app; it only translates. */
export function createWeComAdapter(options: WeComAdapterOptions): PlatformAdapter {
  const client = new WeComClient(options);
  const { credentials } = options;
  const clock = options.clock ?? systemClock;
  const robots = options.robotLimiter ?? createWeComRobotLimiter(options);
  const robotTurns = new KeyedQueue();
  const hiredDateAttribute = options.hiredDateAttribute ?? defaultHiredDateAttribute;
  // A template's controls do not change while the app runs; a failed read is not kept.
  const templates = new Map<string, Promise<WeComTemplateControl[]>>();
  const templateControls = (templateId: string) => {
    const known = templates.get(templateId);
    if (known !== undefined) return known;
    const read = client.templateControls(templateId);
    templates.set(templateId, read);
    read.catch(() => templates.delete(templateId));
    return read;
  };

  return {
    platform: 'wecom',
    auth: {
      // A mini-program code and an H5 OAuth code are exchanged at different endpoints (wecom-api §2a, §2b).
      async exchangeLoginCode(code, channel = 'miniprogram') {
        if (channel === 'oauth') return { corpId: credentials.corpId, platformUserId: await client.userByOAuthCode(code) };
        const session = await client.code2Session(code);
        return { corpId: session.corpid, platformUserId: session.userid };
      },
    },
    directory: {
      async *departments() {
        yield* departmentsParentsFirst(await client.departments());
      },
      async *users(departmentId) {
        for (const user of await client.departmentUsers(departmentId)) yield toPlatformUser(user, hiredDateAttribute);
      },
      async user(userId) {
        const user = await client.user(userId);
        return user === null ? null : toPlatformUser(user, hiredDateAttribute);
      },
    },
    messages: {
      toGroupBot(bot, message) {
        // One send at a time per robot, so WeCom sees them arrive in the order and at the pace they were let go.
        return robotTurns.run(bot.token, async () => {
          await robots.acquire(bot.token);
          await client.sendToWebhook(bot.token, robotMessage(message));
        });
      },
      async toUsers(userIds, message) {
        const unique = [...new Set(userIds)];
        const invalid: string[] = [];
        let delivered = 0;
        for (let start = 0; start < unique.length; start += maxRecipients) {
          const batch = unique.slice(start, start + maxRecipients);
          try {
            const reply = await client.sendAppMessage(appMessage(batch, message));
            const refused = (reply.invaliduser ?? '').split('|').filter((userId) => userId !== '');
            invalid.push(...refused);
            delivered += batch.length - refused.length;
          } catch (error) {
            // 81013: nobody in this batch was valid; the others may still have been reached.
            if (!(error instanceof PlatformError && error.code === 'NOT_FOUND')) throw error;
            invalid.push(...batch);
          }
        }
        if (unique.length > 0 && delivered === 0) {
          throw new PlatformError('NOT_FOUND', `WeCom knows none of the recipients ${unique.join(', ')}`, 81013);
        }
        if (invalid.length > 0) {
          options.logger?.warn({ invalidUserIds: invalid }, 'WeCom message/send skipped invalid recipients');
        }
      },
    },
    approvals: {
      async start(request) {
        const templateId = credentials.approvalTemplateId;
        if (templateId === undefined || templateId === '') {
          throw new PlatformError('INVALID_ARGUMENT', 'no WeCom approval template_id configured for this tenant');
        }
        return client.applyEvent(applyEventBody(templateId, await templateControls(templateId), request));
      },
    },
    callbacks: createWeComCallbacks({ callback: credentials.callback, clock }),
    jsapi: {
      async signature(url) {
        const [corpTicket, agentTicket] = await Promise.all([client.jsapiTicket('corp'), client.jsapiTicket('agent')]);
        const signed = {
          url: withoutFragment(url),
          timestamp: String(Math.floor(clock.now() / 1000)),
          nonceStr: randomAscii(16).toString('ascii'),
        };
        return {
          platform: 'wecom',
          corpId: credentials.corpId,
          agentId: credentials.agentId,
          timestamp: signed.timestamp,
          nonceStr: signed.nonceStr,
          signature: weComJsapiSignature({ ...signed, ticket: corpTicket }),
          agentSignature: weComJsapiSignature({ ...signed, ticket: agentTicket }),
        };
      },
    },
  };
}

/** Runs tasks of one key one after another, tasks of different keys side by side; a failure does not block the next. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const turn = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = turn.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return turn;
  }
}
