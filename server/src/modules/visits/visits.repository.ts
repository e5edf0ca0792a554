import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import type { VisitPhotosTable, VisitsTable } from './visits.table';

export type VisitRow = Selectable<VisitsTable>;
export type PhotoRow = Selectable<VisitPhotosTable>;

export async function insertNonce(db: Db, row: { tenantId: string; nonce: string; userId: string; expiresAt: number }): Promise<void> {
  await db.insertInto('visit_nonces').values({ tenant_id: row.tenantId, nonce: row.nonce, user_id: row.userId, expires_at: row.expiresAt, used_at: null }).execute();
}

/** Uses a nonce once: only its owner, only before it expires, only the first time. Says why when it cannot. */
export async function consumeNonce(db: Db, tenantId: string, userId: string, nonce: string, now: number): Promise<'ok' | 'unknown' | 'expired' | 'used'> {
  const used = await db
    .updateTable('visit_nonces')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('nonce', '=', nonce)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) === 1) return 'ok';
  const row = await db.selectFrom('visit_nonces').select(['user_id', 'used_at', 'expires_at']).where('tenant_id', '=', tenantId).where('nonce', '=', nonce).executeTakeFirst();
  if (row === undefined || row.user_id !== userId) return 'unknown';
  return row.used_at !== null ? 'used' : 'expired';
}

/** The rep's latest check-in that was not rejected: where they last provably were. */
export async function lastFixOf(db: Db, tenantId: string, userId: string): Promise<{ lat: number; lng: number; at: number } | null> {
  const row = await db
    .selectFrom('visits')
    .select(['lat', 'lng', 'checked_in_at'])
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('verdict', '!=', 'rejected')
    .orderBy('checked_in_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { lat: row.lat, lng: row.lng, at: row.checked_in_at } : null;
}

/** Whether this rep has checked in before at all, and from this device. */
export async function deviceHistory(db: Db, tenantId: string, userId: string, deviceLabel: string): Promise<{ firstVisit: boolean; known: boolean }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.exists(eb.selectFrom('visits').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId)).as('any_visit'),
      eb
        .exists(eb.selectFrom('visits').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('device_label', '=', deviceLabel))
        .as('known'),
    ])
    .executeTakeFirstOrThrow();
  return { firstVisit: !Number(row.any_visit), known: Boolean(Number(row.known)) };
}

/**
 * Where these access points were seen at verified visits of the tenant, at customers other than `customerId` (a
 * sighting at the same customer can never be far from it), one per access point and customer. The filtering is
 * done here, not in SQL: with only the primary key's prefix to go on, SQLite's planner would otherwise pick the
 * customer index and read the whole tenant.
 */
export async function bssidSightings(db: Db, tenantId: string, customerId: number, bssids: string[]): Promise<{ bssid: string; lat: number; lng: number; customerId: number }[]> {
  if (bssids.length === 0) return [];
  const rows = await db
    .selectFrom('visit_bssids')
    .select(['bssid', 'customer_id', 'lat', 'lng'])
    .where('tenant_id', '=', tenantId)
    .where('bssid', 'in', bssids)
    .limit(500)
    .execute();
  const seen = new Map<string, { bssid: string; lat: number; lng: number; customerId: number }>();
  for (const r of rows) {
    if (r.customer_id !== customerId) seen.set(`${r.bssid} ${r.customer_id}`, { bssid: r.bssid, lat: r.lat, lng: r.lng, customerId: r.customer_id });
  }
  return [...seen.values()].slice(0, 50);
}

/** Access points seen at this customer's verified visits (read from the covering customer index). */
export async function customerBssids(db: Db, tenantId: string, customerId: number): Promise<string[]> {
  const rows = await db.selectFrom('visit_bssids').select('bssid').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).limit(500).execute();
  return [...new Set(rows.map((r) => r.bssid))].slice(0, 100);
}

/** Forgets the access points of a visit that stopped being verified. */
export async function deleteBssidsOfVisit(db: Db, tenantId: string, visitId: number): Promise<void> {
  await db.deleteFrom('visit_bssids').where('tenant_id', '=', tenantId).where('visit_id', '=', visitId).execute();
}

export async function insertVisit(db: Db, row: Insertable<VisitsTable>): Promise<number> {
  const result = await db.insertInto('visits').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function insertBssids(db: Db, rows: { tenant_id: string; bssid: string; visit_id: number; customer_id: number; lat: number; lng: number }[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('visit_bssids').values(rows).execute();
}

export async function findVisit(db: Db, tenantId: string, id: number): Promise<VisitRow | undefined> {
  return db.selectFrom('visits').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * Moves the customer's verified-visit clock forward to `at`, only while `userId` still owns it and the clock still
 * reads `expected` (what the caller read): one conditional statement, so a visit that lands after a reclaim never
 * touches a customer that went back to the pool (DESIGN §3 invariant 4). Returns whether it moved.
 */
export async function restartVisitClock(db: Db, c: { tenantId: string; customerId: number; userId: string; at: number; expected: number | null }): Promise<boolean> {
  if (c.expected !== null && c.expected >= c.at) return false;
  const updated = await db
    .updateTable('customers')
    .set({ last_verified_visit_at: c.at })
    .where('tenant_id', '=', c.tenantId)
    .where('id', '=', c.customerId)
    .where('status', '=', 'owned')
    .where('owner_id', '=', c.userId)
    .where((eb) => (c.expected === null ? eb('last_verified_visit_at', 'is', null) : eb('last_verified_visit_at', '=', c.expected)))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
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
