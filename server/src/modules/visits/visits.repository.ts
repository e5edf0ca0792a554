import type { Insertable, Selectable } from 'kysely';
import { isMysql, type Db } from '../../db/create-db';
import { reportedBssids } from './risk';
import type { VisitPhotosTable, VisitsTable } from './visits.table';

export type VisitRow = Selectable<VisitsTable>;
export type PhotoRow = Selectable<VisitPhotosTable>;

export async function insertNonce(db: Db, row: { tenantId: string; nonce: string; userId: string; expiresAt: number }): Promise<void> {
  await db.insertInto('visit_nonces').values({ tenant_id: row.tenantId, nonce: row.nonce, user_id: row.userId, expires_at: row.expiresAt, used_at: null }).execute();
}

/**
 * Uses up a nonce of this rep that is unused and unexpired; false when it was not (another request used it first).
 * Check-in batches use theirs in their own write script; this one is for a single request outside a batch.
 */
export async function useNonce(db: Db, n: { tenantId: string; userId: string; nonce: string; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('visit_nonces')
    .set({ used_at: n.now })
    .where('tenant_id', '=', n.tenantId)
    .where('nonce', '=', n.nonce)
    .where('user_id', '=', n.userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', n.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Moves where a rep last provably was to a fix outside any check-in (a proximity-gated claim's, `visitId` 0: it has no
 * visit, so a visit losing its verdict never gives it back), only forward in time as check-in batches move it.
 */
export async function moveLastFix(db: Db, fix: { tenantId: string; userId: string; visitId: number; lat: number; lng: number; at: number }): Promise<void> {
  const row = { tenant_id: fix.tenantId, user_id: fix.userId, visit_id: fix.visitId, lat: fix.lat, lng: fix.lng, checked_in_at: fix.at };
  // Insert when the rep has none, then move an older one: two portable statements instead of each dialect's upsert.
  await (isMysql(db) ? db.insertInto('rep_last_fixes').ignore() : db.insertInto('rep_last_fixes').orIgnore()).values(row).execute();
  await db
    .updateTable('rep_last_fixes')
    .set({ visit_id: row.visit_id, lat: row.lat, lng: row.lng, checked_in_at: row.checked_in_at })
    .where('tenant_id', '=', fix.tenantId)
    .where('user_id', '=', fix.userId)
    .where('checked_in_at', '<=', fix.at)
    .execute();
}

/** Customer visits read per page while looking for the one an access point was last verified at. */
const SUCCESSOR_PAGE = 200;

/**
 * A visit that stopped being verified no longer places its access points: each sighting it was the latest of moves to
 * the customer's latest other verified visit that reported the access point, or goes. Conditional on the sighting
 * still naming this visit, so one written meanwhile by a newer check-in is kept.
 */
export async function forgetSightingsOfVisit(db: Db, visit: Pick<VisitRow, 'id' | 'tenant_id' | 'customer_id' | 'wifi'>): Promise<void> {
  const { tenant_id: tenantId, customer_id: customerId } = visit;
  const reported = bssidsOf(visit.wifi);
  if (reported.size === 0) return;
  const mine = await db
    .selectFrom('bssid_sightings')
    .select('bssid')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('bssid', 'in', [...reported])
    .where('visit_id', '=', visit.id)
    .execute();
  const orphans = new Set(mine.map((r) => r.bssid));
  let before: number | undefined;
  while (orphans.size > 0) {
    let page = db
      .selectFrom('visits')
      .select(['id', 'lat', 'lng', 'wifi'])
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customerId)
      .where('verdict', '=', 'verified')
      .where('id', '<>', visit.id);
    if (before !== undefined) page = page.where('id', '<', before);
    const rows = await page.orderBy('id', 'desc').limit(SUCCESSOR_PAGE).execute();
    for (const row of rows) {
      for (const bssid of bssidsOf(row.wifi)) {
        if (!orphans.delete(bssid)) continue;
        await db
          .updateTable('bssid_sightings')
          .set({ visit_id: row.id, lat: row.lat, lng: row.lng })
          .where('tenant_id', '=', tenantId)
          .where('bssid', '=', bssid)
          .where('customer_id', '=', customerId)
          .where('visit_id', '=', visit.id)
          .execute();
      }
    }
    if (rows.length < SUCCESSOR_PAGE) break;
    before = rows[rows.length - 1]!.id;
  }
  if (orphans.size > 0) {
    await db
      .deleteFrom('bssid_sightings')
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customerId)
      .where('bssid', 'in', [...orphans])
      .where('visit_id', '=', visit.id)
      .execute();
  }
}

/** The access points a visit reported (its stored Wi-Fi JSON), normalised as check-ins normalise them. */
function bssidsOf(wifi: string): Set<string> {
  const list = JSON.parse(wifi) as { bssid: string }[];
  return new Set(reportedBssids(list));
}

/**
 * A visit that became rejected no longer says where its rep was: if it was their last fix, the latest check-in of
 * theirs that is still not rejected takes its place (none: the rep has no last fix). Conditional on the row still
 * naming this visit, so a newer check-in written meanwhile is kept.
 */
export async function giveBackLastFix(db: Db, tenantId: string, userId: string, visitId: number): Promise<void> {
  const latest = await db
    .selectFrom('visits')
    .select(['id', 'lat', 'lng', 'checked_in_at'])
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('verdict', '<>', 'rejected')
    .where('id', '<>', visitId)
    .orderBy('checked_in_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (latest === undefined) {
    await db.deleteFrom('rep_last_fixes').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('visit_id', '=', visitId).execute();
    return;
  }
  await db
    .updateTable('rep_last_fixes')
    .set({ visit_id: latest.id, lat: latest.lat, lng: latest.lng, checked_in_at: latest.checked_in_at })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('visit_id', '=', visitId)
    .execute();
}

