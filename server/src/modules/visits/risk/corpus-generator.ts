import gcoord from 'gcoord';
import { SeededRandom } from '../../../demo/random';
import type { CorpusCase, CorpusStep, VisitCorpus } from './corpus';
import { mockFlagClass, type LocationSource } from './location-source';
import type { RiskCode } from './risk';

/**
 * Builds the labelled check-in corpus of `docs/visit-corpus.md`: genuine visits as real phones report them, and cheats
 * that each end with the step built to trip one signal. Pure and deterministic (one seed, no clock), so the stored
 * fixture can be checked against a fresh run.
 */

export const CORPUS_SEED = 20260302;
export const CORPUS_START_AT = '2026-03-02T01:00:00.000Z';

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;
const METRES_PER_DEGREE = 111_195;

interface Point {
  lat: number;
  lng: number;
}

interface City extends Point {
  name: string;
}

/** City centres (GCJ-02). Genuine reps work the first four; the rest are where cheats claim to be, or really are. */
const homeCities: City[] = [
  { name: '上海', lat: 31.2304, lng: 121.4737 },
  { name: '杭州', lat: 30.2741, lng: 120.1551 },
  { name: '广州', lat: 23.1291, lng: 113.2644 },
  { name: '深圳', lat: 22.5431, lng: 114.0579 },
];
const otherCities: City[] = [
  { name: '苏州', lat: 31.299, lng: 120.5853 },
  { name: '南京', lat: 32.0603, lng: 118.7969 },
  { name: '北京', lat: 39.9042, lng: 116.4074 },
  { name: '成都', lat: 30.5728, lng: 104.0668 },
  { name: '武汉', lat: 30.5928, lng: 114.3055 },
  { name: '厦门', lat: 24.4798, lng: 118.0894 },
];
const allCities = [...homeCities, ...otherCities];

const brandWords = ['恒通', '华信', '鼎盛', '金源', '宏达', '瑞丰', '博远', '嘉禾', '新锐', '天成', '联创', '中泰', '永安', '海纳', '正元', '明德'];
const industries = ['贸易', '科技', '餐饮', '医药', '建材', '物流', '电子', '服饰', '食品', '家居', '汽配', '五金'];
const suffixes = ['有限公司', '商行', '门店', '连锁店'];
const ssidStems = ['ChinaNet', 'CMCC', 'TP-LINK', 'HUAWEI', 'Xiaomi', 'MERCURY', 'FAST'];
const ouis = ['a4:56:02', '70:3a:0e', 'f4:83:cd', '48:7d:2e', '5c:02:14', 'c8:3a:35', '14:75:90', 'b0:95:8e'];

type Device = CorpusStep['device'];
const iosModels = ['iPhone 13', 'iPhone 14', 'iPhone 15', 'iPhone 15 Pro', 'iPhone 16'];
const iosVersions = ['iOS 16.7.8', 'iOS 17.5.1', 'iOS 17.6.1', 'iOS 18.1'];
const androidModels = ['HUAWEI Mate 60 Pro', 'Xiaomi 14', 'OPPO Find X7', 'vivo X100', 'HONOR Magic6', 'Redmi K70'];
const androidVersions = ['Android 12', 'Android 13', 'Android 14'];

type Fix = CorpusStep['fixes'][number];
/** A fix before the phone's client stamps it with its source (and, where the source has one, its mock flag). */
type RawFix = Omit<Fix, 'source'>;
type Wifi = NonNullable<CorpusStep['wifi']>[number];

interface FixOptions {
  /** Number of fixes (default 2–3). */
  count?: number;
  /** Typical accuracy (m); each fix varies around it. Default 5–60. */
  accuracy?: number;
  /** Every fix reports exactly this accuracy (a mock app's hard-coded value). */
  fixedAccuracy?: number;
  /** Age of the newest fix (s); older fixes are 2–5 s older each. Default 1–10, so no fix is older than 20 s. */
  newestAgeS?: number;
  /** All fixes at exactly the same coordinates. */
  frozen?: boolean;
  /** isMock on every fix (`all`) or on one of them (`one`). */
  mock?: 'all' | 'one';
  coord?: Fix['coord'];
}

/** What the H5 client reports as the model: where it runs (see `h5Platform.device`). */
const h5Hosts = ['dingtalk-webview', 'wecom-webview', 'browser'] as const;

/** The API the client of this build and host reads fixes with (miniapp/src/platform). */
export function sourceOf(device: Device): LocationSource {
  if (device.platform === 'dingtalk') return 'dd.startLocating';
  if (device.platform === 'wecom') return 'wx.getLocation';
  if (device.model === 'dingtalk-webview') return 'dd.device.geolocation.get';
  return device.model === 'wecom-webview' ? 'ww.getLocation' : 'browser';
}

