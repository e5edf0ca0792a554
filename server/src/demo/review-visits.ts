import type { Insertable } from 'kysely';
import { haversineM } from '../geo/geo';
import type { CustomersTable } from '../modules/customers/customers.table';
import { assessCheckIn, defaultRiskPolicy, finishShortfallReasons, withReason, type Assessment, type RiskFix } from '../modules/visits/risk';
import type { VisitsTable } from '../modules/visits/visits.table';
import { DAY_MS } from '../time';
import { SeededRandom } from './random';

/** Offsets a point by metres north. */
const north = (lat: number, metres: number) => Number((lat + metres / 111_320).toFixed(6));

const device = { platform: 'dingtalk', os: 'iOS 17.5', model: 'iPhone 15' } as const;
const notes = ['见到了店长，登记了补货需求', '客户在开会，留下了新品资料', '和采购经理确认了下月订单'];

/**
 * Suspect visits awaiting a manager's review (issue 19 item 7), one per given rep at the given customer, a day or two
 * ago: a poor fix, a fix just outside the radius, or a stale one, and no photo. Judged by the real risk engine under the
 * default policy, as the check-in and the finish would have judged them; none moved a clock. Deterministic.
 */
export function demoReviewVisits(tenantId: string, now: number, picks: { userId: string; customer: Insertable<CustomersTable> }[]): Insertable<VisitsTable>[] {
  const rnd = new SeededRandom(20261207);
  return picks.map(({ userId, customer }, i) => {
    const checkedInAt = now - rnd.int(1, 2) * DAY_MS + rnd.int(0, 6 * 3600) * 1000;
    const kind = i % 3;
    // Where the rep's phone put them: on site with a poor fix, 380 m away, or on site with fixes ten minutes old.
    const lat = kind === 1 ? north(customer.lat, 380) : customer.lat;
    const accuracy = kind === 0 ? 352.4 : 18.6;
    const age = kind === 2 ? 600_000 : 6_000;
    const fixes: RiskFix[] = [0, 1, 2].map((k) => ({
      lat: Number((lat + (k - 1) * 0.000013 + 0.0000071).toFixed(7)),
      lng: Number((customer.lng + (k - 1) * 0.000011 - 0.0000043).toFixed(7)),
      accuracy: accuracy + k * 1.7,
      ts: checkedInAt - age + k * 2000,
    }));
    const label = `${device.platform} · ${device.os} · ${device.model}`;
    const checkIn = assessCheckIn(
      {
        now: checkedInAt,
        fixes,
        customer: { lat: customer.lat, lng: customer.lng, knownBssids: [] },
        wifi: [],
        nonce: 'ok',
        previousFix: null,
        bssidSightings: [],
        device: { firstVisit: false, known: true, label },
        mockFlag: 'absent',
      },
      defaultRiskPolicy,
    );
    const dwellS = rnd.int(12, 40) * 60;
    let final: Assessment = checkIn;
    for (const reason of finishShortfallReasons({ dwellS, photos: 0 }, defaultRiskPolicy)) final = withReason(final, reason, defaultRiskPolicy);
    const best = [...fixes].sort((a, b) => a.accuracy - b.accuracy)[0]!;
    return {
      tenant_id: tenantId,
      customer_id: customer.id!,
      user_id: userId,
      status: 'finished',
      verdict: final.verdict,
      checkin_verdict: checkIn.verdict,
      risk_score: final.score,
      checkin_risk_score: checkIn.score,
      reasons: JSON.stringify(final.reasons),
      checkin_reasons: JSON.stringify(checkIn.reasons),
      distance_m: Math.round(haversineM(best.lat, best.lng, customer.lat, customer.lng)),
      lat: best.lat,
      lng: best.lng,
      accuracy: best.accuracy,
      fixes: JSON.stringify(fixes.map((f) => ({ ...f, coord: 'gcj02', source: 'unknown' }))),
      wifi: '[]',
      device: JSON.stringify({ ...device, clientVersion: '1.0.0' }),
      device_label: label,
      nonce: null,
      photo_token_hash: null,
      checked_in_at: checkedInAt,
      clock_restarted: 0,
      previous_verified_visit_at: null,
      finished_at: checkedInAt + dwellS * 1000,
      dwell_s: dwellS,
      finish_fix: null,
      notes: notes[i % notes.length]!,
      feedback: null,
    };
  });
}
