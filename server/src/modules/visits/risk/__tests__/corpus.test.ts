import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { caseMockFlag, stepMockFlag, type CorpusCase, type VisitCorpus } from '../corpus';
import { CORPUS_SEED, generateVisitCorpus, serializeVisitCorpus } from '../corpus-generator';
import type { MockFlag } from '../location-source';
import type { Assessment, RiskCode } from '../risk';
import { defaultRiskPolicy } from '../risk-policy';
import { replayInMemory } from './replay-in-memory';

const file = resolve(__dirname, '../../../../../test/fixtures/visit-corpus.json');
const cheatSignals: RiskCode[] = ['MOCK_LOCATION', 'MOCK_FLAG_MISSING', 'OUT_OF_RANGE', 'FROZEN_FIXES', 'IMPOSSIBLE_SPEED', 'STALE_FIX', 'REPLAYED_NONCE', 'WIFI_MISMATCH', 'PHOTO_REUSED'];

/**
 * Targets per platform class, judged separately so the class with a mock flag cannot carry the one without. Both
 * classes must meet the corpus-wide targets of the HTTP replay (recall ≥ 95 %, false positives ≤ 2 %): a platform
 * without a flag is no excuse to let cheats through by other means. The mock-location apps on flag-less platforms are
 * also scored on their own, against a lower bar (≥ 85 %): their careful variant (jittered, decimal accuracy, no Wi-Fi,
 * no history) trips no signal at all, so it is missed by design and shown as such, not hidden in the class total.
 */
const TARGETS: Record<MockFlag, { recall: number; falsePositiveRate: number }> = {
  available: { recall: 0.95, falsePositiveRate: 0.02 },
  absent: { recall: 0.95, falsePositiveRate: 0.02 },
};
const FLAGLESS_MOCK_RECALL = 0.85;

/** A mock-location cheat on a platform without a flag that slips on nothing else: no signal can see it. */
const blindSpot = (c: CorpusCase) => c.signal === 'MOCK_LOCATION' && caseMockFlag(c) === 'absent';

interface Score {
  cheats: number;
  caught: number;
  genuine: number;
  falsePositives: number;
}

function score(cases: CorpusCase[], results: Map<string, Assessment>): Score {
  const flagged = (c: CorpusCase) => results.get(c.id)!.verdict !== 'verified';
  const cheats = cases.filter((c) => c.label === 'cheat');
  const genuine = cases.filter((c) => c.label === 'genuine');
  return { cheats: cheats.length, caught: cheats.filter(flagged).length, genuine: genuine.length, falsePositives: genuine.filter(flagged).length };
}

const ratio = (n: number, of: number) => (of === 0 ? 1 : n / of);
const line = (name: string, s: Score) =>
  `${name}: recall ${ratio(s.caught, s.cheats).toFixed(3)} (${s.caught}/${s.cheats} cheats)` +
  (s.genuine === 0 ? '' : `, false-positive rate ${(s.falsePositives / s.genuine).toFixed(3)} (${s.falsePositives}/${s.genuine} genuine)`);