/** Whether this phone's fixes carry a mock flag (DingTalk on Android). */
export function hasMockFlag(device: Device): boolean {
  return mockFlagClass([sourceOf(device)], device.os) === 'available';
}

/**
 * Fixes as the phone's client sends them: with its source, and with `isMock` exactly where that source has the flag
 * (false unless the fix was built mocked). A mocked fix on a phone without the flag is a generator bug: no such phone
 * can say so.
 */
function fromPhone(fixes: RawFix[], device: Device): Fix[] {
  const source = sourceOf(device);
  const flagged = hasMockFlag(device);
  return fixes.map(({ isMock, ...f }) => {
    if (isMock && !flagged) throw new Error(`a mocked fix from ${device.platform} ${device.os} ${device.model}, whose client has no mock flag`);
    return flagged ? { ...f, source, isMock: isMock ?? false } : { ...f, source };
  });
}

function round6(x: number): number {
  return Number(x.toFixed(6));
}

function toWgs84(p: Point): Point {
  const [lng, lat] = gcoord.transform([p.lng, p.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number];
  return { lat, lng };
}

/** The point `metres` away from `p` in direction `bearing` (radians from north). */
function move(p: Point, metres: number, bearing: number): Point {
  const dLat = (metres * Math.cos(bearing)) / METRES_PER_DEGREE;
  const dLng = (metres * Math.sin(bearing)) / (METRES_PER_DEGREE * Math.cos((p.lat * Math.PI) / 180));
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

class CorpusBuilder {
  private readonly rng: SeededRandom;
  private readonly bssids = new Set<string>();
  readonly cases: CorpusCase[] = [];

  constructor(seed: number) {
    this.rng = new SeededRandom(seed);
  }

  uniform(min: number, max: number): number {
    return min + this.rng.next() * (max - min);
  }

  int(min: number, max: number): number {
    return this.rng.int(min, max);
  }

  chance(p: number): boolean {
    return this.rng.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }

  bearing(): number {
    return this.uniform(0, 2 * Math.PI);
  }

  /** A customer somewhere in the city, within 15 km of its centre (uniform over the disc). */
  customerIn(city: City, key: string): CorpusCase['customers'][number] {
    const at = move(city, 15_000 * Math.sqrt(this.rng.next()), this.bearing());
    const name = `${city.name}${this.pick(brandWords)}${this.pick(industries)}${this.pick(suffixes)}`;
    return { key, name, lat: round6(at.lat), lng: round6(at.lng) };
  }

  /** A customer `minM`–`maxM` from another one (a rep's next call on the same day). */
  customerNear(from: Point, cityName: string, key: string, minM: number, maxM: number): CorpusCase['customers'][number] {
    const at = move(from, this.uniform(minM, maxM), this.bearing());
    const name = `${cityName}${this.pick(brandWords)}${this.pick(industries)}${this.pick(suffixes)}`;
    return { key, name, lat: round6(at.lat), lng: round6(at.lng) };
  }

  /**
   * A phone: DingTalk or WeCom mini-program, or the H5 app inside DingTalk, inside WeCom or in a plain browser (the H5
   * client reports its host as the model, as `h5.ts` does). 45 % iOS.
   */
  device(platform?: Device['platform']): Device {
    const p = platform ?? this.pick(['dingtalk', 'dingtalk', 'wecom', 'wecom', 'h5'] as const);
    const ios = this.chance(0.45);
    const os = ios ? this.pick(iosVersions) : this.pick(androidVersions);
    const model = p === 'h5' ? this.pick(h5Hosts) : ios ? this.pick(iosModels) : this.pick(androidModels);
    const clientVersion = p === 'dingtalk' ? `DingTalk 7.6.${this.int(0, 30)}` : p === 'wecom' ? `WeCom 4.1.${this.int(0, 36)}` : 'H5 1.0.0';
    return { platform: p, os, model, clientVersion };
  }

  /** A device whose fixes carry DingTalk's `isFromMock`: the DingTalk mini-program, or the H5 app inside DingTalk, on Android. */
  dingtalkAndroid(): Device {
    if (this.chance(0.25)) return { platform: 'h5', os: this.pick(androidVersions), model: 'dingtalk-webview', clientVersion: 'H5 1.0.0' };
    return { platform: 'dingtalk', os: this.pick(androidVersions), model: this.pick(androidModels), clientVersion: `DingTalk 7.6.${this.int(0, 30)}` };
  }

  /** A device whose platform gives no mock flag: WeCom, any iPhone, a plain browser. */
  flaglessDevice(): Device {
    let device = this.device();
    while (hasMockFlag(device)) device = this.device();
    return device;
  }

  /** An access point never used elsewhere in the corpus (the replay shares one tenant across cases). */
  accessPoint(): Wifi {
    let bssid: string;
    do {
      const tail = [0, 0, 0].map(() => this.int(0, 255).toString(16).padStart(2, '0')).join(':');
      bssid = `${this.pick(ouis)}:${tail}`;
    } while (this.bssids.has(bssid));
    this.bssids.add(bssid);
    const stem = this.pick(ssidStems);
    return { bssid, ssid: `${stem}-${bssid.slice(-5).replace(':', '').toUpperCase()}`, signal: this.int(-75, -40) };
  }

  /** The same access point as seen on another day: the signal strength moves a little. */
  seenAgain(ap: Wifi): Wifi {
    return { ...ap, signal: Math.max(-90, Math.min(-30, ap.signal + this.int(-6, 6))) };
  }

  /** Accuracy as phones report it: decimals, never a whole number. */
  accuracy(typical: number): number {
    const a = Math.max(3.1, typical * this.uniform(0.8, 1.2));
    const r = Math.round(a * 10) / 10;
    return Number.isInteger(r) ? r + 0.3 : r;
  }

  /**
   * 2–3 fixes a few seconds apart around `where` (GCJ-02): Gaussian jitter of a few metres, and, as most phones report,
   * in WGS-84 unless the caller says otherwise.
   */
  fixes(where: Point, opts: FixOptions = {}): RawFix[] {
    const count = opts.count ?? this.int(2, 3);
    const typical = opts.accuracy ?? this.uniform(5, 60);
    const sigma = Math.min(6, Math.max(2, typical / 8));
    const coord = opts.coord ?? (this.chance(0.8) ? 'wgs84' : 'gcj02');
    const newest = opts.newestAgeS ?? this.int(10, 100) / 10;
    const mockedIndex = this.int(0, count - 1);
    const out: RawFix[] = [];
    let age = newest;
    const ages: number[] = [];
    for (let i = 0; i < count; i++) {
      ages.unshift(Math.round(age * 10) / 10);
      age += this.int(20, 50) / 10;
    }
    const frozenAt = move(where, Math.abs(this.rng.normal()) * sigma, this.bearing());
    for (let i = 0; i < count; i++) {
      const gcj = opts.frozen ? frozenAt : move(move(where, this.rng.normal() * sigma, 0), this.rng.normal() * sigma, Math.PI / 2);
      const p = coord === 'wgs84' ? toWgs84(gcj) : gcj;
      const fix: RawFix = {
        lat: round6(p.lat),
        lng: round6(p.lng),
        accuracy: opts.fixedAccuracy ?? this.accuracy(typical),
        coord,
        ageS: ages[i]!,
      };
      if (opts.mock === 'all' || (opts.mock === 'one' && i === mockedIndex)) fix.isMock = true;
      out.push(fix);
    }
    // Rounding to six decimals could, very rarely, make two jittered fixes equal: real fixes never are.
    if (!opts.frozen && out.some((f, i) => out.some((g, j) => i < j && f.lat === g.lat && f.lng === g.lng))) return this.fixes(where, opts);
    return out;
  }

  /** Where a rep stands on a genuine visit: the door, the car park, or the far side of a large site. */
  standingAt(customer: Point): Point {
    const metres = this.chance(0.9) ? this.uniform(3, 120) : this.uniform(120, 220);
    return move(customer, metres, this.bearing());
  }

  /** A genuine check-in: on site, fresh fixes, the customer's Wi-Fi if it has one, a fresh nonce and photo. */
  genuineStep(rep: string, customer: CorpusCase['customers'][number], atS: number, device: Device, wifi: Wifi | null): CorpusStep {
    const step: CorpusStep = {
      rep,
      customer: customer.key,
      atS,
      fixes: fromPhone(this.fixes(this.standingAt(customer)), device),
      device,
      nonce: 'fresh',
      photo: 'fresh',
      dwellS: this.int(180, 1800),
    };
    if (wifi) step.wifi = [this.seenAgain(wifi)];
    return step;
  }

  /** Seconds of driving between two calls of a rep: 20–40 minutes. */
  drive(): number {
    return this.int(20 * MIN, 40 * MIN);
  }

  add(c: Omit<CorpusCase, 'id'>, id: string): void {
    this.cases.push({ id, ...c });
  }
}

// --- genuine ------------------------------------------------------------------------------------------------------

function genuineSingle(b: CorpusBuilder, n: number): void {
  const city = b.pick(homeCities);
  const c1 = b.customerIn(city, 'c1');
  const wifi = b.chance(0.5) ? b.accessPoint() : null;
  const step = b.genuineStep('r1', c1, b.int(0, 8 * HOUR), b.device(), wifi);
  b.add({ label: 'genuine', signal: null, description: `One visit in ${city.name}${wifi ? ' on the customer Wi-Fi' : ''}.`, customers: [c1], steps: [step] }, `genuine-${String(n).padStart(3, '0')}`);
}

function genuineRoute(b: CorpusBuilder, n: number): void {
  const city = b.pick(homeCities);
  const stops = b.int(2, 3);
  const customers = [b.customerIn(city, 'c1')];
  for (let i = 1; i < stops; i++) customers.push(b.customerNear(customers[i - 1]!, city.name, `c${i + 1}`, 3_000, 16_000));
  const device = b.device();
  const steps: CorpusStep[] = [];
  let at = b.int(0, 2 * HOUR);
  for (const customer of customers) {
    const step = b.genuineStep('r1', customer, at, device, b.chance(0.5) ? b.accessPoint() : null);
    steps.push(step);
    at += step.dwellS + b.drive();
  }
  b.add({ label: 'genuine', signal: null, description: `A day's route in ${city.name}: ${stops} calls, 20–40 minutes' drive apart.`, customers, steps }, `genuine-${String(n).padStart(3, '0')}`);
}

function genuineRevisit(b: CorpusBuilder, n: number): void {
  const city = b.pick(homeCities);
  const c1 = b.customerIn(city, 'c1');
  const wifi = b.chance(0.7) ? b.accessPoint() : null;
  const device = b.device();
  const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), device, wifi);
  const steps = [first];
  const customers = [c1];
  let at = first.atS + first.dwellS + b.drive();
  if (b.chance(0.5)) {
    const c2 = b.customerNear(c1, city.name, 'c2', 3_000, 16_000);
    customers.push(c2);
    const between = b.genuineStep('r1', c2, at, device, b.chance(0.5) ? b.accessPoint() : null);
    steps.push(between);
    at = between.atS + between.dwellS;
  }
  steps.push(b.genuineStep('r1', c1, at + b.int(1, 14) * DAY, device, wifi));
  b.add({ label: 'genuine', signal: null, description: `A revisit in ${city.name} days later${wifi ? ', on the same customer Wi-Fi' : ''}.`, customers, steps }, `genuine-${String(n).padStart(3, '0')}`);
}

