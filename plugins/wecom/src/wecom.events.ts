import { createHash } from 'node:crypto';
import type { PlatformEvent } from '@gonghai/plugin-core';
import { isElement, xmlText, type XmlElement } from './wecom.xml';

/**
 * Translates one decrypted callback message (wecom-api §3 `change_contact`, §5c `sys_approval_change`) into port
 * events; anything else (chat messages, tag changes, events we do not use) gives none. `receivedAt` stands in for a
 * missing `CreateTime`. Never throws.
 */
export function translateWeComEvent(message: XmlElement, receivedAt: number): PlatformEvent[] {
  const createTime = xmlText(message, 'CreateTime');
  const occurredAt = createTime !== undefined && /^\d+$/.test(createTime) ? Number(createTime) * 1000 : receivedAt;
  if (xmlText(message, 'MsgType') !== 'event') return [];
  const event = xmlText(message, 'Event');
  // A retry carries the same content, so a digest of what identifies the event is stable across redeliveries
  // (wecom-api §6b: dedupe events on FromUserName + CreateTime); the type part keeps two events of one message apart.
  const identity = (parts: readonly (string | undefined)[]) => (type: PlatformEvent['type']) =>
    `wecom:${digest([xmlText(message, 'FromUserName'), createTime, event, ...parts, type])}`;

  if (event === 'change_contact') return contactEvents(message, occurredAt, identity);
  if (event === 'sys_approval_change') return approvalEvents(message, occurredAt, identity);
  return [];
}

type Identity = (parts: readonly (string | undefined)[]) => (type: PlatformEvent['type']) => string;

function contactEvents(message: XmlElement, occurredAt: number, identity: Identity): PlatformEvent[] {
  const changeType = xmlText(message, 'ChangeType');
  const userId = xmlText(message, 'UserID');
  const newUserId = xmlText(message, 'NewUserID');
  const partyId = xmlText(message, 'Id');
  const eventId = identity([changeType, userId, newUserId, partyId]);

  switch (changeType) {
    case 'create_user': {
      const type = 'contact.user_joined';
      return userId === undefined ? [] : [{ type, eventId: eventId(type), occurredAt, userId }];
    }
    case 'update_user': {
      if (userId === undefined) return [];
      if (newUserId === undefined || newUserId === '' || newUserId === userId) {
        return [{ type: 'contact.user_updated', eventId: eventId('contact.user_updated'), occurredAt, userId }];
      }
      // The id changed: first move everything to the new id, then treat the rest of the update as usual.
      return [
        { type: 'contact.user_renamed', eventId: eventId('contact.user_renamed'), occurredAt, userId, newUserId },
        { type: 'contact.user_updated', eventId: eventId('contact.user_updated'), occurredAt, userId: newUserId },
      ];
    }
    case 'delete_user': {
      const type = 'contact.user_left';
      return userId === undefined ? [] : [{ type, eventId: eventId(type), occurredAt, userId }];
    }
    case 'create_party':
    case 'update_party':
    case 'delete_party': {
      if (partyId === undefined) return [];
      const change = changeType === 'create_party' ? 'created' : changeType === 'update_party' ? 'updated' : 'deleted';
      const type = 'contact.department_changed';
      return [{ type, eventId: eventId(type), occurredAt, departmentId: partyId, change }];
    }
    default:
      // update_tag and anything newer: tags mean nothing to us (wecom-api §3).
      return [];
  }
}

/** `SpStatus` after the change (wecom-api §5b): 2 approved, 3 rejected, 4 withdrawn, 6 withdrawn after approval. */
function approvalEvents(message: XmlElement, occurredAt: number, identity: Identity): PlatformEvent[] {
  const info = message.ApprovalInfo;
  if (!isElement(info)) return [];
  const instanceId = xmlText(info, 'SpNoStr') ?? xmlText(info, 'SpNo');
  const status = xmlText(info, 'SpStatus');
  if (instanceId === undefined || instanceId === '') return [];
  const eventId = identity([instanceId, status, xmlText(info, 'StatuChangeEvent')]);
  if (status === '2' || status === '3') {
    const type = 'approval.finished';
    return [{ type, eventId: eventId(type), occurredAt, instanceId, approved: status === '2' }];
  }
  if (status === '4' || status === '6') {
    return [{ type: 'approval.withdrawn', eventId: eventId('approval.withdrawn'), occurredAt, instanceId }];
  }
  // 1 (submitted, a node approved, forwarded, reminded, commented), 7 deleted, 10 paid: nothing has finished.
  return [];
}

function digest(parts: readonly (string | undefined)[]): string {
  return createHash('sha256')
    .update(JSON.stringify(parts.map((part) => part ?? null)))
    .digest('hex')
    .slice(0, 32);
}
