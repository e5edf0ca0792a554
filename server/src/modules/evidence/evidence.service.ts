import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/create-db';
import { localDate, startOfLocalDay } from '../../time';
import type { VisitPhotosTable, VisitsTable } from '../visits/visits.table';
import { canonicalJson } from './canonical-json';
import {
  chainTip,
  ensureTip,
  entriesAfter,
  headAt,
  insertEntries,
  mergesWithEntries,
  photosByIds,
  recordHead,
  takeSeqs,
  unchainedRows,
  visitsByIds,
} from './evidence.repository';
import type { EvidenceKind } from './evidence.table';
import { writeTransaction } from '../../db/write-retry';

/** The server key entries are signed with, derived from MASTER_KEY so no second secret has to be kept. */
export function evidenceKey(masterKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(masterKey, 'utf8'), Buffer.alloc(0), 'gonghai evidence chain v1', 32));
}

type VisitRow = Selectable<VisitsTable>;
type PhotoRow = Selectable<VisitPhotosTable>;

/** What a check-in entry vouches for: the facts the verdict was given on, none of which may change afterwards. */
export function checkInPayload(v: VisitRow): Record<string, unknown> {
  return {
    kind: 'check_in',
    tenantId: v.tenant_id,
    visitId: v.id,
    customerId: v.customer_id,
    userId: v.user_id,
    checkedInAt: v.checked_in_at,
    lat: v.lat,
    lng: v.lng,
    accuracy: v.accuracy,
    distanceM: v.distance_m,
    fixes: JSON.parse(v.fixes) as unknown,
    wifi: JSON.parse(v.wifi) as unknown,
    device: JSON.parse(v.device) as unknown,
    verdict: v.checkin_verdict,
    score: v.checkin_risk_score,
    reasons: JSON.parse(v.checkin_reasons) as unknown,
  };
}

/** What a photo entry vouches for; `fileSha256` are the hashes of the stored files, read back. */
export function photoPayload(p: PhotoRow, files: { original: string | null; watermarked: string | null }): Record<string, unknown> {
  return {
    kind: 'photo',
    tenantId: p.tenant_id,
    photoId: p.id,
    visitId: p.visit_id,
    customerId: p.customer_id,
    userId: p.user_id,
    createdAt: p.created_at,
    inputSha256: p.input_sha256,
    originalSha256: p.original_sha256,
    sha256: p.sha256,
    originalFileSha256: files.original,
    watermarkedFileSha256: files.watermarked,
    phash: p.phash,
    reusedPhotoId: p.reused_photo_id,
    width: p.width,
    height: p.height,
    bytes: p.bytes,
  };
}

/** What a finish entry vouches for: how the visit ended and its final verdict. */
export function finishPayload(v: VisitRow): Record<string, unknown> {
  return {
    kind: 'finish',
    tenantId: v.tenant_id,
    visitId: v.id,
    finishedAt: v.finished_at,
    dwellS: v.dwell_s,
    finishFix: v.finish_fix === null ? null : (JSON.parse(v.finish_fix) as unknown),
    notes: v.notes,
    feedback: v.feedback,
    // A review only ever decides a finished suspect visit: the finish vouched for `suspect`, the review entry for the rest.
    verdict: v.review_decision ? 'suspect' : v.verdict,
    score: v.risk_score,
    reasons: JSON.parse(v.reasons) as unknown,
  };
}

/** A `customer_merges` row, ids and time as numbers. */
export interface MergeRow {
  id: number;
  tenant_id: string;
  merged_id: number;
  into_id: number;
  actor_id: string;
  at: number;
}

/** What a merge entry vouches for: which record went into which, by whom and when. */
export function mergePayload(m: MergeRow): Record<string, unknown> {
  return { kind: 'merge', tenantId: m.tenant_id, mergeId: m.id, mergedId: m.merged_id, intoId: m.into_id, actorId: m.actor_id, at: m.at };
}

/** What a review entry vouches for: the decision, who made it as what, when and why, and the clock it moved. */
export function reviewPayload(v: VisitRow): Record<string, unknown> {
  return {
    kind: 'review',
    tenantId: v.tenant_id,
    visitId: v.id,
    customerId: v.customer_id,
    userId: v.user_id,
    decision: v.review_decision,
    verdict: v.verdict,
    reviewedBy: v.reviewed_by,
    reviewedAs: v.reviewed_as,
    reviewedAt: v.reviewed_at,
    note: v.review_note,
    clockRestarted: v.clock_restarted,
    previousVerifiedVisitAt: v.previous_verified_visit_at,
  };
}

function entryHash(prevHash: string, payload: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(payload, 'utf8').digest('hex');
}

