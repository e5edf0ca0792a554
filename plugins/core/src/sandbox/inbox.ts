import { randomUUID } from 'node:crypto';
import type { Clock } from '../port';

/** One message the platform received from us, as `GET _control/messages` lists it (DESIGN §6). */
export interface InboxMessage {
  id: string;
  channel: 'group' | 'direct';
  /** The robot token / key for a group, the app (agent id) for a direct message. */
  target: string;
  /** Recipient user ids (direct) or `[]` (group). */
  to: string[];
  msgtype: string;
  title: string;
  text: string;
  receivedAt: string;
}

/** Everything a sandbox received, in arrival order. */
export class SandboxInbox {
  private readonly items: InboxMessage[] = [];

  constructor(private readonly clock: Clock) {}

  record(message: Omit<InboxMessage, 'id' | 'receivedAt'>): InboxMessage {
    const item = { id: randomUUID(), ...message, receivedAt: new Date(this.clock.now()).toISOString() };
    this.items.push(item);
    return item;
  }

  /** Messages received at or after `since` (ISO-8601); all when absent. Throws on an unreadable date. */
  since(since?: string): InboxMessage[] {
    if (since === undefined || since === '') return [...this.items];
    const from = Date.parse(since);
    if (Number.isNaN(from)) throw new RangeError(`"since" must be an ISO-8601 date, got "${since}"`);
    return this.items.filter((item) => Date.parse(item.receivedAt) >= from);
  }
}

/**
 * Counts calls per key in a sliding window, as the platform's robot limit does (20 a minute); `allow` records the call
 * when it is allowed.
 */
export class SandboxRateWindow {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  allow(key: string): boolean {
    const now = this.clock.now();
    const recent = (this.calls.get(key) ?? []).filter((at) => now - at < this.windowMs);
    const allowed = recent.length < this.limit;
    if (allowed) recent.push(now);
    this.calls.set(key, recent);
    return allowed;
  }
}

/** How a sandbox approval ended: decided either way, or withdrawn by its originator. */
export type SandboxApprovalOutcome = 'approved' | 'rejected' | 'withdrawn';

/** One started approval as `GET _control/approvals` lists it (DESIGN §6), the same for both vendors. */
export interface SandboxApproval {
  instanceId: string;
  templateId: string;
  originatorUserId: string;
  title: string;
  fields: { name: string; value: string }[];
  /** The approvers given through the API, in order; `[]` when the template's own flow runs. */
  approverUserIds: string[];
  status: 'pending' | SandboxApprovalOutcome;
}