describe('the labelled visit corpus', () => {
  const generated = generateVisitCorpus();
  const stored = JSON.parse(readFileSync(file, 'utf8')) as VisitCorpus;

  it('is stored exactly as the generator produces it (run `npm run corpus:visits` after changing the generator)', () => {
    expect(readFileSync(file, 'utf8')).toBe(serializeVisitCorpus(generated));
    expect(stored.seed).toBe(CORPUS_SEED);
  });

  it('holds at least 220 genuine and 220 cheat cases, with unique ids', () => {
    const labels = { genuine: 0, cheat: 0 };
    for (const c of stored.cases) labels[c.label]++;
    expect(labels).toEqual({ genuine: 240, cheat: 260 });
    expect(new Set(stored.cases.map((c) => c.id)).size).toBe(stored.cases.length);
  });

  it('has at least 20 cheats built around each signal', () => {
    const counts = Object.fromEntries(cheatSignals.map((s) => [s, stored.cases.filter((c) => c.signal === s).length]));
    expect(counts).toEqual({
      MOCK_LOCATION: 32,
      MOCK_FLAG_MISSING: 8,
      OUT_OF_RANGE: 28,
      FROZEN_FIXES: 40,
      IMPOSSIBLE_SPEED: 32,
      STALE_FIX: 28,
      REPLAYED_NONCE: 28,
      WIFI_MISMATCH: 36,
      PHOTO_REUSED: 28,
    });
    expect(stored.cases.filter((c) => c.id.startsWith('cheat-combined-'))).toHaveLength(24);
    expect(stored.cases.filter((c) => c.id.startsWith('cheat-flagless-mock-'))).toHaveLength(32);
  });

  it('sends each fix with the source its phone really has, and a mock flag exactly where that source carries one', () => {
    const steps = stored.cases.flatMap((c) => c.steps.map((s, i) => ({ c, s, last: i === c.steps.length - 1 })));
    const sources = (platform: string) => [...new Set(steps.filter(({ s }) => s.device.platform === platform).flatMap(({ s }) => s.fixes.map((f) => f.source)))].sort();
    expect(sources('dingtalk')).toEqual(['dd.startLocating']);
    expect(sources('wecom')).toEqual(['wx.getLocation']);
    expect(sources('h5')).toEqual(['browser', 'dd.device.geolocation.get', 'ww.getLocation']);
    // Only the hooked DingTalk client of the MOCK_FLAG_MISSING cheats drops the flag its source always sets.
    const hooked = ({ c, last }: { c: CorpusCase; last: boolean }) => last && c.signal === 'MOCK_FLAG_MISSING';
    const wrong = steps.filter((x) => !hooked(x) && x.s.fixes.some((f) => (f.isMock !== undefined) !== (stepMockFlag(x.s) === 'available')));
    expect(wrong.map(({ c }) => c.id)).toEqual([]);
    expect(steps.filter(hooked).every(({ s }) => stepMockFlag(s) === 'available' && s.fixes.every((f) => f.isMock === undefined))).toBe(true);
    // Both classes are large enough to score: iPhones and WeCom make up most of the corpus.
    const classes = (label: string, flag: MockFlag) => stored.cases.filter((c) => c.label === label && caseMockFlag(c) === flag).length;
    expect({ genuine: [classes('genuine', 'available'), classes('genuine', 'absent')], cheat: [classes('cheat', 'available'), classes('cheat', 'absent')] }).toEqual({
      genuine: [53, 187],
      cheat: [87, 173],
    });
  });

  it('gives genuine cases a signal of null and cheats the signal they are built around', () => {
    expect(stored.cases.every((c) => (c.label === 'genuine') === (c.signal === null))).toBe(true);
  });

  it('makes genuine visits look like real phones: jittered fixes, decimal accuracy, fresh fixes, one device, real dwell', () => {
    const genuine = stored.cases.filter((c) => c.label === 'genuine');
    const steps = genuine.flatMap((c) => c.steps);
    expect(genuine.every((c) => new Set(c.steps.map((s) => JSON.stringify(s.device))).size === 1)).toBe(true);
    const fixes = steps.flatMap((s) => s.fixes);
    expect(fixes.every((f) => !Number.isInteger(f.accuracy) && f.accuracy >= 3 && f.accuracy <= 72)).toBe(true);
    expect(fixes.every((f) => f.ageS >= 1 && f.ageS <= 20 && f.isMock !== true)).toBe(true);
    expect(steps.every((s) => s.fixes.length >= 2 && s.fixes.length <= 3 && s.nonce === 'fresh' && s.photo === 'fresh')).toBe(true);
    expect(steps.every((s) => s.dwellS >= 180 && s.dwellS <= 1800)).toBe(true);
    const wgs = fixes.filter((f) => f.coord === 'wgs84').length / fixes.length;
    expect(wgs).toBeGreaterThan(0.7);
    const withWifi = steps.filter((s) => s.wifi).length / steps.length;
    expect(withWifi).toBeGreaterThan(0.4);
    expect(withWifi).toBeLessThan(0.65);
  });

  describe('judged by the engine under the default policy', () => {
    const results = replayInMemory(stored, defaultRiskPolicy);

    it('verifies every genuine case', () => {
      const falsePositives = stored.cases.filter((c) => c.label === 'genuine' && results.get(c.id)!.verdict !== 'verified');
      expect(falsePositives.map((c) => `${c.id}: ${results.get(c.id)!.reasons.map((r) => r.detail).join('; ')}`)).toEqual([]);
    });

    it('catches every cheat with the signal it is built around, but the mock apps no signal can see without a flag', () => {
      const missed = stored.cases.filter((c) => {
        const a = results.get(c.id)!;
        return c.label === 'cheat' && !blindSpot(c) && (a.verdict === 'verified' || !a.reasons.some((r) => r.code === c.signal));
      });
      expect(missed.map((c) => `${c.id}: ${results.get(c.id)!.verdict}`)).toEqual([]);
      // The blind spots are exactly the careful mock apps on flag-less platforms, and they are indeed missed.
      const blind = stored.cases.filter(blindSpot);
      expect(blind.map((c) => c.id)).toEqual(['cheat-flagless-mock-08', 'cheat-flagless-mock-16', 'cheat-flagless-mock-24', 'cheat-flagless-mock-32']);
      expect(blind.map((c) => results.get(c.id)!)).toEqual(blind.map(() => ({ score: 0, reasons: [], verdict: 'verified' })));
    });

    it('scores each platform class on its own line, each meeting its targets', () => {
      const byClass = (flag: MockFlag) => score(stored.cases.filter((c) => caseMockFlag(c) === flag), results);
      const withFlag = byClass('available');
      const withoutFlag = byClass('absent');
      const flaglessMock = score(stored.cases.filter((c) => c.id.startsWith('cheat-flagless-mock-')), results);
      process.stdout.write(
        [
          'visit corpus, engine only, per platform class:',
          `  ${line('with a mock flag (DingTalk on Android)', withFlag)}`,
          `  ${line('without a mock flag (WeCom, iOS, browsers)', withoutFlag)}`,
          `  ${line('  of which mock-location apps', flaglessMock)}`,
        ].join('\n') + '\n',
      );
      expect(withFlag).toEqual({ cheats: 87, caught: 87, genuine: 53, falsePositives: 0 });
      expect(withoutFlag).toEqual({ cheats: 173, caught: 169, genuine: 187, falsePositives: 0 });
      for (const [flag, s] of [['available', withFlag], ['absent', withoutFlag]] as const) {
        expect(ratio(s.caught, s.cheats)).toBeGreaterThanOrEqual(TARGETS[flag].recall);
        expect(ratio(s.falsePositives, s.genuine)).toBeLessThanOrEqual(TARGETS[flag].falsePositiveRate);
      }
      expect(ratio(flaglessMock.caught, flaglessMock.cheats)).toBeGreaterThanOrEqual(FLAGLESS_MOCK_RECALL);
    });

    it('rejects the hard signals outright and holds the soft ones for review', () => {
      const verdicts = (signal: RiskCode) => [...new Set(stored.cases.filter((c) => c.signal === signal && !c.id.startsWith('cheat-combined-') && !blindSpot(c)).map((c) => results.get(c.id)!.verdict))].sort();
      expect(Object.fromEntries(cheatSignals.map((s) => [s, verdicts(s)]))).toEqual({
        MOCK_LOCATION: ['rejected'],
        MOCK_FLAG_MISSING: ['suspect'],
        OUT_OF_RANGE: ['rejected'],
        IMPOSSIBLE_SPEED: ['rejected'],
        REPLAYED_NONCE: ['rejected'],
        FROZEN_FIXES: ['suspect'],
        STALE_FIX: ['suspect'],
        WIFI_MISMATCH: ['suspect'],
        PHOTO_REUSED: ['suspect'],
      });
    });
  });
});
