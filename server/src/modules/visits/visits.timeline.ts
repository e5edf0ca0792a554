import type { Db } from '../../db/create-db';
import { userNames } from '../org/org.repository';
import type { VisitDto } from './visits';
import { toVisitDto } from './visits.dto';
import { listVisits, photoChainSeqs, photosOfVisits } from './visits.repository';

/** A customer's latest visits, with their photos, for the profile timeline (the caller checked the customer is visible). */
export async function customerVisitTimeline(db: Db, tenantId: string, customerId: number): Promise<VisitDto[]> {
  const rows = await listVisits(db, { tenantId, customerId, limit: 100 });
  const photos = await photosOfVisits(db, tenantId, rows.map((r) => r.id));
  const seqs = await photoChainSeqs(db, tenantId, photos.map((p) => p.id));
  const reviewers = await userNames(db, tenantId, rows.flatMap((r) => (r.reviewed_by === null ? [] : [r.reviewed_by])));
  return rows.map((r) => toVisitDto(r, photos.filter((p) => p.visit_id === r.id), seqs, reviewers));
}
