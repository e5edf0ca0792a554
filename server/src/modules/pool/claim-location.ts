import type { Actor, AppDeps } from '../../context';
import { haversineM } from '../../geo/geo';
import { assessCheckIn, type RiskReason, type Verdict } from '../visits/risk';
import { checkInRequest, readCheckInFacts } from '../visits/check-in-batch';
import { moveLastFix, useNonce } from '../visits/visits.repository';
import { visitSettings } from '../visits/visits.service';
import type { Proximity } from './ownership-rules';
import type { ClaimBody } from './pool';

/** What the ledger row of a proximity-gated claim records of the location it was judged on. */
export type ClaimLocationEvidence = {
  verdict: Verdict;
  /** From the most accurate fix to the customer (m). */
  distanceM: number;
  radiusM: number;
  reasons: Pick<RiskReason, 'code' | 'detail'>[];
  /** The most accurate fix, in GCJ-02. */
  fix: { lat: number; lng: number; accuracy: number; ts: number; source: string };
};

/** The claimant's location as the ownership rules take it, and what the ledger keeps of it (none without a fix). */
export interface ClaimLocation {
  proximity: Proximity;
  evidence?: ClaimLocationEvidence;
}

/**
 * Is this claim's location real, and how far from the customer? A pool with a claim radius judges the claimant's
 * location exactly as a check-in's (DESIGN §5.1): the same facts (nonce, fixes, Wi-Fi, device, the rep's last fix),
 * read the same way, and the same risk engine under the tenant's policy — with the pool's radius as the allowed
 * distance, so OUT_OF_RANGE speaks of the radius the claim is held to. The nonce is used up here whatever the verdict,
 * as a check-in uses it; two claims sent with one nonce get it once, and the other is judged a replay. A request
 * without a nonce, fixes or device (an older client posting bare coordinates) has no location to judge. The ownership
 * rules then refuse what is not `verified` or not within the radius (ownership-rules.ts, `proximity`).
 *
 * A verified claim's fix becomes the rep's last known position (`rep_last_fixes`, which every check-in already reads
 * by key), so a check-in or claim 30 km away five minutes later is an impossible speed. Only a verified one: a refused
 * claim leaves no record a manager could review, unlike a suspect check-in.
 */
export async function assessClaimLocation(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  actor: Actor,
  target: { customerId: number; lat: number; lng: number; radiusM: number },
  body: ClaimBody,
): Promise<ClaimLocation> {
  const { nonce, fixes, device } = body;
  if (nonce === undefined || nonce === '' || fixes === undefined || device === undefined) return { proximity: { fix: 'missing' } };
  const { db, clock } = deps;
  const now = clock.now();
  const tenantPolicy = (await visitSettings(deps, actor.tenantId)).policy;
  const policy = { ...tenantPolicy, radiusM: target.radiusM };
  const request = checkInRequest(actor, { customerId: target.customerId, nonce, fixes, wifi: body.wifi ?? [], device }, { policy, now, photoTokenHash: '' });
  let facts = await readCheckInFacts(db, request);
  if (facts === undefined) return { proximity: { fix: 'missing' } };
  if (facts.nonce === 'ok' && !(await useNonce(db, { tenantId: actor.tenantId, userId: actor.userId, nonce, now }))) {
    facts = { ...facts, nonce: 'used' };
  }
  const assessment = assessCheckIn(facts, policy);
  // Placed at the most accurate fix, as a check-in's visit is.
  const index = request.fixes.reduce((best, f, i) => (f.accuracy < request.fixes[best]!.accuracy ? i : best), 0);
  const best = request.fixes[index]!;
  const distanceM = Math.round(haversineM(best.lat, best.lng, target.lat, target.lng));
  if (assessment.verdict === 'verified') {
    await moveLastFix(db, { tenantId: actor.tenantId, userId: actor.userId, visitId: 0, lat: best.lat, lng: best.lng, at: now });
  }
  return {
    proximity: { fix: 'measured', distanceM, verdict: assessment.verdict, reasons: assessment.reasons.map(({ code, message }) => ({ code, message })) },
    evidence: {
      verdict: assessment.verdict,
      distanceM,
      radiusM: target.radiusM,
      reasons: assessment.reasons.map(({ code, detail }) => ({ code, detail })),
      fix: { lat: best.lat, lng: best.lng, accuracy: best.accuracy, ts: best.ts, source: fixes[index]!.source },
    },
  };
}
