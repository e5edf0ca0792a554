import { systemClock, type Clock, type PlatformEvent } from '@gonghai/plugin-core';
import { DWClient, EventAck, type DWClientDownStream, type EventAckData } from 'dingtalk-stream';
import { dingTalkEvents, fromStreamEvent } from './dingtalk.events';

export interface DingTalkStreamTransportOptions {
  /** The app's AppKey (ClientID). */
  clientId: string;
  /** The app's AppSecret (ClientSecret). */
  clientSecret: string;
  /** Receives the events of one frame; the frame is acknowledged only once this resolves. */
  onEvents(events: PlatformEvent[]): Promise<void>;
  /** `occurredAt` of events that carry no time; default the system clock. */
  clock?: Clock;
  debug?: boolean;
}

/** DingTalk's Stream mode (dingtalk-api §5.3): events over an outbound WebSocket, no public callback URL. */
export interface DingTalkStreamTransport {
  /** Opens the connection; the SDK reconnects by itself afterwards. */
  connect(): Promise<void>;
  disconnect(): void;
}

/**
 * Translates one EVENT frame (`headers.eventType`, JSON `data`) with the same function as the HTTP callbacks, hands
 * the events to `onEvents`, and says how to acknowledge it: `SUCCESS` once `onEvents` resolved, `LATER` (DingTalk
 * redelivers) when it failed. A frame we cannot read or have no word for is acknowledged: redelivering it would not
 * change that. Never throws.
 */
export async function dingTalkStreamAck(
  frame: Pick<DWClientDownStream, 'headers' | 'data'>,
  onEvents: (events: PlatformEvent[]) => Promise<void>,
  now: number,
): Promise<EventAckData> {
  const eventType = frame.headers.eventType;
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch {
    data = undefined;
  }
  if (typeof eventType !== 'string' || typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { status: EventAck.SUCCESS, message: 'ignored: not a readable event' };
  }
  const events = dingTalkEvents(fromStreamEvent(eventType, data as Record<string, unknown>), now);
  if (events.length === 0) return { status: EventAck.SUCCESS, message: `ignored: ${eventType}` };
  try {
    await onEvents(events);
    return { status: EventAck.SUCCESS, message: 'OK' };
  } catch (error) {
    return { status: EventAck.LATER, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The SDK's own `onEvent` acknowledges synchronously with whatever the listener given to `registerAllEventListener`
 * returns (dingtalk-stream 2.1.5 `client.cjs`: `socket.send(... data: JSON.stringify(ackData))`), so an async
 * listener would be acknowledged with `{}` before it ran. This client acknowledges after the work is done instead,
 * through the SDK's `send`, which writes the same ack frame (`code 200`, `headers.messageId`, `data` = JSON status).
 */
export class DingTalkStreamClient extends DWClient {
  constructor(
    options: { clientId: string; clientSecret: string; debug?: boolean },
    private readonly ack: (frame: DWClientDownStream) => Promise<EventAckData>,
  ) {
    super({ clientId: options.clientId, clientSecret: options.clientSecret, debug: options.debug ?? false, keepAlive: true });
  }

  /**
   * Returns once the ack is sent (the SDK ignores the return value, tests await it). Never rejects: the SDK does not
   * await it, and a frame without a `messageId` (the only way `send` throws) cannot be acknowledged anyway.
   */
  override onEvent(message: DWClientDownStream): Promise<void> {
    return this.ack(message)
      .then((ackData) => this.send(message.headers.messageId, ackData))
      .catch(() => undefined);
  }
}

/** A Stream-mode connection that turns DingTalk's EVENT frames into `PlatformEvent[]` for `onEvents`. */
export function createDingTalkStreamTransport(options: DingTalkStreamTransportOptions): DingTalkStreamTransport {
  const clock = options.clock ?? systemClock;
  const client = new DingTalkStreamClient(options, (frame) => dingTalkStreamAck(frame, options.onEvents, clock.now()));
  return {
    connect: () => client.connect(),
    disconnect: () => client.disconnect(),
  };
}
