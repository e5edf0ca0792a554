import type { AppConfig } from '@gonghai/config';
import type { Clock } from '@gonghai/plugin-core';
import type { Logger } from 'pino';
import type { SecretBox } from './crypto/secret-box';
import type { Db } from './db/create-db';
import type { CurrentUsers } from './modules/auth/current-users';
import type { EvidenceChain } from './modules/evidence/evidence.service';
import type { PhotoStore } from './modules/evidence/photo-store';
import type { Role } from './modules/org/org';
import type { PlatformRegistry } from './platform/registry';

/** Who is calling: tenant, user and time zone from the verified JWT, roles as the database has them now. Every service call is scoped by `tenantId`. */
export interface Actor {
  tenantId: string;
  userId: string;
  roles: Role[];
  timeZone: string;
}

/** What every route and job gets: one object built at start-up. */
export interface AppDeps {
  config: AppConfig;
  db: Db;
  clock: Clock;
  logger: Logger;
  platforms: PlatformRegistry;
  /** Each user's current active flag and roles, which every authenticated request is judged by (invalidated by org events). */
  users: CurrentUsers;
  /** Where photo files live (a local folder by default, S3-compatible storage behind the same interface). */
  photos: PhotoStore;
  /** Seals and opens secrets at rest with MASTER_KEY (app secrets, robot tokens). */
  secrets: SecretBox;
  /** Signs evidence-chain entries (derived from MASTER_KEY). */
  evidenceKey: Buffer;
  /** The tenants' evidence chains (group-committed appends). */
  evidence: EvidenceChain;
}

export interface AppState {
  actor?: Actor;
  requestId: string;
}