// --- cheats -------------------------------------------------------------------------------------------------------

interface CheatSetup {
  customers: CorpusCase['customers'];
  steps: CorpusStep[];
  /** The customer the cheating step claims; a home-city customer unless the setup says otherwise. */
  target: CorpusCase['customers'][number];
  city: City;
  /** When the cheating step happens. */
  atS: number;
  device: Device;
}

/** Optionally a genuine visit first (same rep, same device), then the target customer 20–40 minutes' drive away. */
function setup(b: CorpusBuilder, device: Device, withHistory: boolean, city = b.pick(homeCities)): CheatSetup {
  if (!withHistory) {
    const target = b.customerIn(city, 'c1');
    return { customers: [target], steps: [], target, city, atS: b.int(0, 8 * HOUR), device };
  }
  const c1 = b.customerIn(city, 'c1');
  const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), device, b.chance(0.5) ? b.accessPoint() : null);
  const target = b.customerNear(c1, city.name, 'c2', 3_000, 16_000);
  return { customers: [c1, target], steps: [first], target, city, atS: first.atS + first.dwellS + b.drive(), device };
}

function cheatStep(b: CorpusBuilder, s: CheatSetup, fixes: RawFix[], extra: Partial<Omit<CorpusStep, 'fixes' | 'device'>> = {}): CorpusStep {
  return { rep: 'r1', customer: s.target.key, atS: s.atS, fixes: fromPhone(fixes, s.device), device: s.device, nonce: 'fresh', photo: 'fresh', dwellS: b.int(180, 900), ...extra };
}

