import type { AppConfig } from '@gonghai/config';
import type { Clock } from '@gonghai/plugin-core';
import type { Logger } from 'pino';
import type { Db } from './db/create-db';
import type { EvidenceChain } from './modules/evidence/evidence.service';
import type { PhotoStore } from './modules/evidence/photo-store';
import type { ApprovalListener } from './modules/integrations/platform-events.service';
import type { Role } from './modules/org/org';
import type { PlatformRegistry } from './platform/registry';

/** Who is calling, from the verified JWT. Every service call is scoped by `tenantId`. */
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
  /** Where photo files live (a local folder by default, S3-compatible storage behind the same interface). */
  photos: PhotoStore;
  /** Signs evidence-chain entries (derived from MASTER_KEY). */
  evidenceKey: Buffer;
  /** The tenants' evidence chains (group-committed appends). */
  evidence: EvidenceChain;
  /** Told of every approval result once (HR assignment subscribes). */
  approvalListeners?: ApprovalListener[];
}

export interface AppState {
  actor?: Actor;
  requestId: string;
}
