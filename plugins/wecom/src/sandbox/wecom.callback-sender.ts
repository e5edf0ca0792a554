import { CallbackCipher, deliverCallback, randomAscii, type Clock, type OrgFixture } from '@gonghai/plugin-core';
import { readPassiveReply, sealWeComMessage } from '../wecom.crypto';
import { buildWeComXml, type XmlFields } from '../wecom.xml';
import { managerOf, type OrgUser } from './wecom.org';

/** How one delivery went: WeCom counts HTTP 200 with an empty body or a valid encrypted reply as received (§6b). */
export interface WeComDelivery {
  delivered: boolean;
  /** The server's HTTP status; `null` when it could not be reached. */
  serverStatus: number | null;
  /** Why it did not count, when it did not. */
  reason?: string;
}

/** One callback, encrypted once: a redelivery sends exactly the same request, as a WeCom retry does. */
export interface SealedCallback {
  query: Record<string, string>;
  body: string;
}

/** Encrypts a plaintext event for the corp's callback URL: `<xml><ToUserName/><AgentID/><Encrypt/></xml>` (§6b). */
export function sealCallback(fixture: OrgFixture, plaintext: string, clock: Clock): SealedCallback | undefined {
  const { callback } = fixture;
  if (callback === undefined) return undefined;
  const timestamp = String(Math.floor(clock.now() / 1000));
  const nonce = randomAscii(10).toString('ascii');
  const envelope = sealWeComMessage(callback, plaintext, timestamp, nonce);
  return {
    query: { msg_signature: envelope.signature, timestamp, nonce },
    body: buildWeComXml([
      ['ToUserName', fixture.corpId],
      ['AgentID', fixture.app.agentId],
      ['Encrypt', envelope.encrypt],
    ]),
  };
}

/** POSTs a sealed callback to the corp's URL and judges the answer as WeCom would. Never throws. */
export async function sendCallback(fixture: OrgFixture, sealed: SealedCallback): Promise<WeComDelivery> {
  const { callback } = fixture;
  if (callback === undefined) return { delivered: false, serverStatus: null, reason: 'the corp has no callback' };
  let answer: { status: number; body: string };
  try {
    answer = await deliverCallback({ url: callback.url(), query: sealed.query, body: sealed.body, contentType: 'text/xml' });
  } catch (error) {
    return { delivered: false, serverStatus: null, reason: error instanceof Error ? error.message : String(error) };
  }
  if (answer.status !== 200) return { delivered: false, serverStatus: answer.status, reason: `HTTP ${answer.status}` };
  if (answer.body === '') return { delivered: true, serverStatus: 200 };
  const reply = readPassiveReply(answer.body);
  try {
    if (reply === undefined) throw new Error('the answer is neither empty nor an encrypted reply');
    const cipher = new CallbackCipher(callback);
    cipher.verify(reply.signature, reply.timestamp, reply.nonce, reply.encrypt);
    cipher.decrypt(reply.encrypt);
    return { delivered: true, serverStatus: 200 };
  } catch (error) {
    return { delivered: false, serverStatus: 200, reason: error instanceof Error ? error.message : String(error) };
  }
}

function eventHead(fixture: OrgFixture, event: string, clock: Clock): XmlFields {
  return [
    ['ToUserName', fixture.corpId],
    ['FromUserName', 'sys'],
    ['CreateTime', Math.floor(clock.now() / 1000)],
    ['MsgType', 'event'],
    ['Event', event],
  ];
}

/** `change_contact` for a member (wecom-api §3): the full profile on create/update, only `UserID` on delete. */
export function contactChangeXml(
  fixture: OrgFixture,
  changeType: 'create_user' | 'update_user' | 'delete_user',
  user: OrgUser,
  clock: Clock,
): string {
  const head: XmlFields = [
    ...eventHead(fixture, 'change_contact', clock),
    ['ChangeType', changeType],
    ['UserID', user.userId],
  ];
  if (changeType === 'delete_user') return buildWeComXml(head);
  const manager = managerOf(fixture, user);
  return buildWeComXml([
    ...head,
    ['Name', user.name],
    ['Department', user.departmentIds.join(',')],
    ['MainDepartment', user.departmentIds[0] ?? 1],
    ['IsLeaderInDept', user.departmentIds.map((id) => (user.leaderOf.includes(id) ? 1 : 0)).join(',')],
    ...(manager === undefined ? [] : [['DirectLeader', manager] as const]),
    ['Position', user.title],
    ['Mobile', user.mobile],
    ['Status', 1],
  ]);
}

/**
 * `sys_approval_change` (wecom-api §5c): approved `SpStatus` 2 / `StatuChangeEvent` 2, rejected 3 / 3, withdrawn by
 * the originator 4 / 6.
 */
export function approvalChangeXml(
  fixture: OrgFixture,
  approval: { instanceId: string; templateId: string; originatorUserId: string; approverUserIds: string[]; appliedAt: number },
  outcome: 'approved' | 'rejected' | 'withdrawn',
  clock: Clock,
): string {
  const status = outcome === 'approved' ? 2 : outcome === 'rejected' ? 3 : 4;
  const change = outcome === 'withdrawn' ? 6 : status;
  const approver = approval.approverUserIds[0] ?? approval.originatorUserId;
  return buildWeComXml([
    ...eventHead(fixture, 'sys_approval_change', clock),
    ['AgentID', Number(fixture.app.agentId)],
    [
      'ApprovalInfo',
      [
        ['SpNoStr', approval.instanceId],
        ['SpNo', Number(approval.instanceId)],
        ['SpName', '审批'],
        ['SpStatus', status],
        ['TemplateId', approval.templateId],
        ['ApplyTime', Math.floor(approval.appliedAt / 1000)],
        ['Applyer', [['UserId', approval.originatorUserId], ['Party', '1']]],
        [
          'SpRecord',
          [
            ['SpStatus', status],
            ['ApproverAttr', 1],
            [
              'Details',
              [
                ['Approver', [['UserId', approver]]],
                ['Speech', ''],
                ['SpStatus', status],
                ['SpTime', Math.floor(clock.now() / 1000)],
              ],
            ],
          ],
        ],
        ['StatuChangeEvent', change],
      ],
    ],
  ]);
}