function addCheat(b: CorpusBuilder, signal: RiskCode, n: number, description: string, s: Pick<CheatSetup, 'customers' | 'steps'>, last: CorpusStep, family?: string): void {
  // Combined cases, and a family such as the flag-less mock apps, are numbered apart from the single-signal cases.
  const slug = family ?? (description.startsWith('Combined:') ? 'combined' : signal.toLowerCase().replace(/_/g, '-'));
  b.add({ label: 'cheat', signal, description, customers: s.customers, steps: [...s.steps, last] }, `cheat-${slug}-${String(n + 1).padStart(2, '0')}`);
}

function mockLocation(b: CorpusBuilder, n: number): void {
  const s = setup(b, b.dingtalkAndroid(), n % 3 === 0);
  const which = n % 2 === 0 ? 'all' : 'one';
  const fixes = b.fixes(b.standingAt(s.target), { mock: which });
  addCheat(b, 'MOCK_LOCATION', n, `A mock-location app puts the rep at the customer; DingTalk flags ${which === 'all' ? 'every fix' : 'one fix'} as mocked.`, s, cheatStep(b, s, fixes));
}

/**
 * A mock-location app on a platform without a mock flag (WeCom, iPhones, browsers): nothing says "mocked", so only
 * its slips give it away. Variants by n % 8: a pinned point (0, 1) or a hard-coded round accuracy (2, 3), as most
 * such apps and the iOS virtual-location tools do (FROZEN_FIXES); a jump to another city right after a real call (4, 5:
 * IMPOSSIBLE_SPEED); the rep at home on the home Wi-Fi, at a customer whose own access point is known (6:
 * WIFI_MISMATCH); a careful app that jitters and reports decimal accuracy, with no history and no Wi-Fi (7): no signal
 * sees it. Its `signal` is MOCK_LOCATION, the one that would catch it on a platform with the flag, and it counts as
 * missed — the blind spot the per-class figures exist to show.
 */
