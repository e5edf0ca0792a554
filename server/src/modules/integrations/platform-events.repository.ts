import type { PlatformEvent } from '@gonghai/plugin-core';
import type { Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';

/** What we knew of an event when it arrived: new, seen but not yet handled (a failed try), or already handled. */
export type EventArrival = 'new' | 'retry' | 'handled';

/** Records an event once per (tenant, eventId); a redelivery only counts itself. */
export async function recordEventArrival(db: Db, tenantId: string, event: PlatformEvent, now: number): Promise<EventArrival> {
  try {
    await db
      .insertInto('platform_events')
      .values({
        tenant_id: tenantId,
        event_id: event.eventId,
        type: event.type,
        payload: JSON.stringify(event),
        occurred_at: event.occurredAt,
        received_at: now,
        deliveries: 1,
        handled_at: null,
        error: null,
      })
      .execute();
    return 'new';
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  await db
    .updateTable('platform_events')
    .set((eb) => ({ deliveries: eb('deliveries', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', event.eventId)
    .execute();
  const row = await db
    .selectFrom('platform_events')
    .select('handled_at')
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', event.eventId)
    .executeTakeFirstOrThrow();
  return row.handled_at === null ? 'retry' : 'handled';
}

export async function markEventHandled(db: Db, tenantId: string, eventId: string, now: number): Promise<void> {
  await db
    .updateTable('platform_events')
    .set({ handled_at: now, error: null })
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', eventId)
    .execute();
}

export async function markEventFailed(db: Db, tenantId: string, eventId: string, reason: string): Promise<void> {
  await db
    .updateTable('platform_events')
    .set({ error: reason.slice(0, 500) })
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', eventId)
    .execute();
}

/** The tenant's recorded events of one type, oldest first (approval handlers and tests read these). */
export async function listEvents(db: Db, tenantId: string, type: PlatformEvent['type']): Promise<{ event: PlatformEvent; deliveries: number; handledAt: number | null }[]> {
  const rows = await db
    .selectFrom('platform_events')
    .select(['payload', 'deliveries', 'handled_at'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', type)
    .orderBy('received_at')
    .orderBy('event_id')
    .execute();
  return rows.map((r) => ({ event: JSON.parse(r.payload) as PlatformEvent, deliveries: r.deliveries, handledAt: r.handled_at }));
}
