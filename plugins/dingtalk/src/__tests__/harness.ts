import {
  ManualClock,
  listenOnEphemeralPort,
  type CallbackResult,
  type OrgFixture,
  type PlatformAdapter,
  type PlatformAppCredentials,
  type PlatformEvent,
  type RunningServer,
} from '@gonghai/plugin-core';
import Koa from 'koa';
import { createDingTalkAdapter, type DingTalkAdapterOptions } from '../dingtalk.adapter';
import { createDingTalkSandbox, dingTalkSandboxPrefix, type DingTalkSandbox } from '../sandbox';
import { treeFixture } from './fixtures';

/** The sandbox on a real port, a manual clock shared by both sides, and a `sleep` that moves it. */
export interface DingTalkHarness {
  clock: ManualClock;
  sandbox: DingTalkSandbox;
  fixture: OrgFixture;
  /** `…/sandbox/dingtalk`: the vendor API and, under `/_control`, the control endpoints. */
  baseUrl: string;
  sleeps: number[];
  adapter(overrides?: Partial<PlatformAppCredentials>, options?: Partial<DingTalkAdapterOptions>): PlatformAdapter;
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startDingTalk(fixture: OrgFixture = treeFixture()): Promise<DingTalkHarness> {
  const clock = new ManualClock();
  const sandbox = createDingTalkSandbox({ fixtures: [fixture], clock });
  const app = new Koa();
  app.use(sandbox.router.routes()).use(sandbox.router.allowedMethods());
  const server = await listenOnEphemeralPort(app.callback());
  const baseUrl = `${server.origin}${dingTalkSandboxPrefix}`;
  const sleeps: number[] = [];
  return {
    clock,
    sandbox,
    fixture,
    baseUrl,
    sleeps,
    adapter: (overrides = {}, options = {}) =>
      createDingTalkAdapter({
        credentials: {
          corpId: fixture.corpId,
          ...fixture.app,
          baseUrl,
          ...(fixture.callback === undefined ? {} : { callback: fixture.callback }),
          ...(fixture.approvalTemplateIds?.[0] === undefined ? {} : { approvalTemplateId: fixture.approvalTemplateIds[0] }),
          ...overrides,
        },
        clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
        },
        ...options,
      }),
    async control(method, path, body) {
      const response = await fetch(`${baseUrl}/_control/${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    close: () => server.close(),
  };
}

/** A tiny callback receiver, as the server would be: every request goes through `adapter.callbacks.handle`. */
export interface CallbackReceiver {
  url: string;
  /** What each request yielded, in arrival order (`error` when `handle` threw). */
  received: ({ events: PlatformEvent[] } | { error: unknown })[];
  close(): Promise<void>;
}

export async function startReceiver(adapter: () => PlatformAdapter): Promise<CallbackReceiver> {
  const received: CallbackReceiver['received'] = [];
  const app = new Koa();
  app.use(async (ctx) => {
    let body = '';
    for await (const chunk of ctx.req) body += String(chunk);
    let result: CallbackResult;
    try {
      result = adapter().callbacks.handle({ method: ctx.method === 'GET' ? 'GET' : 'POST', rawQuery: ctx.querystring, body });
    } catch (error) {
      received.push({ error });
      ctx.status = 401;
      ctx.body = { error: 'bad_signature' };
      return;
    }
    received.push({ events: result.events });
    ctx.status = result.reply.status;
    ctx.type = result.reply.contentType;
    ctx.body = result.reply.body;
  });
  const server = await listenOnEphemeralPort(app.callback());
  return { url: `${server.origin}/callbacks/dingtalk/tenant-1`, received, close: () => server.close() };
}