function entryHmac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash, 'utf8').digest('hex');
}

export interface EvidenceEntry {
  tenantId: string;
  kind: EvidenceKind;
  refId: number;
  payload: Record<string, unknown>;
  now: number;
}

interface Pending extends EvidenceEntry {
  resolve(seq: number): void;
  reject(error: unknown): void;
}

/** Entries one flush writes at most. */
const MAX_BATCH = 200;

/**
 * The tenants' hash chains (`hash_n = SHA-256(hash_{n-1} ‖ canonical JSON)`, HMAC-signed), appended with group commit:
 * while one flush of a tenant is being written, new entries queue, and the next flush writes them all in one
 * transaction (one tip lock, one multi-row insert). Photos and finishes append after their own transaction committed
 * and wait for the entry's seq; a crash between the two leaves a row without an entry, which `chainMissing` appends
 * later and verification reports until then. Check-ins chain inside their own batch's transaction instead (`seal`).
 */
export class EvidenceChain {
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {}

  /** Appends one entry; resolves with its sequence number once it is committed. */
  append(entry: EvidenceEntry): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const queue = this.queues.get(entry.tenantId) ?? [];
      this.queues.set(entry.tenantId, queue);
      queue.push({ ...entry, resolve, reject });
      if (!this.flushing.has(entry.tenantId)) void this.flush(entry.tenantId);
    });
  }

  private async flush(tenantId: string): Promise<void> {
    this.flushing.add(tenantId);
    try {
      const queue = this.queues.get(tenantId)!;
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH);
        try {
          const first = await this.write(tenantId, batch);
          batch.forEach((pending, i) => pending.resolve(first + i));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.flushing.delete(tenantId);
    }
  }

  /**
   * Hashes and signs a run of entries that follows `prevHash` from `firstSeq`. For writers that hold the tenant's tip
   * themselves (the check-in batch chains its visits inside its own transaction); they store the rows and move the tip.
   */
  seal(firstSeq: number, prevHash: string, entries: readonly Omit<EvidenceEntry, 'tenantId'>[]): SealedEntry[] {
    let previous = prevHash;
    return entries.map((entry, i) => {
      const payload = canonicalJson(entry.payload);
      const hash = entryHash(previous, payload);
      const row = { seq: firstSeq + i, kind: entry.kind, refId: entry.refId, payload, prevHash: previous, hash, hmac: entryHmac(this.key, hash), createdAt: entry.now };
      previous = hash;
      return row;
    });
  }

  /** Makes sure the tenant's chain can be appended to; call outside any transaction, before `appendWithin`. */
  prepare(tenantId: string): Promise<void> {
    return ensureTip(this.db, tenantId);
  }

  /**
   * Appends one entry inside the caller's transaction, so it commits or rolls back with the rows it vouches for. It
   * takes the tenant's tip lock until the commit: call it last in the transaction, after `prepare`.
   */
  async appendWithin(trx: Db, entry: EvidenceEntry): Promise<number> {
    const { firstSeq, prevHash } = await takeSeqs(trx, entry.tenantId, 1);
    await insertEntries(trx, entry.tenantId, this.seal(firstSeq, prevHash, [entry]));
    return firstSeq;
  }

  private async write(tenantId: string, batch: EvidenceEntry[]): Promise<number> {
    await ensureTip(this.db, tenantId);
    return writeTransaction(this.db, async (trx) => {
      const { firstSeq, prevHash } = await takeSeqs(trx, tenantId, batch.length);
      await insertEntries(trx, tenantId, this.seal(firstSeq, prevHash, batch));
      return firstSeq;
    });
  }
}

/** A chain entry ready to store: its place, payload, links and signature. */
export interface SealedEntry {
  seq: number;
  kind: EvidenceKind;
  refId: number;
  payload: string;
  prevHash: string;
  hash: string;
  hmac: string;
  createdAt: number;
}

/**
 * Appends the entries of rows that have none (their request committed, then the process died before chaining them).
 * Run at start-up and nightly; returns how many it appended.
 */
export async function chainMissing(db: Db, chain: EvidenceChain, tenantId: string, now: number): Promise<number> {
  let appended = 0;
  for (;;) {
    const { checkIns, finishes, photos } = await unchainedRows(db, tenantId, now, 500);
    const entries: EvidenceEntry[] = [
      ...checkIns.map((v) => ({ tenantId, kind: 'check_in' as const, refId: v.id, payload: checkInPayload(v), now })),
      ...photos.map((p) => ({ tenantId, kind: 'photo' as const, refId: p.id, payload: photoPayload(p, { original: p.original_sha256, watermarked: p.sha256 }), now })),
      ...finishes.map((v) => ({ tenantId, kind: 'finish' as const, refId: v.id, payload: finishPayload(v), now })),
    ];
    if (entries.length === 0) return appended;
    await Promise.all(entries.map((entry) => chain.append(entry)));
    appended += entries.length;
  }
}

