import { isMysql, type Db } from '../../db/create-db';
import { isUniqueViolation } from '../../db/errors';
import type { EvidenceKind } from './evidence.table';

/** The hash before the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Tenants whose tip row is known to exist, per database. */
const tipsKnown = new WeakMap<Db, Set<string>>();

/**
 * Makes sure the tenant's chain tip row exists, in its own statement outside any transaction: two first appends that
 * both inserted it inside their transactions would deadlock on MySQL (each waits for the other's duplicate-key lock).
 */
export async function ensureTip(db: Db, tenantId: string): Promise<void> {
  const known = tipsKnown.get(db) ?? new Set<string>();
  tipsKnown.set(db, known);
  if (known.has(tenantId)) return;
  const row = { tenant_id: tenantId, seq: 0, hash: GENESIS_HASH };
  if (isMysql(db)) await db.insertInto('evidence_tips').ignore().values(row).execute();
  else await db.insertInto('evidence_tips').orIgnore().values(row).execute();
  known.add(tenantId);
}

/**
 * Takes the tenant's next `count` sequence numbers and the hash before them, holding the tip row's lock until the
 * transaction ends: the first statement is an UPDATE, so appends of one tenant queue here on MySQL (row lock) and
 * SQLite (write lock) alike, across server instances too. Call inside a transaction, after `ensureTip`.
 */
export async function takeSeqs(trx: Db, tenantId: string, count: number): Promise<{ firstSeq: number; prevHash: string }> {
  const bumped = await trx
    .updateTable('evidence_tips')
    .set((eb) => ({ seq: eb('seq', '+', count) }))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (Number(bumped.numUpdatedRows) !== 1) throw new Error(`the evidence chain tip of tenant ${tenantId} is missing (call ensureTip first)`);
  const tip = await trx.selectFrom('evidence_tips').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return { firstSeq: Number(tip.seq) - count + 1, prevHash: tip.hash };
}

/** Writes a run of consecutive entries and moves the tip's hash to the last one's. */
export async function insertEntries(
  trx: Db,
  tenantId: string,
  entries: { seq: number; kind: EvidenceKind; refId: number; payload: string; prevHash: string; hash: string; hmac: string; createdAt: number }[],
): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('evidence_chain')
    .values(
      entries.map((e) => ({
        tenant_id: tenantId,
        seq: e.seq,
        kind: e.kind,
        ref_id: e.refId,
        payload: e.payload,
        prev_hash: e.prevHash,
        hash: e.hash,
        hmac: e.hmac,
        created_at: e.createdAt,
      })),
    )
    .execute();
  await trx.updateTable('evidence_tips').set({ hash: entries[entries.length - 1]!.hash }).where('tenant_id', '=', tenantId).execute();
}

/** Rows that should have a chain entry and have none yet (a crash between a commit and its append), oldest first. */
export async function unchainedRows(db: Db, tenantId: string, before: number, limit: number) {
  const chained = (kind: EvidenceKind) => (eb: any) =>
    eb.not(eb.exists(eb.selectFrom('evidence_chain as e').select('e.seq').where('e.tenant_id', '=', tenantId).where('e.kind', '=', kind).whereRef('e.ref_id', '=', 'x.id')));
  const checkIns = await db.selectFrom('visits as x').selectAll().where('x.tenant_id', '=', tenantId).where('x.checked_in_at', '<', before).where(chained('check_in')).orderBy('x.id').limit(limit).execute();
  const finishes = await db
    .selectFrom('visits as x')
    .selectAll()
    .where('x.tenant_id', '=', tenantId)
    .where('x.status', '=', 'finished')
    .where('x.checkin_verdict', '!=', 'rejected')
    .where('x.finished_at', '<', before)
    .where(chained('finish'))
    .orderBy('x.id')
    .limit(limit)
    .execute();
  const photos = await db.selectFrom('visit_photos as x').selectAll().where('x.tenant_id', '=', tenantId).where('x.created_at', '<', before).where(chained('photo')).orderBy('x.id').limit(limit).execute();
  // Decisions chain in their own transaction, so one without an entry was written around the API: reported, never appended.
  const reviews = await db
    .selectFrom('visits as x')
    .selectAll()
    .where('x.tenant_id', '=', tenantId)
    .where('x.review_decision', 'is not', null)
    .where('x.reviewed_at', '<', before)
    .where(chained('review'))
    .orderBy('x.id')
    .limit(limit)
    .execute();
  // Merges chain in their own transaction too: reported, never appended.
  const merges = await db
    .selectFrom('customer_merges as x')
    .selectAll()
    .where('x.tenant_id', '=', tenantId)
    .where('x.at', '<', before)
    .where(chained('merge'))
    .orderBy('x.id')
    .limit(limit)
    .execute();
  return { checkIns, finishes, photos, reviews, merges };
}

/** Entries in sequence order, a page at a time. */
export async function entriesAfter(db: Db, tenantId: string, afterSeq: number, limit: number) {
  const rows = await db
    .selectFrom('evidence_chain')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function chainTip(db: Db, tenantId: string): Promise<{ seq: number; hash: string }> {
  const tip = await db.selectFrom('evidence_tips').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
  return tip ? { seq: Number(tip.seq), hash: tip.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** The chain head as it stands at `upToTime`: the last entry created before it. */
export async function headAt(db: Db, tenantId: string, upToTime: number): Promise<{ seq: number; hash: string }> {
  const row = await db
    .selectFrom('evidence_chain')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '<', upToTime)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** Records a day's head once; a second call for the same day keeps the first. Returns whether it wrote. */
export async function recordHead(db: Db, head: { tenantId: string; day: string; seq: number; hash: string; recordedAt: number }): Promise<boolean> {
  try {
    await db
      .insertInto('evidence_heads')
      .values({ tenant_id: head.tenantId, day: head.day, seq: head.seq, hash: head.hash, recorded_at: head.recordedAt })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function listHeads(db: Db, tenantId: string) {
  const rows = await db.selectFrom('evidence_heads').selectAll().where('tenant_id', '=', tenantId).orderBy('day').execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function visitsByIds(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('visits').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

export async function photosByIds(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('visit_photos').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

/** The tenant's customer merges with the payload of their `merge` entry (null when none was chained), oldest first. */
export async function mergesWithEntries(db: Db, tenantId: string) {
  const rows = await db
    .selectFrom('customer_merges as m')
    .leftJoin('evidence_chain as e', (j) => j.onRef('e.tenant_id', '=', 'm.tenant_id').on('e.kind', '=', 'merge').onRef('e.ref_id', '=', 'm.id'))
    .selectAll('m')
    .select('e.payload as entryPayload')
    .where('m.tenant_id', '=', tenantId)
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), merged_id: Number(r.merged_id), into_id: Number(r.into_id), at: Number(r.at) }));
}

export async function mergesByIds(db: Db, tenantId: string, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('customer_merges').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), merged_id: Number(r.merged_id), into_id: Number(r.into_id), at: Number(r.at) }));
}
