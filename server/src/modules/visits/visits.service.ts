import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { Actor, AppDeps } from '../../context';
import { notFound } from '../../errors';
import { formatLocal } from '../../time';
import { loadVisibleCustomer } from '../customers/customers.service';
import { finishPayload, photoPayload } from '../evidence/evidence.service';
import { hammingDistance, isNearDuplicate, phashBands } from '../evidence/perceptual-hash';
import { processPhoto } from '../evidence/photo-pipeline';
import { photoKey } from '../evidence/photo-store';
import { departmentPaths, findUser, userNames, usersInSubtrees } from '../org/org.repository';
import { findTenantById } from '../tenants/tenants.repository';
import { checkInBatcher, checkInRequest, type CheckInDone, type CheckInRequest } from './check-in-batch';
import { defaultRiskPolicy, finishShortfallReasons, photoReusedReason, riskPolicySchema, withReason, type PhotoMatch } from './risk';
import type { Assessment, RiskPolicy, RiskReason } from './risk/risk';
import type { CheckInBody, FinishBody, PhotoDto, VisitDto } from './visits';
import { toPhotoDto, toVisitDto } from './visits.dto';
import { visitError } from './visits.errors';
import {
  countPhotos,
  findVisit,
  forgetSightingsOfVisit,
  giveBackLastFix,
  insertNonce,
  insertPhoto,
  listVisits,
  photoChainSeqs,
  photosOfVisits,
  photosSharingBand,
  photosWithHash,
  undoVisitClock,
  updateVisit,
  type PhotoRow,
  type VisitRow,
} from './visits.repository';
import { writeTransaction } from '../../db/write-retry';

/** A nonce lives this long: long enough to take the fixes, too short to keep one for later. */
export const NONCE_TTL_MS = 5 * 60_000;
/** The largest photo accepted (bytes as uploaded). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

export interface TenantVisitSettings {
  policy: RiskPolicy;
  timeZone: string;
  expiresAt: number;
}

const settingsCache = new Map<string, TenantVisitSettings>();

/** The tenant's risk policy and zone, cached for 30 s: every check-in (and proximity-gated claim) needs them. */
export async function visitSettings(deps: Pick<AppDeps, 'db'>, tenantId: string): Promise<TenantVisitSettings> {
  const now = Date.now();
  const cached = settingsCache.get(tenantId);
  if (cached !== undefined && cached.expiresAt > now) return cached;
  const tenant = await findTenantById(deps.db, tenantId);
  if (tenant === undefined) throw notFound('企业');
  const overrides = (tenant.settings as { riskPolicy?: unknown }).riskPolicy;
  const policy = overrides === undefined ? defaultRiskPolicy : riskPolicySchema.parse(overrides);
  const fresh = { policy, timeZone: tenant.timeZone, expiresAt: now + 30_000 };
  settingsCache.set(tenantId, fresh);
  return fresh;
}

/** Forget cached tenant settings (after an admin changes them, and in tests). */
export function invalidateVisitSettings(tenantId?: string): void {
  if (tenantId === undefined) settingsCache.clear();
  else settingsCache.delete(tenantId);
}

const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Token bytes come from the CSPRNG 4 KiB at a time: a call per token cost 6-30 µs of every check-in. */
const randomPool = Buffer.alloc(4096);
let randomUsed = randomPool.length;

