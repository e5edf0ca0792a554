import type { Generated } from 'kysely';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxTable {
  id: Generated<number>;
  tenant_id: string;
  dedupe_key: string;
  /** JSON OutboxTarget. */
  target: string;
  /** JSON PlatformMessage. */
  message: string;
  status: OutboxStatus;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface OutboxRobotSendsTable {
  tenant_id: string;
  /** sha256 of the robot's token: the token itself is a credential. */
  robot_key: string;
  seq: number;
  sent_at: number;
}
