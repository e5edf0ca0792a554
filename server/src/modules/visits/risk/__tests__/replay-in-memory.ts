import { toGcj02 } from '../../../../geo/geo';
import { assessCheckIn, withReason } from '../assess-check-in';
import type { CorpusCase, VisitCorpus } from '../corpus';
import { finishShortfallReasons } from '../finish-shortfall.reason';
import { photoReusedReason } from '../photo-reused.reason';
import type { Assessment, CheckInFacts, RiskPolicy, RiskFix } from '../risk';
import { mockFlagClass } from '../location-source';
import { normalizeBssid } from '../wifi-mismatch.check';

/**
 * The corpus judged by the engine alone, gathering facts the way the visits service does (previous fix = the most
 * accurate fix of the rep's last non-rejected visit; devices from every stored check-in; BSSIDs from verified visits
 * of the whole tenant). All cases share one tenant, as in the HTTP replay. Reference for reading the corpus, not a
 * substitute for the HTTP replay.
 */
export function replayInMemory(corpus: VisitCorpus, policy: RiskPolicy): Map<string, Assessment> {
  const startMs = Date.parse(corpus.startAt);
  const sightings: { bssid: string; lat: number; lng: number; customer: string }[] = [];
  const results = new Map<string, Assessment>();
  for (const c of corpus.cases) results.set(c.id, replayCase(c, startMs, policy, sightings));
  return results;
}

function replayCase(c: CorpusCase, startMs: number, policy: RiskPolicy, sightings: { bssid: string; lat: number; lng: number; customer: string }[]): Assessment {
  const reps = new Map<string, { previousFix: CheckInFacts['previousFix']; devices: Set<string> }>();
  let last: Assessment | null = null;
  for (const step of c.steps) {
    const now = startMs + step.atS * 1000;
    const customer = c.customers.find((k) => k.key === step.customer)!;
    const customerId = `${c.id}/${customer.key}`;
    const rep = reps.get(step.rep) ?? { previousFix: null, devices: new Set<string>() };
    reps.set(step.rep, rep);
    const fixes: RiskFix[] = step.fixes.map((f) => ({ ...toGcj02(f.lat, f.lng, f.coord), accuracy: f.accuracy, ts: now - f.ageS * 1000, isMock: f.isMock }));
    const label = `${step.device.platform} · ${step.device.os} · ${step.device.model}`;
    const bssids = (step.wifi ?? []).map((w) => normalizeBssid(w.bssid)).filter((b): b is string => b !== null);
    const facts: CheckInFacts = {
      now,
      fixes,
      customer: { lat: customer.lat, lng: customer.lng, knownBssids: [...new Set(sightings.filter((s) => s.customer === customerId).map((s) => s.bssid))] },
      wifi: step.wifi ?? [],
      nonce: { fresh: 'ok', replay: 'used', missing: 'missing', expired: 'expired' }[step.nonce] as CheckInFacts['nonce'],
      previousFix: rep.previousFix,
      bssidSightings: sightings.filter((s) => bssids.includes(s.bssid)),
      device: { firstVisit: rep.devices.size === 0, known: rep.devices.has(label), label },
      mockFlag: mockFlagClass(step.fixes.map((f) => f.source), step.device.os),
    };
    let assessment = assessCheckIn(facts, policy);
    rep.devices.add(label);
    if (assessment.verdict !== 'rejected') {
      // The HTTP replay uploads the photo while the visit is open, then finishes it; a rejected check-in has no visit.
      if (step.photo === 'reuse') assessment = withReason(assessment, photoReusedReason({ kind: 'exact' }, policy), policy);
      if (step.photo === 'near-duplicate') assessment = withReason(assessment, photoReusedReason({ kind: 'near-duplicate', distanceBits: 4 }, policy), policy);
      if (step.dwellS > 0) {
        for (const reason of finishShortfallReasons({ dwellS: step.dwellS, photos: step.photo === 'none' ? 0 : 1 }, policy)) assessment = withReason(assessment, reason, policy);
      }
      const best = [...fixes].sort((a, b) => a.accuracy - b.accuracy)[0]!;
      rep.previousFix = { lat: best.lat, lng: best.lng, at: now };
      if (assessment.verdict === 'verified') for (const bssid of bssids) sightings.push({ bssid, lat: best.lat, lng: best.lng, customer: customerId });
    }
    last = assessment;
  }
  return last!;
}