function flaglessMock(b: CorpusBuilder, n: number): void {
  const device = b.flaglessDevice();
  const kind = n % 8;
  if (kind <= 3) {
    const s = setup(b, device, n % 3 === 0);
    const pinned = kind <= 1;
    const fixes = pinned ? b.fixes(b.standingAt(s.target), { frozen: true, count: b.int(2, 3) }) : b.fixes(b.standingAt(s.target), { fixedAccuracy: b.pick([5, 10, 10, 15, 20, 30, 65]) });
    const description = pinned
      ? `A mock-location app on ${device.platform} ${device.os} pins the rep to one point at the customer; the platform has no mock flag.`
      : `A mock-location app on ${device.platform} ${device.os} jitters the point but reports exactly ${fixes[0]!.accuracy} m on every fix; the platform has no mock flag.`;
    addCheat(b, 'FROZEN_FIXES', n, description, s, cheatStep(b, s, fixes), 'flagless-mock');
    return;
  }
  if (kind <= 5) {
    // Cities 200 km or more apart, and at most 45 minutes between the two check-ins: well above 150 km/h.
    const [from, to] = ([[homeCities[0]!, homeCities[2]!], [homeCities[3]!, homeCities[1]!], [homeCities[1]!, otherCities[1]!], [homeCities[3]!, otherCities[5]!]] as [City, City][])[n % 4]!;
    const c1 = b.customerIn(from, 'c1');
    const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), device, b.chance(0.5) ? b.accessPoint() : null);
    first.dwellS = Math.min(first.dwellS, 20 * MIN);
    const target = b.customerIn(to, 'c2');
    const s: CheatSetup = { customers: [c1, target], steps: [first], target, city: to, atS: first.atS + first.dwellS + b.int(10, 25) * MIN, device };
    const description = `A real call in ${from.name}, then a mock-location app on ${device.platform} ${device.os} puts the rep at a ${to.name} customer ${Math.round((s.atS - first.atS) / MIN)} minutes later; the platform has no mock flag.`;
    addCheat(b, 'IMPOSSIBLE_SPEED', n, description, s, cheatStep(b, s, b.fixes(b.standingAt(target))), 'flagless-mock');
    return;
  }
  if (kind === 6) {
    const city = b.pick(homeCities);
    const c1 = b.customerIn(city, 'c1');
    const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), b.device(), b.accessPoint());
    const s: CheatSetup = { customers: [c1], steps: [first], target: c1, city, atS: first.atS + b.int(1, 10) * DAY, device };
    const description = `The customer's access point is known; a mock-location app on ${device.platform} ${device.os} puts another rep there while the phone is on the home Wi-Fi.`;
    addCheat(b, 'WIFI_MISMATCH', n, description, s, cheatStep(b, s, b.fixes(b.standingAt(c1)), { rep: 'r2', wifi: [b.accessPoint()] }), 'flagless-mock');
    return;
  }
  const s = setup(b, device, false);
  const description = `A careful mock-location app on ${device.platform} ${device.os}: jittered fixes at the customer, decimal accuracy, no Wi-Fi, no earlier call; the platform has no mock flag and no other signal sees it.`;
  addCheat(b, 'MOCK_LOCATION', n, description, s, cheatStep(b, s, b.fixes(b.standingAt(s.target))), 'flagless-mock');
}

/**
 * DingTalk on Android with a hook that hides mock locations by deleting `isFromMock`: plausible fixes at the customer,
 * but none carries the flag the client always sets.
 */
function mockFlagMissing(b: CorpusBuilder, n: number): void {
  const s = setup(b, b.dingtalkAndroid(), n % 2 === 0);
  const last = cheatStep(b, s, b.fixes(b.standingAt(s.target)));
  last.fixes = last.fixes.map(({ isMock: _hidden, ...f }) => f);
  addCheat(b, 'MOCK_FLAG_MISSING', n, `A hook hides the mock location from DingTalk on ${s.device.os} (${s.device.model}) by deleting isFromMock from every fix.`, s, last);
}

