import { editsOf, type CustomerEdit } from './customer-edits.repository';
import type { TimelineItem } from './customers.service';

export { editsOf };

export const maskPhone = (phone: string | null) => (phone && phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone && '****');

/**
 * The timeline items of a customer's edits (`type: 'edited'`, `kind` saying what): who changed which field from what
 * to what. Phones are masked as the contacts are for viewers who may not call them. Merges are on the timeline through
 * their ledger row, so their edit rows are left out here.
 */
export function editTimelineItems(edits: CustomerEdit[], names: Map<string, string>, seesPhones: boolean): (TimelineItem & { sortKey: number })[] {
  return edits
    .filter((e) => e.kind !== 'merged')
    .map((e) => ({
      sortKey: e.at,
      type: 'edited',
      at: new Date(e.at).toISOString(),
      kind: e.kind,
      actorId: e.actorId,
      actorName: names.get(e.actorId) ?? null,
      changes: e.changes.map((c) =>
        c.field === 'phone' && !seesPhones ? { ...c, from: maskPhone(c.from as string | null), to: maskPhone(c.to as string | null) } : c,
      ),
    }));
}
