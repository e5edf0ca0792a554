import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { VisitCorpus } from '../corpus';
import { CORPUS_SEED, generateVisitCorpus, serializeVisitCorpus } from '../corpus-generator';
import type { RiskCode } from '../risk';
import { defaultRiskPolicy } from '../risk-policy';
import { replayInMemory } from './replay-in-memory';

const file = resolve(__dirname, '../../../../../test/fixtures/visit-corpus.json');
const cheatSignals: RiskCode[] = ['MOCK_LOCATION', 'OUT_OF_RANGE', 'FROZEN_FIXES', 'IMPOSSIBLE_SPEED', 'STALE_FIX', 'REPLAYED_NONCE', 'WIFI_MISMATCH', 'PHOTO_REUSED'];

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
    expect(labels).toEqual({ genuine: 240, cheat: 220 });
    expect(new Set(stored.cases.map((c) => c.id)).size).toBe(stored.cases.length);
  });

  it('has at least 20 cheats built around each signal', () => {
    const counts = Object.fromEntries(cheatSignals.map((s) => [s, stored.cases.filter((c) => c.signal === s).length]));
    expect(counts).toEqual({
      MOCK_LOCATION: 28,
      OUT_OF_RANGE: 28,
      FROZEN_FIXES: 24,
      IMPOSSIBLE_SPEED: 24,
      STALE_FIX: 28,
      REPLAYED_NONCE: 28,
      WIFI_MISMATCH: 32,
      PHOTO_REUSED: 28,
    });
    expect(stored.cases.filter((c) => c.id.startsWith('cheat-combined-'))).toHaveLength(24);
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

    it('catches every cheat with the signal it is built around', () => {
      const missed = stored.cases.filter((c) => {
        const a = results.get(c.id)!;
        return c.label === 'cheat' && (a.verdict === 'verified' || !a.reasons.some((r) => r.code === c.signal));
      });
      expect(missed.map((c) => `${c.id}: ${results.get(c.id)!.verdict}`)).toEqual([]);
    });

    it('rejects the hard signals outright and holds the soft ones for review', () => {
      const verdicts = (signal: RiskCode) => [...new Set(stored.cases.filter((c) => c.signal === signal && !c.id.startsWith('cheat-combined-')).map((c) => results.get(c.id)!.verdict))].sort();
      expect(Object.fromEntries(cheatSignals.map((s) => [s, verdicts(s)]))).toEqual({
        MOCK_LOCATION: ['rejected'],
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
