import type { PlatformEvent } from '@gonghai/plugin-core';
import type { DWClientDownStream } from 'dingtalk-stream';
import { dingTalkEvents } from '../dingtalk.events';
import { DingTalkStreamClient, dingTalkStreamAck } from '../dingtalk.stream';

const now = Date.UTC(2025, 0, 6, 1, 0, 0);

/** An EVENT frame as the Stream gateway sends it (dingtalk-api §5.3). */
function frame(eventType: string | undefined, data: string, messageId = 'msg-7f1c'): DWClientDownStream {
  return {
    specVersion: '1.0',
    type: 'EVENT',
    headers: {
      appId: 'app-1',
      connectionId: 'conn-1',
      contentType: 'application/json',
      messageId,
      time: String(now),
      topic: '*',
      ...(eventType === undefined ? {} : { eventType }),
      eventId: 'evt-0a9f',
      eventCorpId: 'dingtree7e6d5c4b3a29',
      eventBornTime: String(now),
    },
    data,
  };
}

describe('DingTalk Stream mode', () => {
  it('turns a contact frame into one event per user, with the same eventId as the HTTP callback of that event', async () => {
    const received: PlatformEvent[][] = [];

    const ack = await dingTalkStreamAck(
      frame('user_leave_org', '{"timeStamp":"1685501863357","userId":["015xxxx227","rep0733"]}'),
      async (events) => {
        received.push(events);
      },
      now,
    );

    expect(ack).toEqual({ status: 'SUCCESS', message: 'OK' });
    const overHttp = dingTalkEvents({ EventType: 'user_leave_org', TimeStamp: 1685501863357, UserId: ['015xxxx227', 'rep0733'] }, now);
    expect(received).toEqual([overHttp]);
    expect(received[0]).toEqual([
      { type: 'contact.user_left', userId: '015xxxx227', eventId: expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/), occurredAt: 1685501863357 },
      { type: 'contact.user_left', userId: 'rep0733', eventId: expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/), occurredAt: 1685501863357 },
    ]);
  });

  it('turns bpms_instance_change into approval.finished and department frames into department changes', async () => {
    const received: PlatformEvent[] = [];
    const onEvents = async (events: PlatformEvent[]) => {
      received.push(...events);
    };
    const approval = { processInstanceId: 'pi-9', type: 'finish', result: 'agree', finishTime: 1736130000000, staffId: 'mgr0201' };

    await dingTalkStreamAck(frame('bpms_instance_change', JSON.stringify(approval)), onEvents, now);
    await dingTalkStreamAck(frame('org_dept_create', '{"timeStamp":"1736130000001","deptId":[212]}'), onEvents, now);

    expect(received).toEqual([
      { type: 'approval.finished', instanceId: 'pi-9', approved: true, eventId: expect.stringMatching(/^dingtalk:/), occurredAt: 1736130000000 },
      { type: 'contact.department_changed', departmentId: '212', change: 'created', eventId: expect.stringMatching(/^dingtalk:/), occurredAt: 1736130000001 },
    ]);
    expect(received[0]!.eventId).toBe(dingTalkEvents({ EventType: 'bpms_instance_change', ...approval }, now)[0]!.eventId);
  });

  it('acks LATER with the reason when onEvents fails, so DingTalk redelivers', async () => {
    const ack = await dingTalkStreamAck(
      frame('user_add_org', '{"timeStamp":"1","userId":["rep1"]}'),
      () => Promise.reject(new Error('database unavailable')),
      now,
    );

    expect(ack).toEqual({ status: 'LATER', message: 'database unavailable' });
  });

  it('acks SUCCESS without calling onEvents for frames it has no word for or cannot read', async () => {
    const onEvents = jest.fn(async () => undefined);

    const acks = await Promise.all([
      dingTalkStreamAck(frame('label_user_change', '{"timeStamp":"1"}'), onEvents, now),
      dingTalkStreamAck(frame('user_add_org', 'not json'), onEvents, now),
      dingTalkStreamAck(frame(undefined, '{}'), onEvents, now),
    ]);

    expect(acks).toEqual([
      { status: 'SUCCESS', message: 'ignored: label_user_change' },
      { status: 'SUCCESS', message: 'ignored: not a readable event' },
      { status: 'SUCCESS', message: 'ignored: not a readable event' },
    ]);
    expect(onEvents).not.toHaveBeenCalled();
  });

  it('sends the SDK’s ack frame only after onEvents has finished', async () => {
    const sent: string[] = [];
    let finish: () => void = () => undefined;
    const work = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const client = new DingTalkStreamClient({ clientId: 'dingtree0a1b2c3d4e5f', clientSecret: 's' }, (message) =>
      dingTalkStreamAck(message, () => work, now),
    );
    // No connection: the SDK writes its frames to this socket.
    (client as unknown as { socket: { send(text: string): void } }).socket = { send: (text) => sent.push(text) };

    const acked = client.onEvent(frame('user_add_org', '{"timeStamp":"1","userId":["rep1"]}', 'msg-42'));
    await Promise.resolve();
    expect(sent).toEqual([]);
    finish();
    await acked;

    expect(sent.map((text) => JSON.parse(text) as unknown)).toEqual([
      {
        code: 200,
        headers: { contentType: 'application/json', messageId: 'msg-42' },
        message: 'OK',
        data: JSON.stringify({ status: 'SUCCESS', message: 'OK' }),
      },
    ]);
  });
});