export async function findVisit(db: Db, tenantId: string, id: number): Promise<VisitRow | undefined> {
  return db.selectFrom('visits').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Gives back what a visit that lost its verdict had set, if nothing newer set it since. */
export async function undoVisitClock(db: Db, tenantId: string, customerId: number, setTo: number, previous: number | null): Promise<void> {
  await db
    .updateTable('customers')
    .set({ last_verified_visit_at: previous })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', customerId)
    .where('last_verified_visit_at', '=', setTo)
    .execute();
}

/** A customer's clock facts, the row locked until the transaction ends (MySQL; SQLite's write lock covers it). */
export async function lockCustomerClock(trx: Db, tenantId: string, customerId: number) {
  let query = trx.selectFrom('customers').select(['status', 'owner_id', 'last_verified_visit_at']).where('tenant_id', '=', tenantId).where('id', '=', customerId);
  if (isMysql(trx)) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && { ...row, last_verified_visit_at: row.last_verified_visit_at === null ? null : Number(row.last_verified_visit_at) };
}

/**
 * Records a decision on a visit that is still suspect and undecided, with the clock it moves (if any); false when
 * another decision came first.
 */
export async function recordReview(
  trx: Db,
  tenantId: string,
  visitId: number,
  r: { verdict: 'verified' | 'rejected'; by: string; as: 'manager' | 'admin'; at: number; note: string | null; clock: { previous: number | null } | null },
): Promise<boolean> {
  const result = await trx
    .updateTable('visits')
    .set({
      verdict: r.verdict,
      review_decision: r.verdict,
      reviewed_by: r.by,
      reviewed_as: r.as,
      reviewed_at: r.at,
      review_note: r.note,
      ...(r.clock === null ? {} : { clock_restarted: 1, previous_verified_visit_at: r.clock.previous }),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', visitId)
    .where('verdict', '=', 'suspect')
    .where('review_decision', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets a customer's verified-visit clock (the caller decided, under the customer's lock, that it moves forward). */
export async function setVerifiedVisitClock(trx: Db, tenantId: string, customerId: number, at: number): Promise<void> {
  await trx.updateTable('customers').set({ last_verified_visit_at: at }).where('tenant_id', '=', tenantId).where('id', '=', customerId).execute();
}

export async function updateVisit(db: Db, tenantId: string, id: number, values: Partial<Omit<VisitRow, 'id' | 'tenant_id'>>): Promise<void> {
  await db.updateTable('visits').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function photosOfVisits(db: Db, tenantId: string, visitIds: number[]): Promise<PhotoRow[]> {
  if (visitIds.length === 0) return [];
  return db.selectFrom('visit_photos').selectAll().where('tenant_id', '=', tenantId).where('visit_id', 'in', visitIds).orderBy('id').execute();
}

export async function findPhoto(db: Db, tenantId: string, id: number): Promise<PhotoRow | undefined> {
  return db.selectFrom('visit_photos').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Photos of the tenant with exactly these bytes (as uploaded, or after orientation and metadata stripping). */
export async function photosWithHash(db: Db, tenantId: string, inputSha256: string, originalSha256: string): Promise<PhotoRow[]> {
  return db
    .selectFrom('visit_photos')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('input_sha256', '=', inputSha256), eb('original_sha256', '=', originalSha256)]))
    .limit(5)
    .execute();
}

/** Candidates for a near duplicate: photos sharing one of the four 16-bit bands of the perceptual hash. */
export async function photosSharingBand(db: Db, tenantId: string, bands: [string, string, string, string]): Promise<{ id: number; phash: string }[]> {
  return db
    .selectFrom('visit_photos')
    .select(['id', 'phash'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('phash_b0', '=', bands[0]), eb('phash_b1', '=', bands[1]), eb('phash_b2', '=', bands[2]), eb('phash_b3', '=', bands[3])]))
    .limit(500)
    .execute();
}

export async function insertPhoto(db: Db, row: Insertable<VisitPhotosTable>): Promise<number> {
  const result = await db.insertInto('visit_photos').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function countPhotos(db: Db, tenantId: string, visitId: number): Promise<number> {
  const row = await db.selectFrom('visit_photos').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('visit_id', '=', visitId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A page of visits, newest first, optionally of one rep, one customer, or some verdicts. */
export async function listVisits(
  db: Db,
  q: { tenantId: string; userIds?: string[]; customerId?: number; verdicts?: string[]; beforeId?: number; limit: number },
): Promise<VisitRow[]> {
  let query = db.selectFrom('visits').selectAll().where('tenant_id', '=', q.tenantId);
  if (q.userIds !== undefined) {
    if (q.userIds.length === 0) return [];
    query = query.where('user_id', 'in', q.userIds);
  }
  if (q.customerId !== undefined) query = query.where('customer_id', '=', q.customerId);
  if (q.verdicts !== undefined) query = query.where('verdict', 'in', q.verdicts as VisitRow['verdict'][]);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** The evidence-chain position of each photo. */
export async function photoChainSeqs(db: Db, tenantId: string, photoIds: number[]): Promise<Map<number, number>> {
  if (photoIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('evidence_chain')
    .select(['ref_id', 'seq'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'photo')
    .where('ref_id', 'in', photoIds)
    .execute();
  return new Map(rows.map((r) => [r.ref_id, Number(r.seq)]));
}
