import type { RiskReason } from './risk/risk';
import type { PhotoDto, VisitDto } from './visits';
import type { PhotoRow, VisitRow } from './visits.repository';

/** A photo as the API shows it; the file itself is served at `url` (watermarked). */
export function toPhotoDto(p: PhotoRow, chainSeq: number): PhotoDto {
  return {
    id: p.id,
    sha256: p.sha256,
    url: `/api/v1/photos/${p.id}`,
    chainSeq,
    reused: p.reused_photo_id !== null,
    createdAt: new Date(p.created_at).toISOString(),
  };
}

/** A visit as the API shows it; `names` names its reviewer. */
export function toVisitDto(v: VisitRow, photos?: PhotoRow[], chainSeqs: Map<number, number> = new Map(), names: Map<string, string> = new Map()): VisitDto {
  return {
    id: v.id,
    customerId: v.customer_id,
    userId: v.user_id,
    status: v.status,
    verdict: v.verdict,
    risk: { score: v.risk_score, reasons: JSON.parse(v.reasons) as RiskReason[] },
    distanceM: v.distance_m,
    checkedInAt: new Date(v.checked_in_at).toISOString(),
    finishedAt: v.finished_at === null ? null : new Date(v.finished_at).toISOString(),
    dwellS: v.dwell_s,
    notes: v.notes,
    feedback: v.feedback,
    // Rows a check-in batch builds itself carry no review columns yet.
    review: !v.review_decision
      ? null
      : {
            decision: v.review_decision,
            byUserId: v.reviewed_by ?? '',
            byName: names.get(v.reviewed_by ?? '') ?? null,
            as: v.reviewed_as ?? 'manager',
            at: new Date(Number(v.reviewed_at)).toISOString(),
            note: v.review_note,
          },
    ...(photos === undefined ? {} : { photos: photos.map((p) => toPhotoDto(p, chainSeqs.get(p.id) ?? 0)) }),
  };
}
