import { PlatformError, type PlatformMessage } from '@gonghai/plugin-core';
import type { AppDeps } from '../../context';
import type { Db } from '../../db/create-db';
import { AppError } from '../../errors';
import type { SecretBox } from '../../crypto/secret-box';
import type { DeadLetter, DispatchResult, OutboxMessage, StoredOutboxTarget } from './outbox';
import {
  claimOutboxRow,
  deferOutboxRow,
  dueOutboxRows,
  insertOutboxRows,
  insertRobotSend,
  listDeadOutboxRows,
  markOutboxFailed,
  markOutboxSent,
  releaseOutboxClaim,
  reviveDeadOutboxRow,
  robotSendWindow,
} from './outbox.repository';
import { openBot, storedBotKey } from './robot-ref';

/** Attempts before a message becomes a dead letter. */
export const OUTBOX_MAX_ATTEMPTS = 8;
/** Group robots take 20 messages in any minute (DingTalk 130101, WeCom 45009). */
export const ROBOT_LIMIT = 20;
/**
 * The platforms count arrivals and we count departures: a second of margin, as the adapters' own limiters keep, so
 * their in-process limiter never has to wait on a message the outbox let go.
 */
export const ROBOT_WINDOW_MS = 61_000;
const retryBaseMs = 30_000;
const retryCapMs = 30 * 60_000;
/** How long a claim holds a row: far longer than one send with the adapter's retries and timeouts. */
const claimLeaseMs = 5 * 60_000;
const defaultBatch = 200;
/** Targets served at once in one run; each target's messages go one after another, in order. */
const lanesAtOnce = 4;

/**
 * Writes messages to the outbox inside the caller's transaction; a (tenant, dedupe key) that exists is skipped
 * without aborting it. Returns how many were new.
 */
export async function enqueueMessages(trx: Db, messages: OutboxMessage[], now: number): Promise<number> {
  if (messages.length === 0) return 0;
  for (const m of messages) {
    // MySQL's INSERT IGNORE would truncate an over-long key with a warning, and then dedupe on the truncated key.
    if (m.dedupeKey.length === 0 || m.dedupeKey.length > 191) throw new Error(`outbox dedupe key must be 1..191 characters: "${m.dedupeKey}"`);
    if (m.target.kind === 'users' && m.target.userIds.length === 0) throw new Error(`outbox message ${m.dedupeKey} has no recipients`);
  }
  return insertOutboxRows(
    trx,
    messages.map((m) => ({
      tenant_id: m.tenantId,
      dedupe_key: m.dedupeKey,
      target: JSON.stringify(m.target),
      message: JSON.stringify(m.message),
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: m.notBefore ?? now,
      last_error: null,
      created_at: now,
      sent_at: null,
    })),
  );
}

/** The wait after the `attempts`-th failure: 30 s doubling per attempt up to 30 min, never less than the platform asked. */
export function retryDelayMs(attempts: number, retryAfterMs = 0): number {
  const backoff = Math.min(retryBaseMs * 2 ** Math.max(0, attempts - 1), retryCapMs);
  return Math.max(backoff, retryAfterMs);
}

type DueRow = Awaited<ReturnType<typeof dueOutboxRows>>[number];

/**
 * Sends what is due (any tenant): each row is claimed before it is sent, so dispatchers in several processes never
 * send one row twice; a failure is retried with backoff and, after OUTBOX_MAX_ATTEMPTS, left as a dead letter. A robot
 * gets at most ROBOT_LIMIT messages per rolling ROBOT_WINDOW_MS from all dispatchers together; the rest wait for the
 * next window without counting an attempt, and the run never sleeps. Never throws for one message's failure.
 */
