import type { PlatformMessage } from '@gonghai/plugin-core';
import type { SealedBotRef, StoredBotRef } from './robot-ref';

/** Who a message goes to: users by their platform ids (a direct message from the app), or a group robot, sealed. */
export type OutboxTarget = { kind: 'users'; userIds: string[] } | { kind: 'bot'; bot: SealedBotRef };

/** A target as read from a row (rows from before tokens were sealed may hold a plain robot). */
export type StoredOutboxTarget = { kind: 'users'; userIds: string[] } | { kind: 'bot'; bot: StoredBotRef };

/** One message to write to the outbox, in the transaction of the change that causes it. */
export interface OutboxMessage {
  tenantId: string;
  /** Unique per tenant: a second message with the same key is dropped, so reruns announce nothing twice. */
  dedupeKey: string;
  target: OutboxTarget;
  message: PlatformMessage;
  /** Not sent before this time (ms); default now. */
  notBefore?: number;
}

/** What one dispatcher run did. */
export interface DispatchResult {
  sent: number;
  retried: number;
  dead: number;
}

/** A dead letter as `GET /api/v1/admin/outbox/dead` shows it; robot tokens are shortened, they are credentials. */
export interface DeadLetter {
  id: number;
  dedupeKey: string;
  target: { kind: 'users'; userIds: string[] } | { kind: 'bot'; bot: { token: string } };
  title: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}