function outOfRange(b: CorpusBuilder, n: number): void {
  const elsewhere = n % 3 === 2;
  if (elsewhere) {
    // The rep is in another city and claims a home-city customer (a check-in "from the office").
    const home = b.pick(homeCities);
    const actual = b.pick(allCities.filter((c) => c.name !== home.name));
    const target = b.customerIn(home, 'c1');
    const s: CheatSetup = { customers: [target], steps: [], target, city: home, atS: b.int(0, 8 * HOUR), device: b.device() };
    const fixes = b.fixes(move(actual, b.uniform(0, 10_000), b.bearing()));
    addCheat(b, 'OUT_OF_RANGE', n, `Checks in at a ${home.name} customer from ${actual.name}.`, s, cheatStep(b, s, fixes));
    return;
  }
  const s = setup(b, b.device(), n % 2 === 0);
  // Log-uniform 1–50 km: most such check-ins are from the office or home a few kilometres away.
  const km = Math.exp(b.uniform(0, Math.log(50)));
  const actual = s.steps.length > 0 ? move(s.customers[0]!, b.uniform(50, 300), b.bearing()) : move(s.target, km * 1000, b.bearing());
  // With history the rep never left the previous customer: the claimed one is 3–16 km away.
  const fixes = b.fixes(actual);
  const description = s.steps.length > 0 ? 'Stays at the previous customer and checks in at the next one from there.' : `Checks in ${km.toFixed(1)} km from the customer.`;
  addCheat(b, 'OUT_OF_RANGE', n, description, s, cheatStep(b, s, fixes));
}

function frozenFixes(b: CorpusBuilder, n: number): void {
  const device = n % 4 === 0 ? b.dingtalkAndroid() : b.device();
  const s = setup(b, device, n % 3 === 0);
  const roundAccuracy = n % 2 === 1;
  const fixes = roundAccuracy
    ? b.fixes(b.standingAt(s.target), { fixedAccuracy: b.pick([5, 10, 10, 15, 20, 30]) })
    : b.fixes(b.standingAt(s.target), { frozen: true, count: b.int(2, 3) });
  const description = roundAccuracy
    ? `A mock app that jitters coordinates but reports exactly ${fixes[0]!.accuracy} m on every fix.`
    : 'A mock app pins the rep to one point: every fix has the same coordinates.';
  addCheat(b, 'FROZEN_FIXES', n, description, s, cheatStep(b, s, fixes));
}

function impossibleSpeed(b: CorpusBuilder, n: number): void {
  const pairs: [City, City][] = [
    [homeCities[0]!, homeCities[2]!],
    [homeCities[0]!, homeCities[3]!],
    [homeCities[1]!, homeCities[2]!],
    [homeCities[2]!, homeCities[0]!],
    [homeCities[0]!, homeCities[1]!],
    [homeCities[3]!, homeCities[1]!],
    [homeCities[0]!, otherCities[0]!],
    [homeCities[1]!, otherCities[1]!],
  ];
  const [from, to] = pairs[n % pairs.length]!;
  const device = b.device();
  const c1 = b.customerIn(from, 'c1');
  const target = b.customerIn(to, 'c2');
  const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), device, b.chance(0.5) ? b.accessPoint() : null);
  const km = Math.hypot(target.lat - c1.lat, (target.lng - c1.lng) * Math.cos((c1.lat * Math.PI) / 180)) * (METRES_PER_DEGREE / 1000);
  // 300–2,000 km/h in a straight line; the first visit is cut short enough that the gap cannot dilute that below 300.
  const travelS = Math.round((km / b.uniform(300, 2000)) * HOUR);
  first.dwellS = Math.min(first.dwellS, Math.max(180, travelS - 5 * MIN));
  const s: CheatSetup = { customers: [c1, target], steps: [first], target, city: to, atS: first.atS + Math.max(first.dwellS + 5 * MIN, travelS), device };
  const fixes = b.fixes(b.standingAt(target));
  addCheat(b, 'IMPOSSIBLE_SPEED', n, `Checks in at ${from.name}, then at ${to.name} ${Math.round((s.atS - first.atS) / MIN)} minutes later with plausible fixes.`, s, cheatStep(b, s, fixes));
}

function staleFix(b: CorpusBuilder, n: number): void {
  const s = setup(b, b.device(), n % 3 === 0);
  const kind = (['old', 'ahead', 'behind'] as const)[n % 3]!;
  const newestAgeS = kind === 'old' ? b.int(180, 3600) : kind === 'ahead' ? -b.int(330, 2 * HOUR) : b.int(400, 2 * HOUR);
  const fixes = b.fixes(b.standingAt(s.target), { newestAgeS });
  const description = {
    old: `Submits fixes captured ${Math.round(newestAgeS / MIN)} minutes earlier (a cached or replayed position).`,
    ahead: `The phone clock runs ${Math.round(-newestAgeS / MIN)} minutes ahead of the server.`,
    behind: `The phone clock runs ${Math.round(newestAgeS / MIN)} minutes behind the server (backdated check-in).`,
  }[kind];
  addCheat(b, 'STALE_FIX', n, description, s, cheatStep(b, s, fixes));
}

