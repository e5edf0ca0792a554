import type { PlatformAdapter, PlatformEvent } from '@gonghai/plugin-core';
import type { AppDeps } from '../../context';
import { applyApprovalResult } from '../assignments/assignments.service';
import { promptHrForNewHire } from '../assignments/new-hire.service';
import { handleDeparture } from '../org/departure.service';
import { syncDepartments, syncUser } from '../org/org-sync.service';
import { renameUserEverywhere } from '../org/org.repository';
import { markEventFailed, markEventHandled, recordEventArrival } from './platform-events.repository';
import { writeTransaction } from '../../db/write-retry';
import { bumpStamp } from '../../db/change-stamps';

/**
 * Handles what one callback (or Stream frame) carried, in order. Each event is recorded first, keyed by its id, so a
 * vendor's redelivery of an event already handled does nothing; one that failed before is tried again. Throws when an
 * event could not be handled, so the transport answers with an error and the vendor delivers it again.
 */
export async function handlePlatformEvents(
  deps: AppDeps,
  tenantId: string,
  adapter: PlatformAdapter,
  events: PlatformEvent[],
): Promise<void> {
  for (const event of events) {
    const now = deps.clock.now();
    if ((await recordEventArrival(deps.db, tenantId, event, now)) === 'handled') continue;
    try {
      await handleEvent(deps, tenantId, adapter, event);
      await markEventHandled(deps.db, tenantId, event.eventId, deps.clock.now());
    } catch (error) {
      await markEventFailed(deps.db, tenantId, event.eventId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
}

async function handleEvent(deps: AppDeps, tenantId: string, adapter: PlatformAdapter, event: PlatformEvent): Promise<void> {
  const now = deps.clock.now();
  switch (event.type) {
    case 'contact.user_joined':
    case 'contact.user_updated': {
      // The event says who; the directory says what they look like now (events can arrive out of order). A user the
      // directory does not know (yet) is left alone: only an explicit leave event or a full sync ends employment, so a
      // lagging directory can never send someone's customers back to the pool.
      const user = await adapter.directory.user(event.userId);
      if (user === null) {
        deps.logger.warn({ tenantId, userId: event.userId, type: event.type }, 'contact event for a user the directory does not know');
        return;
      }
      const added = await syncUser(deps.db, tenantId, user, now);
      // Their roles may have changed (a leader no more): their next request sees it.
      deps.users.invalidate(tenantId, user.userId);
      // Other processes forget them and the reps' pools (their departments may have moved) at their next stamp poll.
      await bumpStamp(deps.db, tenantId, 'users', now);
      await bumpStamp(deps.db, tenantId, 'pools', now);
      if (added) await promptHrForNewHire(deps, tenantId, user.userId, now);
      return;
    }
    case 'contact.user_left':
      await handleDeparture(deps, tenantId, event.userId, now, adapter.messages);
      return;
    case 'contact.user_renamed': {
      await writeTransaction(deps.db, (trx) => renameUserEverywhere(trx, tenantId, event.userId, event.newUserId));
      // The old id no longer exists: tokens that carry it are refused from now on.
      deps.users.invalidate(tenantId, event.userId);
      const user = await adapter.directory.user(event.newUserId);
      if (user !== null) await syncUser(deps.db, tenantId, user, now);
      deps.users.invalidate(tenantId, event.newUserId);
      await bumpStamp(deps.db, tenantId, 'users', now);
      return;
    }
    case 'contact.department_changed':
      await syncDepartments(deps.db, tenantId, adapter.directory, now);
      await bumpStamp(deps.db, tenantId, 'pools', now);
      return;
    case 'approval.finished':
    case 'approval.withdrawn':
      await applyApprovalResult(deps, tenantId, event);
      return;
  }
}
