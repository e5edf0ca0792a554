import type Router from '@koa/router';
import { systemClock, type Clock, type OrgFixture, type PlatformAdapter, type PlatformAppCredentials, type PlatformEvent } from '@gonghai/plugin-core';
import { createDingTalkAdapter, createDingTalkSandbox, createDingTalkStreamTransport, dingTalkSandboxPrefix } from '@gonghai/plugin-dingtalk';
import { createWeComAdapter, createWeComSandbox, weComSandboxPrefix } from '@gonghai/plugin-wecom';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/create-db';
import { AppError } from '../errors';

/** The only server file that names a vendor (DESIGN §2): it picks the adapter for a tenant's platform. */
export interface PlatformRegistry {
  adapterFor(tenantId: string): Promise<PlatformAdapter>;
  /** Forget a tenant's adapter (its credentials changed). */
  forget(tenantId: string): void;
  /**
   * Opens the event streams of the tenants that receive events without a public callback URL (DingTalk Stream mode,
   * tenant setting `eventTransport: "stream"`); each frame's events go to `onEvents` and are acknowledged once it
   * resolves. Returns a function that closes them all.
   */
  openEventStreams(
    onEvents: (tenantId: string, events: PlatformEvent[]) => Promise<void>,
    onError: (tenantId: string, error: unknown) => void,
  ): Promise<() => void>;
}

const productionBaseUrls = { dingtalk: 'https://oapi.dingtalk.com', wecom: 'https://qyapi.weixin.qq.com' } as const;
/** DingTalk's `/v1.0/…` API lives on its own host; WeCom has one. */
const productionApiBaseUrls = { dingtalk: 'https://api.dingtalk.com', wecom: 'https://qyapi.weixin.qq.com' } as const;
const sandboxPrefixes = { dingtalk: dingTalkSandboxPrefix, wecom: weComSandboxPrefix } as const;

export interface RegistryOptions {
  db: Db;
  secrets: SecretBox;
  clock?: Clock;
  /** When set, every adapter talks to the sandbox under this base URL (the server's own address). */
  sandboxBaseUrl?: () => string;
}

/** Adapters are built once per tenant and kept, so their access tokens stay cached between requests. */
export function createPlatformRegistry(options: RegistryOptions): PlatformRegistry {
  const adapters = new Map<string, Promise<PlatformAdapter>>();
  async function build(tenantId: string): Promise<PlatformAdapter> {
    const row = await options.db
      .selectFrom('tenants')
      .select(['platform', 'corp_id', 'app_key', 'app_secret_enc', 'agent_id', 'callback_token_enc', 'callback_aes_key_enc', 'settings'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!row) throw new AppError(404, 'not_found', `企业 ${tenantId} 不存在。`);
    const sandbox = options.sandboxBaseUrl ? `${options.sandboxBaseUrl()}${sandboxPrefixes[row.platform]}` : undefined;
    const settings = JSON.parse(row.settings) as { approvalTemplateId?: string };
    const callback =
      row.callback_token_enc !== null && row.callback_aes_key_enc !== null
        ? {
            token: options.secrets.open(row.callback_token_enc),
            aesKey: options.secrets.open(row.callback_aes_key_enc),
            // DingTalk internal apps sign for the app key, WeCom for the corp (dingtalk-api §5.1, wecom-api §6c).
            receiverId: row.platform === 'dingtalk' ? row.app_key : row.corp_id,
          }
        : undefined;
    const credentials: PlatformAppCredentials = {
      corpId: row.corp_id,
      appKey: row.app_key,
      appSecret: options.secrets.open(row.app_secret_enc),
      agentId: row.agent_id,
      baseUrl: sandbox ?? productionBaseUrls[row.platform],
      apiBaseUrl: sandbox ?? productionApiBaseUrls[row.platform],
      ...(callback ? { callback } : {}),
      ...(settings.approvalTemplateId ? { approvalTemplateId: settings.approvalTemplateId } : {}),
    };
    const clock = options.clock ?? systemClock;
    return row.platform === 'dingtalk' ? createDingTalkAdapter({ credentials, clock }) : createWeComAdapter({ credentials, clock });
  }
  return {
    adapterFor(tenantId) {
      let adapter = adapters.get(tenantId);
      if (!adapter) {
        adapter = build(tenantId);
        adapter.catch(() => adapters.delete(tenantId));
        adapters.set(tenantId, adapter);
      }
      return adapter;
    },
    forget(tenantId) {
      adapters.delete(tenantId);
    },
    async openEventStreams(onEvents, onError) {
      const rows = await options.db.selectFrom('tenants').select(['id', 'platform', 'app_key', 'app_secret_enc', 'settings']).execute();
      const streams = rows
        .filter((row) => row.platform === 'dingtalk' && (JSON.parse(row.settings) as { eventTransport?: string }).eventTransport === 'stream')
        .map((row) => ({
          tenantId: row.id,
          stream: createDingTalkStreamTransport({
            clientId: row.app_key,
            clientSecret: options.secrets.open(row.app_secret_enc),
            onEvents: (events) => onEvents(row.id, events),
            clock: options.clock,
          }),
        }));
      // One tenant's unreachable gateway must not keep the others (or the server) from starting.
      await Promise.all(streams.map(({ tenantId, stream }) => stream.connect().catch((error: unknown) => onError(tenantId, error))));
      return () => {
        for (const { stream } of streams) stream.disconnect();
      };
    },
  };
}

export interface Sandboxes {
  routers: Router[];
  mintLoginCode(platform: 'dingtalk' | 'wecom', corpId: string, userId: string): string;
}

/** Both vendors' sandboxes over the given orgs (one fixture per tenant, keyed by platform). */
export function createSandboxes(fixtures: { dingtalk: OrgFixture[]; wecom: OrgFixture[] }, clock: Clock = systemClock): Sandboxes {
  const dingtalk = createDingTalkSandbox({ fixtures: fixtures.dingtalk, clock });
  const wecom = createWeComSandbox({ fixtures: fixtures.wecom, clock });
  return {
    routers: [dingtalk.router, wecom.router],
    mintLoginCode: (platform, corpId, userId) =>
      (platform === 'dingtalk' ? dingtalk : wecom).mintLoginCode(corpId, userId),
  };
}