function replayedNonce(b: CorpusBuilder, n: number): void {
  const kind = (['replay', 'missing', 'expired'] as const)[n % 3]!;
  // A replay needs an earlier request whose nonce it reuses.
  const s = setup(b, b.device(), kind === 'replay' || n % 4 === 0);
  const fixes = b.fixes(b.standingAt(s.target));
  const description = {
    replay: 'A script re-sends the previous check-in nonce with forged fixes at the next customer.',
    missing: 'A scripted request without a nonce.',
    expired: 'A nonce fetched long before, past its lifetime.',
  }[kind];
  addCheat(b, 'REPLAYED_NONCE', n, description, s, cheatStep(b, s, fixes, { nonce: kind }));
}

/** A genuine, verified visit in one city that registers an access point, then that BSSID reported in another city. */
function wifiMismatch(b: CorpusBuilder, n: number): void {
  const device = b.device();
  if (n >= 24) {
    // The customer's own access point is known; the rep reports an unknown one (home Wi-Fi while faking the GPS).
    const city = b.pick(homeCities);
    const c1 = b.customerIn(city, 'c1');
    const ap = b.accessPoint();
    const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), b.device(), ap);
    const s: CheatSetup = { customers: [c1], steps: [first], target: c1, city, atS: first.atS + b.int(1, 10) * DAY, device };
    const fixes = b.fixes(b.standingAt(c1));
    addCheat(b, 'WIFI_MISMATCH', n, 'The customer has a known access point; another rep checks in there on an access point never seen at it.', s, cheatStep(b, s, fixes, { rep: 'r2', wifi: [b.accessPoint()] }));
    return;
  }
  const [cityA, cityB] = [b.pick(homeCities), b.pick(allCities)];
  const home = cityA === cityB ? otherCities[n % otherCities.length]! : cityB;
  const c1 = b.customerIn(cityA, 'c1');
  const ap = b.accessPoint();
  const sameRep = n % 2 === 0;
  const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), sameRep ? device : b.device(), ap);
  const target = b.customerIn(home, 'c2');
  const atS = sameRep ? first.atS + b.int(2, 10) * DAY : first.atS + first.dwellS + b.int(1, 3) * HOUR;
  const s: CheatSetup = { customers: [c1, target], steps: [first], target, city: home, atS, device };
  const fixes = b.fixes(b.standingAt(target));
  const who = sameRep ? 'the same rep days later' : 'another rep the same day';
  addCheat(b, 'WIFI_MISMATCH', n, `An access point registered at a verified visit in ${cityA.name} is reported by ${who} at a customer in ${home.name}.`, s, cheatStep(b, s, fixes, { rep: sameRep ? 'r1' : 'r2', wifi: [b.seenAgain(ap)] }));
}

function photoReused(b: CorpusBuilder, n: number): void {
  const s = setup(b, b.device(), true);
  const revisit = n % 3 === 0;
  const kind = n % 2 === 0 ? 'reuse' : 'near-duplicate';
  if (revisit) {
    s.target = s.customers[0]!;
    s.customers = [s.target];
    s.atS = s.steps[0]!.atS + b.int(1, 14) * DAY;
  }
  const wifi = revisit ? s.steps[0]!.wifi : undefined;
  const fixes = b.fixes(b.standingAt(s.target));
  const last = cheatStep(b, s, fixes, { photo: kind, ...(wifi ? { wifi: wifi.map((w) => b.seenAgain(w)) } : {}) });
  const what = kind === 'reuse' ? 'the same photo' : 'a re-encoded, slightly cropped copy of the earlier photo';
  addCheat(b, 'PHOTO_REUSED', n, `${revisit ? 'Revisits the customer days later' : 'Calls on the next customer'} and uploads ${what}.`, s, last);
}