/** Reads stored photo files back (the photo store). */
export interface PhotoReader {
  get(key: string): Promise<Buffer | undefined>;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  /** The first entry that does not hold, or null. */
  firstBrokenSeq: number | null;
  /** Why, in Chinese, naming the record. */
  reason: string | null;
}

const PAGE = 500;

/**
 * The tenant's merges that are chained as they stand (their `merge` entry's payload matches the row; the chain walk
 * checks those entries' links and signatures), as merged id → survivor ids. Only these explain a moved visit or photo.
 */
async function chainedMerges(db: Db, tenantId: string) {
  const rows = await mergesWithEntries(db, tenantId);
  const into = new Map<number, number[]>();
  for (const row of rows) {
    if (row.entryPayload !== canonicalJson(mergePayload(row))) continue;
    into.set(row.merged_id, [...(into.get(row.merged_id) ?? []), row.into_id]);
  }
  return { rows: new Map(rows.map((r) => [r.id, r])), into };
}

/** Whether customer `from` went into `to` through one or more chained merges (M1 → M2 → S). */
function mergedInto(into: Map<number, number[]>, from: number, to: number): boolean {
  const seen = new Set<number>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const next of into.get(queue.shift()!) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/**
 * A rebuilt payload with the customer id the entry signed, when the record moved from it to the live one through
 * chained merges; otherwise the rebuilt payload as it is (and any difference, the customer id too, is reported).
 */
function asSignedBeforeMerges(storedPayload: string, rebuilt: Record<string, unknown>, into: Map<number, number[]>): Record<string, unknown> {
  const live = rebuilt.customerId;
  if (typeof live !== 'number' || into.size === 0) return rebuilt;
  let signed: unknown;
  try {
    signed = (JSON.parse(storedPayload) as Record<string, unknown>).customerId;
  } catch {
    return rebuilt;
  }
  return typeof signed === 'number' && signed !== live && mergedInto(into, signed, live) ? { ...rebuilt, customerId: signed } : rebuilt;
}

/**
 * Recomputes the whole chain from the stored rows and files (DESIGN §5.3): each entry's payload is rebuilt from what is
 * stored now, so an edited visit row, photo row or photo file, an edited or deleted entry, or a broken signature all
 * show up, and the first entry that fails is named. A visit or photo that a merge moved to the survivor signed the
 * merged id: it holds when that id reaches the live one through chained merges, and only then.
 */
export async function verifyEvidence(db: Db, store: PhotoReader, key: Buffer, tenantId: string, now: number): Promise<ChainVerification> {
  let prevHash = '0'.repeat(64);
  let expectedSeq = 1;
  let count = 0;
  const broken = (seq: number, reason: string): ChainVerification => ({ ok: false, entries: count, firstBrokenSeq: seq, reason });
  const merges = await chainedMerges(db, tenantId);
  for (;;) {
    const page = await entriesAfter(db, tenantId, expectedSeq - 1, PAGE);
    if (page.length === 0) break;
    const visits = new Map((await visitsByIds(db, tenantId, [...new Set(page.filter((e) => e.kind !== 'photo' && e.kind !== 'merge').map((e) => e.ref_id))])).map((v) => [v.id, v]));
    const photos = new Map((await photosByIds(db, tenantId, [...new Set(page.filter((e) => e.kind === 'photo').map((e) => e.ref_id))])).map((p) => [p.id, p]));
    for (const entry of page) {
      count += 1;
      if (entry.seq !== expectedSeq) return broken(expectedSeq, `存证第 ${expectedSeq} 条缺失（下一条是第 ${entry.seq} 条）。`);
      if (entry.prev_hash !== prevHash) return broken(entry.seq, `存证第 ${entry.seq} 条与前一条的哈希链接不上。`);
      let rebuilt: Record<string, unknown>;
      if (entry.kind === 'photo') {
        const photo = photos.get(entry.ref_id);
        if (photo === undefined) return broken(entry.seq, `存证第 ${entry.seq} 条对应的照片 ${entry.ref_id} 已不存在。`);
        const files = { original: await fileSha256(store, photo.original_key), watermarked: await fileSha256(store, photo.watermarked_key) };
        if (files.original !== photo.original_sha256 || files.watermarked !== photo.sha256) {
          return broken(entry.seq, `照片 ${photo.id}（拜访 ${photo.visit_id}）的文件${files.original === null || files.watermarked === null ? '已丢失' : '被修改过'}（存证第 ${entry.seq} 条）。`);
        }
        rebuilt = photoPayload(photo, files);
      } else if (entry.kind === 'merge') {
        const merge = merges.rows.get(entry.ref_id);
        if (merge === undefined) return broken(entry.seq, `存证第 ${entry.seq} 条对应的客户合并 ${entry.ref_id} 已不存在。`);
        rebuilt = mergePayload(merge);
      } else {
        const visit = visits.get(entry.ref_id);
        if (visit === undefined) return broken(entry.seq, `存证第 ${entry.seq} 条对应的拜访 ${entry.ref_id} 已不存在。`);
        rebuilt = entry.kind === 'check_in' ? checkInPayload(visit) : entry.kind === 'review' ? reviewPayload(visit) : finishPayload(visit);
      }
      let payload = canonicalJson(rebuilt);
      if (payload !== entry.payload) {
        rebuilt = asSignedBeforeMerges(entry.payload, rebuilt, merges.into);
        payload = canonicalJson(rebuilt);
      }
      if (payload !== entry.payload) {
        const what = changedFields(entry.payload, rebuilt);
        const record = entry.kind === 'photo' ? `照片 ${entry.ref_id}` : entry.kind === 'merge' ? `客户合并 ${entry.ref_id}` : `拜访 ${entry.ref_id}`;
        return broken(entry.seq, `${record} 的记录与存证第 ${entry.seq} 条不符（${what.join('、') || '内容'} 被修改过）。`);
      }
      const hash = entryHash(prevHash, payload);
      if (hash !== entry.hash) return broken(entry.seq, `存证第 ${entry.seq} 条的哈希不对。`);
      const signature = Buffer.from(entryHmac(key, hash), 'hex');
      const stored = Buffer.from(entry.hmac, 'hex');
      if (signature.length !== stored.length || !timingSafeEqual(signature, stored)) {
        return broken(entry.seq, `存证第 ${entry.seq} 条的签名不对（不是本服务器写入的）。`);
      }
      prevHash = hash;
      expectedSeq += 1;
    }
  }
  const tip = await chainTip(db, tenantId);
  if (tip.seq !== expectedSeq - 1 || tip.hash !== prevHash) {
    return { ok: false, entries: count, firstBrokenSeq: expectedSeq, reason: `存证链末尾应为第 ${tip.seq} 条，但只找到 ${expectedSeq - 1} 条完整记录。` };
  }
  // A record nobody chained is as untrustworthy as an edited one (it could have been inserted by hand). Rows of the
  // last minute may still be waiting for their batch.
  const missing = await unchainedRows(db, tenantId, now - 60_000, 1);
  const orphan = missing.checkIns[0] ?? missing.finishes[0] ?? missing.reviews[0];
  if (orphan !== undefined || missing.photos[0] !== undefined || missing.merges[0] !== undefined) {
    const what = orphan !== undefined ? `拜访 ${orphan.id}` : missing.photos[0] !== undefined ? `照片 ${missing.photos[0].id}` : `客户合并 ${missing.merges[0]!.id}`;
    return { ok: false, entries: count, firstBrokenSeq: null, reason: `${what} 没有存证记录（可能是绕过系统直接写入的）。` };
  }
  return { ok: true, entries: count, firstBrokenSeq: null, reason: null };
}

async function fileSha256(store: PhotoReader, key: string): Promise<string | null> {
  const bytes = await store.get(key);
  return bytes === undefined ? null : createHash('sha256').update(bytes).digest('hex');
}

function changedFields(storedPayload: string, rebuilt: Record<string, unknown>): string[] {
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(storedPayload) as Record<string, unknown>;
  } catch {
    return [];
  }
  const keys = new Set([...Object.keys(stored), ...Object.keys(rebuilt)]);
  return [...keys].filter((k) => canonicalJson(stored[k] ?? null) !== canonicalJson(rebuilt[k] ?? null)).sort();
}

/**
 * Records yesterday's chain head (the last entry before the tenant's local midnight) once; the nightly job calls it
 * at 00:10 and a rerun changes nothing. Returns whether it wrote.
 */
export async function recordDailyHead(db: Db, tenantId: string, timeZone: string, now: number): Promise<{ day: string; seq: number; hash: string; written: boolean }> {
  const midnight = startOfLocalDay(now, timeZone);
  const day = localDate(midnight - 1, timeZone);
  const head = await headAt(db, tenantId, midnight);
  const written = await recordHead(db, { tenantId, day, seq: head.seq, hash: head.hash, recordedAt: now });
  return { day, ...head, written };
}