/** `bytes` fresh random bytes (each handed out once), base64url. */
function randomToken(bytes: number): string {
  if (randomUsed + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  const token = randomPool.toString('base64url', randomUsed, randomUsed + bytes);
  randomUsed += bytes;
  return token;
}

export async function issueNonce(deps: AppDeps, actor: Actor): Promise<{ nonce: string; expiresAt: string }> {
  const nonce = randomToken(18);
  const expiresAt = deps.clock.now() + NONCE_TTL_MS;
  await insertNonce(deps.db, { tenantId: actor.tenantId, nonce, userId: actor.userId, expiresAt });
  return { nonce, expiresAt: new Date(expiresAt).toISOString() };
}

const batchers = new WeakMap<AppDeps, (request: CheckInRequest) => Promise<CheckInDone>>();

/**
 * A check-in (DESIGN §5.1): gathers the facts, lets the risk engine judge them, stores the visit whatever the verdict,
 * chains it, and — only when verified and the rep still owns the customer — restarts the customer's verified-visit
 * clock. A rejected check-in is stored and then refused with 422 `check_in_rejected` and its reasons. Concurrent
 * check-ins of a tenant are judged and committed together (check-in-batch.ts), each as if it had run alone.
 */
export async function checkIn(deps: AppDeps, actor: Actor, body: CheckInBody): Promise<{ visit: VisitDto; photoToken: string }> {
  const now = deps.clock.now();
  const { policy } = await visitSettings(deps, actor.tenantId);
  const photoToken = randomToken(24);
  let submit = batchers.get(deps);
  if (submit === undefined) {
    submit = checkInBatcher(deps.db, deps.evidence);
    batchers.set(deps, submit);
  }
  const { visit, assessment } = await submit(checkInRequest(actor, body, { policy, now, photoTokenHash: tokenHash(photoToken) }));
  if (assessment.verdict === 'rejected') {
    throw visitError(422, 'check_in_rejected', `签到未通过：${assessment.reasons.map((r) => r.message).join('；')}`, {
      visitId: visit.id,
      reasons: assessment.reasons,
    });
  }
  return { visit: toVisitDto(visit), photoToken };
}

function ensureOpenVisitOf(visit: VisitRow | undefined, actor: Actor): VisitRow {
  if (visit === undefined || visit.user_id !== actor.userId) throw notFound('拜访');
  if (visit.status !== 'open') throw visitError(409, 'visit_closed', '这次拜访已经结束，不能再上传照片或重复结束；如需补充请重新签到。');
  return visit;
}

/** Lowers a visit's verdict with a later reason; a visit that stops being verified gives the visit clock back. */
async function addReason(deps: AppDeps, visit: VisitRow, reason: RiskReason, policy: RiskPolicy, trx = deps.db): Promise<VisitRow> {
  const current: Assessment = { score: visit.risk_score, reasons: JSON.parse(visit.reasons) as RiskReason[], verdict: visit.verdict };
  const next = withReason(current, reason, policy);
  await updateVisit(trx, visit.tenant_id, visit.id, { verdict: next.verdict, risk_score: next.score, reasons: JSON.stringify(next.reasons) });
  if (visit.verdict === 'verified' && next.verdict !== 'verified') {
    await forgetSightingsOfVisit(trx, visit);
    if (visit.clock_restarted === 1) await undoVisitClock(trx, visit.tenant_id, visit.customer_id, visit.checked_in_at, visit.previous_verified_visit_at);
  }
  if (visit.verdict !== 'rejected' && next.verdict === 'rejected') await giveBackLastFix(trx, visit.tenant_id, visit.user_id, visit.id);
  return { ...visit, verdict: next.verdict, risk_score: next.score, reasons: JSON.stringify(next.reasons) };
}

declare const granted: unique symbol;
/** What checkPhotoUpload grants (only it makes one): the visit whose photo may now be read from the request and stored. */
export interface PhotoUploadGrant {
  readonly visitId: number;
  readonly [granted]: true;
}

/**
 * The checks an upload passes before its body is read (issue 16): the visit exists, is the caller's and is open, and
 * the request carries its photo token. A wrong token or someone else's visit is refused without reading the photo.
 */
export async function checkPhotoUpload(deps: AppDeps, actor: Actor, visitId: number, token: string | undefined): Promise<PhotoUploadGrant> {
  const visit = ensureOpenVisitOf(await findVisit(deps.db, actor.tenantId, visitId), actor);
  const expected = Buffer.from(visit.photo_token_hash ?? '', 'hex');
  const given = Buffer.from(tokenHash(token ?? ''), 'hex');
  if (token === undefined || token === '' || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw visitError(403, 'invalid_photo_token', '照片凭证无效：请在签到后用本次拜访返回的 photoToken 上传（请求头 X-Photo-Token）。');
  }
  return { visitId: visit.id } as PhotoUploadGrant;
}

/**
 * A camera photo for an open visit (DESIGN §5.2), once checkPhotoUpload has granted it: the pipeline sniffs, strips,
 * and watermarks; both files go to the photo store; a photo seen before in the tenant (same bytes or a near
 * duplicate) is kept but flags the visit `PHOTO_REUSED`.
 */
export async function uploadPhoto(deps: AppDeps, actor: Actor, grant: PhotoUploadGrant, bytes: Buffer): Promise<{ photo: PhotoDto }> {
  const { db, clock } = deps;
  const { tenantId } = actor;
  // Read again: the visit may have been finished while the photo was arriving.
  const visit = ensureOpenVisitOf(await findVisit(db, tenantId, grant.visitId), actor);
  const { policy, timeZone } = await visitSettings(deps, tenantId);
  const now = clock.now();
  const customer = await loadVisibleCustomer(db, actor, visit.customer_id);
  const rep = await findUser(db, tenantId, actor.userId);
  const processed = await processPhoto(bytes, {
    maxBytes: MAX_PHOTO_BYTES,
    watermark: {
      time: `${formatLocal(now, timeZone)}（${timeZone === 'Asia/Shanghai' ? '北京时间' : timeZone}）`,
      customer: customer.name,
      place: `${customer.address} · ${visit.lat.toFixed(6)}, ${visit.lng.toFixed(6)}`,
      rep: rep?.name ?? actor.userId,
      visitId: String(visit.id),
    },
  });
  let match: { id: number; how: PhotoMatch } | null = null;
  const seen = (await photosWithHash(db, tenantId, processed.sha256Input, processed.original.sha256))[0];
  if (seen !== undefined) match = { id: seen.id, how: { kind: 'exact' } };
  else {
    const candidates = await photosSharingBand(db, tenantId, phashBands(processed.phash));
    const near = candidates.find((c) => isNearDuplicate(c.phash, processed.phash));
    if (near !== undefined) match = { id: near.id, how: { kind: 'near-duplicate', distanceBits: hammingDistance(near.phash, processed.phash) } };
  }
  const reusedOf = match?.id ?? null;
  const originalKey = photoKey({ tenantId, at: new Date(now), sha256: processed.original.sha256 });
  const watermarkedKey = photoKey({ tenantId, at: new Date(now), sha256: processed.watermarked.sha256 });
  // Files first, content-addressed: a failed transaction leaves at most an unreferenced file, never a row without one.
  await deps.photos.put(originalKey, processed.original.bytes);
  await deps.photos.put(watermarkedKey, processed.watermarked.bytes);
  const [b0, b1, b2, b3] = phashBands(processed.phash);
  const photo = await writeTransaction(db, async (trx) => {
    const id = await insertPhoto(trx, {
      tenant_id: tenantId,
      visit_id: visit.id,
      customer_id: visit.customer_id,
      user_id: actor.userId,
      input_sha256: processed.sha256Input,
      original_sha256: processed.original.sha256,
      sha256: processed.watermarked.sha256,
      original_key: originalKey,
      watermarked_key: watermarkedKey,
      phash: processed.phash,
      phash_b0: b0,
      phash_b1: b1,
      phash_b2: b2,
      phash_b3: b3,
      width: processed.watermarked.width,
      height: processed.watermarked.height,
      bytes: processed.watermarked.bytes.length,
      reused_photo_id: reusedOf,
      created_at: now,
    });
    if (match !== null) await addReason(deps, visit, photoReusedReason(match.how, policy), policy, trx);
    return (await trx.selectFrom('visit_photos').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as PhotoRow;
  });
  const seq = await deps.evidence.append({
    tenantId,
    kind: 'photo',
    refId: photo.id,
    payload: photoPayload(photo, { original: processed.original.sha256, watermarked: processed.watermarked.sha256 }),
    now,
  });
  return { photo: toPhotoDto(photo, seq) };
}

/**
 * Ends a visit: records dwell, an optional last fix, notes and feedback. A verified visit that is too short or has
 * too few photos under the tenant policy stops being verified (and gives the visit clock back).
 */
export async function finishVisit(deps: AppDeps, actor: Actor, visitId: number, body: FinishBody): Promise<{ visit: VisitDto }> {
  const { db, clock } = deps;
  const { tenantId } = actor;
  let visit = ensureOpenVisitOf(await findVisit(db, tenantId, visitId), actor);
  const { policy } = await visitSettings(deps, tenantId);
  const now = clock.now();
  const dwellS = Math.max(0, Math.round((now - visit.checked_in_at) / 1000));
  const photos = await countPhotos(db, tenantId, visit.id);
  const row = await writeTransaction(db, async (trx) => {
    // Re-checked in the statement: two finishes racing close the visit once.
    const closed = await trx
      .updateTable('visits')
      .set({
        status: 'finished',
        finished_at: now,
        dwell_s: dwellS,
        finish_fix: body.fix === undefined ? null : JSON.stringify(body.fix),
        notes: body.notes ?? null,
        feedback: body.feedback ?? null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', visit.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) !== 1) throw visitError(409, 'visit_closed', '这次拜访已经结束了。');
    visit = { ...visit, status: 'finished', finished_at: now, dwell_s: dwellS };
    for (const reason of finishShortfallReasons({ dwellS, photos }, policy)) visit = await addReason(deps, visit, reason, policy, trx);
    return (await findVisit(trx, tenantId, visit.id))!;
  });
  await deps.evidence.append({ tenantId, kind: 'finish', refId: row.id, payload: finishPayload(row), now });
  const photoRows = await photosOfVisits(db, tenantId, [row.id]);
  return { visit: toVisitDto(row, photoRows, await photoChainSeqs(db, tenantId, photoRows.map((p) => p.id))) };
}

/** The rep's own visits, newest first. */
export async function myVisits(deps: AppDeps, actor: Actor, q: { verdict?: string; cursor?: string; limit: number }) {
  const rows = await listVisits(deps.db, { tenantId: actor.tenantId, userIds: [actor.userId], verdicts: q.verdict ? [q.verdict] : undefined, beforeId: q.cursor ? Number(q.cursor) : undefined, limit: q.limit });
  return page(deps, actor.tenantId, rows, q.limit);
}

/** Suspect and rejected visits for review: a manager's team (their departments' subtrees), or everyone for admins. */
export async function visitsToReview(deps: AppDeps, actor: Actor, q: { verdict?: string; cursor?: string; limit: number }) {
  const admin = actor.roles.includes('admin');
  if (!admin && !actor.roles.includes('manager')) throw visitError(403, 'forbidden', '只有经理或管理员可以查看待复核的拜访。');
  let userIds: string[] | undefined;
  if (!admin) {
    const me = await findUser(deps.db, actor.tenantId, actor.userId);
    userIds = await usersInSubtrees(deps.db, actor.tenantId, await departmentPaths(deps.db, actor.tenantId, me?.leaderOf ?? []));
  }
  const rows = await listVisits(deps.db, {
    tenantId: actor.tenantId,
    userIds,
    verdicts: q.verdict ? [q.verdict] : ['suspect', 'rejected'],
    beforeId: q.cursor ? Number(q.cursor) : undefined,
    limit: q.limit,
  });
  return page(deps, actor.tenantId, rows, q.limit);
}

async function page(deps: AppDeps, tenantId: string, rows: VisitRow[], limit: number): Promise<{ items: VisitDto[]; nextCursor: string | null }> {
  const photos = await photosOfVisits(deps.db, tenantId, rows.map((r) => r.id));
  const names = await userNames(deps.db, tenantId, rows.flatMap((r) => (r.reviewed_by === null ? [r.user_id] : [r.user_id, r.reviewed_by])));
  const customers = new Map(
    (rows.length === 0 ? [] : await deps.db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(rows.map((r) => r.customer_id))]).execute()).map((c) => [c.id, c.name]),
  );
  const seqs = await photoChainSeqs(deps.db, tenantId, photos.map((p) => p.id));
  const items = rows.map((r) => ({
    ...toVisitDto(r, photos.filter((p) => p.visit_id === r.id), seqs, names),
    customerName: customers.get(r.customer_id),
    userName: names.get(r.user_id),
  }));
  return { items, nextCursor: rows.length === limit ? String(rows[rows.length - 1]!.id) : null };
}
