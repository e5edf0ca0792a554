import { loadConfig, type AppConfig } from '@gonghai/config';
import { systemClock, type Clock } from '@gonghai/plugin-core';
import pino from 'pino';
import type { AppDeps } from './context';
import { SecretBox } from './crypto/secret-box';
import { createDb, type Db } from './db/create-db';
import { StampWatcher } from './db/change-stamps';
import { CurrentUsers } from './modules/auth/current-users';
import { invalidateMemberships } from './modules/pool/nearby.service';
import { invalidateRules } from './modules/pool/pool-rules.repository';
import { EvidenceChain, evidenceKey } from './modules/evidence/evidence.service';
import { LocalPhotoStore } from './modules/evidence/photo-store';
import { createPlatformRegistry } from './platform/registry';

/**
 * Loads the config (stopping with a clear message when it is wrong) and builds what every entry point needs. The platform
 * clients talk to the sandboxes only when `sandbox` says so: the server decides it from the database (sandbox.policy.ts);
 * left out, only an explicit PLATFORM_SANDBOX=on does.
 */
export function createRuntime(
  options: { config?: AppConfig; clock?: Clock; db?: Db; sandbox?: boolean; sandboxBaseUrl?: () => string } = {},
): AppDeps & {
  secrets: SecretBox;
  /** Drops this process's cached rules, memberships and users when another process changed them (start/stop by the caller). */
  stamps: StampWatcher;
} {
  const config = options.config ?? loadConfigOrExit();
  const clock = options.clock ?? systemClock;
  const db = options.db ?? createDb(config.database);
  const secrets = new SecretBox(config.masterKey);
  const logger = pino({ level: config.logLevel, base: undefined });
  const platforms = createPlatformRegistry({
    db,
    secrets,
    clock,
    sandboxBaseUrl: (options.sandbox ?? config.sandbox === 'on') ? (options.sandboxBaseUrl ?? (() => config.publicBaseUrl)) : undefined,
  });
  if (/^[a-z0-9+.-]+:\/\//i.test(config.photoStore)) {
    // Only the local store exists so far; an S3 store implements the same PhotoStore interface when it is needed.
    process.stderr.write(`PHOTO_STORE="${config.photoStore}": 目前只支持本地文件夹（例如 ./data/photos），S3 存储尚未提供。\n`);
    process.exit(1);
  }
  const photos = new LocalPhotoStore(config.photoStore);
  const key = evidenceKey(config.masterKey);
  const users = new CurrentUsers(db, clock);
  const stamps = new StampWatcher(db, {
    pools: (tenantId) => {
      invalidateRules(db, tenantId);
      invalidateMemberships(db, tenantId);
    },
    users: (tenantId) => users.invalidate(tenantId),
  });
  return { config, db, clock, logger, platforms, secrets, photos, evidenceKey: key, evidence: new EvidenceChain(db, key), users, stamps };
}

export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