/** Cheats that trip several signals at once; `signal` names the one they are built around. */
function combined(b: CorpusBuilder, n: number): void {
  const kind = n % 6;
  if (kind === 0) {
    const s = setup(b, b.dingtalkAndroid(), false);
    const fixes = b.fixes(move(s.target, b.uniform(2_000, 30_000), b.bearing()), { mock: 'all' });
    addCheat(b, 'MOCK_LOCATION', n, 'Combined: a mocked position that is not even at the customer (MOCK_LOCATION + OUT_OF_RANGE).', s, cheatStep(b, s, fixes));
  } else if (kind === 1) {
    const s = setup(b, b.device(), false);
    const fixes = b.fixes(move(s.target, b.uniform(1_500, 20_000), b.bearing()), { frozen: true, count: 3 });
    addCheat(b, 'OUT_OF_RANGE', n, 'Combined: a pinned position kilometres from the customer (OUT_OF_RANGE + FROZEN_FIXES).', s, cheatStep(b, s, fixes));
  } else if (kind === 2) {
    const s = setup(b, b.device(), true);
    const fixes = b.fixes(b.standingAt(s.target), { frozen: true, newestAgeS: b.int(600, 3 * HOUR) });
    addCheat(b, 'STALE_FIX', n, 'Combined: a recorded check-in replayed hours later (STALE_FIX + FROZEN_FIXES).', s, cheatStep(b, s, fixes));
  } else if (kind === 3) {
    const city = b.pick(homeCities);
    const c1 = b.customerIn(city, 'c1');
    const ap = b.accessPoint();
    const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), b.device(), ap);
    const target = b.customerIn(b.pick(otherCities), 'c2');
    let device = b.device();
    while (device.model === first.device.model) device = b.device();
    const s: CheatSetup = { customers: [c1, target], steps: [first], target, city, atS: first.atS + b.int(2, 10) * DAY, device };
    const last = cheatStep(b, s, b.fixes(b.standingAt(target)), { wifi: [b.seenAgain(ap)] });
    addCheat(b, 'WIFI_MISMATCH', n, 'Combined: days later, on a phone never seen for this rep, reports an access point from another city (WIFI_MISMATCH + DEVICE_CHANGED).', s, last);
  } else if (kind === 4) {
    const device = b.device();
    const c1 = b.customerIn(homeCities[0]!, 'c1');
    const first = b.genuineStep('r1', c1, b.int(0, 4 * HOUR), device, null);
    const target = b.customerIn(homeCities[2]!, 'c2');
    const s: CheatSetup = { customers: [c1, target], steps: [first], target, city: homeCities[2]!, atS: first.atS + first.dwellS + b.int(10, 40) * MIN, device };
    addCheat(b, 'REPLAYED_NONCE', n, 'Combined: a script reuses the Shanghai nonce for a Guangzhou customer within the hour (REPLAYED_NONCE + IMPOSSIBLE_SPEED).', s, cheatStep(b, s, b.fixes(b.standingAt(target)), { nonce: 'replay' }));
  } else {
    const s = setup(b, b.device(), true);
    const fixes = b.fixes(s.target, { accuracy: b.uniform(260, 900) });
    addCheat(b, 'PHOTO_REUSED', n, 'Combined: a coarse network position and a photo reused from the previous call (PHOTO_REUSED + LOW_ACCURACY).', s, cheatStep(b, s, fixes, { photo: 'reuse' }));
  }
}

/** Case counts per kind; see docs/visit-corpus.md. */
export const corpusPlan = {
  genuine: { single: 100, route: 90, revisit: 50 },
  cheat: {
    MOCK_LOCATION: 24,
    OUT_OF_RANGE: 24,
    FROZEN_FIXES: 24,
    IMPOSSIBLE_SPEED: 24,
    STALE_FIX: 24,
    REPLAYED_NONCE: 24,
    WIFI_MISMATCH: 28,
    PHOTO_REUSED: 24,
    combined: 24,
    /** Mock-location apps where the platform has no mock flag (WeCom, iPhones, browsers). */
    flaglessMock: 32,
    MOCK_FLAG_MISSING: 8,
  },
} as const;

/** The corpus for a seed; the same seed always gives the same corpus, byte for byte once serialized. */
export function generateVisitCorpus(seed = CORPUS_SEED): VisitCorpus {
  const b = new CorpusBuilder(seed);
  let n = 0;
  for (let i = 0; i < corpusPlan.genuine.single; i++) genuineSingle(b, ++n);
  for (let i = 0; i < corpusPlan.genuine.route; i++) genuineRoute(b, ++n);
  for (let i = 0; i < corpusPlan.genuine.revisit; i++) genuineRevisit(b, ++n);
  const makers: [keyof typeof corpusPlan.cheat, (b: CorpusBuilder, n: number) => void][] = [
    ['MOCK_LOCATION', mockLocation],
    ['OUT_OF_RANGE', outOfRange],
    ['FROZEN_FIXES', frozenFixes],
    ['IMPOSSIBLE_SPEED', impossibleSpeed],
    ['STALE_FIX', staleFix],
    ['REPLAYED_NONCE', replayedNonce],
    ['WIFI_MISMATCH', wifiMismatch],
    ['PHOTO_REUSED', photoReused],
    ['combined', combined],
    ['flaglessMock', flaglessMock],
    ['MOCK_FLAG_MISSING', mockFlagMissing],
  ];
  for (const [kind, make] of makers) for (let i = 0; i < corpusPlan.cheat[kind]; i++) make(b, i);
  return { version: 1, seed, startAt: CORPUS_START_AT, cases: b.cases };
}

/** The stored form: one case per line, so a change to one case is a one-line diff. */
export function serializeVisitCorpus(corpus: VisitCorpus): string {
  const head = JSON.stringify({ version: corpus.version, seed: corpus.seed, startAt: corpus.startAt });
  const lines = corpus.cases.map((c) => `  ${JSON.stringify(c)}`);
  return `${head.slice(0, -1)},"cases":[\n${lines.join(',\n')}\n]}\n`;
}
