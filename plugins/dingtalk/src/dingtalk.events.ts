import { createHash } from 'node:crypto';
import type { PlatformEvent } from '@gonghai/plugin-core';

/**
 * A decrypted DingTalk event as the HTTP callback carries it: `EventType` plus the event's own fields
 * (dingtalk-api §2.4, §4.3). Stream mode carries the same content differently; `fromStreamEvent` converts it.
 */
export type DingTalkEventPayload = Record<string, unknown> & { EventType?: unknown };

/** The URL-verification pushes (dingtalk-api §5.1): they carry no event and want the encrypted `success`. */
const handshakes = new Set(['check_url', 'check_create_suite_url', 'check_update_suite_url']);

export function isDingTalkHandshake(payload: DingTalkEventPayload): boolean {
  return typeof payload.EventType === 'string' && handshakes.has(payload.EventType);
}

const userEvents: Record<string, 'contact.user_joined' | 'contact.user_updated' | 'contact.user_left'> = {
  user_add_org: 'contact.user_joined',
  user_modify_org: 'contact.user_updated',
  user_leave_org: 'contact.user_left',
};

const departmentEvents: Record<string, 'created' | 'updated' | 'deleted'> = {
  org_dept_create: 'created',
  org_dept_modify: 'updated',
  org_dept_remove: 'deleted',
};

/**
 * Translates one decrypted event into the port's events; an event the port has no word for gives `[]`. Never throws.
 * One event per user (or department) id, since DingTalk batches ids into one push. Each `eventId` is a hash of the
 * event's content — type, id, the vendor's time — so DingTalk's redeliveries of the same event, which are encrypted
 * afresh every time, share it, and the same event over HTTP and Stream shares it too.
 */
export function dingTalkEvents(payload: DingTalkEventPayload, receivedAt: number): PlatformEvent[] {
  const eventType = typeof payload.EventType === 'string' ? payload.EventType : '';
  const userEvent = userEvents[eventType];
  if (userEvent !== undefined) {
    const occurredAt = epochMs(payload.TimeStamp) ?? receivedAt;
    return ids(payload.UserId).map((userId) => ({
      type: userEvent,
      userId,
      eventId: eventId(eventType, String(payload.TimeStamp ?? ''), userId),
      occurredAt,
    }));
  }
  const change = departmentEvents[eventType];
  if (change !== undefined) {
    const occurredAt = epochMs(payload.TimeStamp) ?? receivedAt;
    return ids(payload.DeptId).map((departmentId) => ({
      type: 'contact.department_changed' as const,
      departmentId,
      change,
      eventId: eventId(eventType, String(payload.TimeStamp ?? ''), departmentId),
      occurredAt,
    }));
  }
  if (eventType === 'bpms_instance_change') return approvalEvents(payload, receivedAt);
  return [];
}

/**
 * `bpms_instance_change` (dingtalk-api §4.3): `finish` with `result` agree/refuse ends it, `terminate` withdraws it;
 * `start` is our own doing and says nothing new.
 */
function approvalEvents(payload: DingTalkEventPayload, receivedAt: number): PlatformEvent[] {
  const instanceId = payload.processInstanceId;
  if (typeof instanceId !== 'string' || instanceId === '') return [];
  const occurredAt = epochMs(payload.finishTime) ?? receivedAt;
  const id = eventId(
    'bpms_instance_change',
    String(payload.type),
    instanceId,
    String(payload.result ?? ''),
    String(payload.finishTime ?? ''),
  );
  if (payload.type === 'finish' && (payload.result === 'agree' || payload.result === 'refuse')) {
    return [{ type: 'approval.finished', instanceId, approved: payload.result === 'agree', eventId: id, occurredAt }];
  }
  if (payload.type === 'terminate') return [{ type: 'approval.withdrawn', instanceId, eventId: id, occurredAt }];
  return [];
}

/**
 * A Stream-mode EVENT frame's content as the HTTP callback would have carried it: the type comes from
 * `headers.eventType`, and the contact events' camelCase `userId` / `deptId` / `timeStamp` (dingtalk-api §2.4) get
 * the HTTP names back. Approval events already use the same field names on both channels (§4.3).
 */
export function fromStreamEvent(eventType: string, data: Record<string, unknown>): DingTalkEventPayload {
  const renamed: Record<string, string> = { userId: 'UserId', deptId: 'DeptId', timeStamp: 'TimeStamp', corpId: 'CorpId' };
  const payload: DingTalkEventPayload = { EventType: eventType };
  for (const [name, value] of Object.entries(data)) {
    const httpName = eventType === 'bpms_instance_change' ? name : (renamed[name] ?? name);
    payload[httpName] = value;
  }
  return payload;
}

function ids(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((id) => typeof id === 'string' || typeof id === 'number').map(String);
}

/** A number or a numeric string of milliseconds; `undefined` otherwise. */
function epochMs(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function eventId(...parts: string[]): string {
  return `dingtalk:${createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex').slice(0, 32)}`;
}