export async function dispatchOutbox(
  deps: AppDeps,
  options: { now: number; limit?: number; maxAttempts?: number },
): Promise<DispatchResult> {
  const { now } = options;
  const maxAttempts = options.maxAttempts ?? OUTBOX_MAX_ATTEMPTS;
  const due = await dueOutboxRows(deps.db, now, options.limit ?? defaultBatch);
  const result: DispatchResult = { sent: 0, retried: 0, dead: 0 };

  // One lane per robot keeps its messages in order and its slots taken one at a time; direct messages each get a lane.
  const lanes = new Map<string, { row: DueRow; target: StoredOutboxTarget }[]>();
  for (const row of due) {
    const target = JSON.parse(row.target) as StoredOutboxTarget;
    const lane = target.kind === 'bot' ? `bot:${row.tenant_id}:${storedBotKey(target.bot)}` : `row:${row.id}`;
    const items = lanes.get(lane) ?? [];
    items.push({ row, target });
    lanes.set(lane, items);
  }

  async function runLane(items: { row: DueRow; target: StoredOutboxTarget }[]): Promise<void> {
    let robotFullUntil: number | undefined;
    for (const { row, target } of items) {
      if (robotFullUntil !== undefined) {
        await deferOutboxRow(deps.db, row, robotFullUntil);
        continue;
      }
      if (!(await claimOutboxRow(deps.db, row, now + claimLeaseMs))) continue;
      const claimed = row.attempts + 1;
      if (target.kind === 'bot') {
        // The platform judges the window on its own clock at arrival; take the slot at the moment of sending.
        const slot = await takeRobotSlot(deps.db, row.tenant_id, storedBotKey(target.bot), Math.max(now, deps.clock.now()));
        if (!slot.ok) {
          robotFullUntil = slot.freeAt;
          await releaseOutboxClaim(deps.db, row.id, claimed, slot.freeAt);
          continue;
        }
      }
      try {
        await send(deps, row.tenant_id, target, JSON.parse(row.message) as PlatformMessage);
      } catch (err) {
        const error = describeError(err);
        if (claimed >= maxAttempts) {
          await markOutboxFailed(deps.db, row.id, claimed, { status: 'dead', at: now, error });
          deps.logger.warn({ tenantId: row.tenant_id, outboxId: row.id, dedupeKey: row.dedupe_key, attempts: claimed, error }, 'outbox message is a dead letter');
          result.dead += 1;
        } else {
          const retryAfterMs = err instanceof PlatformError ? err.retryAfterMs : undefined;
          await markOutboxFailed(deps.db, row.id, claimed, { status: 'pending', at: now + retryDelayMs(claimed, retryAfterMs), error });
          result.retried += 1;
        }
        continue;
      }
      await markOutboxSent(deps.db, row.id, now);
      result.sent += 1;
    }
  }

  const queue = [...lanes.values()];
  const workers = Array.from({ length: Math.min(lanesAtOnce, queue.length) }, async () => {
    for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
      try {
        await runLane(lane);
      } catch (err) {
        // A database failure mid-lane: the claimed row's lease runs out and another run picks it up.
        deps.logger.error({ err }, 'outbox dispatch lane failed');
      }
    }
  });
  await Promise.all(workers);
  return result;
}

async function send(deps: AppDeps, tenantId: string, target: StoredOutboxTarget, message: PlatformMessage): Promise<void> {
  const { messages } = await deps.platforms.adapterFor(tenantId);
  if (target.kind === 'users') await messages.toUsers(target.userIds, message);
  // The one place a robot's token is opened: the moment it is sent to (DESIGN §15).
  else await messages.toGroupBot(openBot(deps.secrets, target.bot), message);
}

/**
 * Takes the robot's next send slot, or says when one frees: the send ROBOT_LIMIT − 1 places back must be out of the
 * window. A slot lost to another dispatcher is looked for again.
 */
async function takeRobotSlot(db: Db, tenantId: string, key: string, at: number): Promise<{ ok: true } | { ok: false; freeAt: number }> {
  for (let tries = 0; tries < 5; tries += 1) {
    const { lastSeq, sentAtBack } = await robotSendWindow(db, tenantId, key, ROBOT_LIMIT - 1);
    if (sentAtBack !== undefined && at - sentAtBack < ROBOT_WINDOW_MS) return { ok: false, freeAt: sentAtBack + ROBOT_WINDOW_MS };
    if (await insertRobotSend(db, { tenantId, robotKey: key, seq: lastSeq + 1, sentAt: at }, ROBOT_LIMIT)) return { ok: true };
  }
  // Other dispatchers keep winning: they are sending to this robot; try again next run.
  return { ok: false, freeAt: at };
}

function describeError(err: unknown): string {
  if (err instanceof PlatformError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** The tenant's dead letters, newest first, for the admin view (a robot shown by the start of its token only). */
export async function listDeadLetters(db: Db, secrets: SecretBox, tenantId: string, limit = 100): Promise<DeadLetter[]> {
  const rows = await listDeadOutboxRows(db, tenantId, limit);
  return rows.map((r) => {
    const target = JSON.parse(r.target) as StoredOutboxTarget;
    const message = JSON.parse(r.message) as PlatformMessage;
    return {
      id: r.id,
      dedupeKey: r.dedupe_key,
      target: target.kind === 'users' ? target : { kind: 'bot', bot: { token: shorten(openBot(secrets, target.bot).token) } },
      title: message.title,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: new Date(r.created_at).toISOString(),
    };
  });
}

/** Enough of a robot token to tell robots apart, not enough to post to one. */
function shorten(token: string): string {
  return token.length <= 8 ? '…' : `${token.slice(0, 6)}…`;
}

/** Puts a dead letter back in the queue, due now with its attempts reset; 404 when the tenant has no such dead letter. */
export async function retryDeadLetter(db: Db, tenantId: string, id: number, now: number): Promise<void> {
  if (!(await reviveDeadOutboxRow(db, tenantId, id, now))) {
    throw new AppError(404, 'not_found', '没有这条失败消息：它不存在，或已重新排队、已送达。请刷新列表后再试。');
  }
}
