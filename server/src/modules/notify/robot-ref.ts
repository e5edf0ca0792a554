import { createHash } from 'node:crypto';
import type { BotRef } from '@gonghai/plugin-core';
import type { SecretBox } from '../../crypto/secret-box';

/**
 * A group robot at rest (DESIGN §15): its webhook token, which is all it takes to post to the group, and its signing
 * secret are sealed with MASTER_KEY like the app secrets; `key`, the token's sha256, tells robots apart without opening
 * them. Tenant settings and outbox rows hold this form; only the dispatcher opens it, to send.
 */
export interface SealedBotRef {
  key: string;
  tokenEnc: string;
  secretEnc?: string;
}

/** A robot as read back: rows written before tokens were sealed hold the plain form until start-up seals them. */
export type StoredBotRef = SealedBotRef | BotRef;

/** A robot's token is a credential: rows, lanes, dedupe keys and logs name it by hash. */
export function robotKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sealBot(secrets: SecretBox, bot: BotRef): SealedBotRef {
  return { key: robotKey(bot.token), tokenEnc: secrets.seal(bot.token), ...(bot.secret === undefined ? {} : { secretEnc: secrets.seal(bot.secret) }) };
}

export function isSealedBot(bot: StoredBotRef): bot is SealedBotRef {
  return 'tokenEnc' in bot;
}

/** The robot as the platform adapter takes it; for the moment of sending only. */
export function openBot(secrets: SecretBox, bot: StoredBotRef): BotRef {
  if (!isSealedBot(bot)) return bot;
  return { token: secrets.open(bot.tokenEnc), ...(bot.secretEnc === undefined ? {} : { secret: secrets.open(bot.secretEnc) }) };
}

export function storedBotKey(bot: StoredBotRef): string {
  return isSealedBot(bot) ? bot.key : robotKey(bot.token);
}
