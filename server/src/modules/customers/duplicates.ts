import { haversineM } from '../../geo/geo';

/**
 * The one de-duplication rule (查重/撞单, issue 19 item 4): a new customer duplicates an existing one of the tenant when
 * its normalised name, one of its normalised phones, or its place (the same normalised name within PLACE_RADIUS_M)
 * matches. Pure: callers load the candidates by their keys (`customers.repository.ts` `duplicateCandidates`).
 */

/** Two customers of the same name closer than this are the same place. */
export const PLACE_RADIUS_M = 200;

/**
 * Legal-form suffixes dropped from the end of a name, longest first. Conservative on purpose: only the legal form, never
 * a branch marker (分公司/分店) or a place, so 「某某（杭州）分公司」 and 「某某有限公司」 stay different customers.
 */
const LEGAL_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '公司'];

/**
 * A name as the rule compares it: NFKC (full-width letters, digits and brackets become half-width), lower case, without
 * spaces and punctuation, without a trailing legal form. 「杭州 ＡＢＣ 贸易有限公司」 and 「杭州abc贸易」 are the same.
 */
export function normaliseName(name: string): string {
  let s = name.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
  for (const suffix of LEGAL_SUFFIXES) {
    if (s.length > suffix.length && s.endsWith(suffix)) {
      s = s.slice(0, -suffix.length);
      break;
    }
  }
  return s;
}

/** A phone as the rule compares it: digits only, without a leading +86/0086; null when fewer than 5 digits remain. */
export function normalisePhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  let digits = phone.normalize('NFKC').replace(/\D+/g, '');
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return digits.length >= 5 ? digits : null;
}

/** The longest name key stored (`customers.name_key` is varchar(255)); the rule still compares whole names. */
export const NAME_KEY_MAX = 255;

/**
 * The keys the database finds duplicate candidates by (indexed per tenant, migration 36): a customer's `name_key` and
 * a contact's `phone_key`. Every writer of `customers.name` / `customer_contacts.phone` sets them through these two, so a
 * creation's check is two indexed equality lookups; the rule then decides on the rows found, exactly as on the tenant.
 */
export function nameKey(name: string): string {
  return normaliseName(name).slice(0, NAME_KEY_MAX);
}

/** A contact's `phone_key`: the normalised phone, or null (see `nameKey`). */
export function phoneKey(phone: string | null | undefined): string | null {
  return normalisePhone(phone);
}

export type DuplicateReason = 'name' | 'phone' | 'place';

/** An existing customer as the rule reads it. */
export interface DedupeCustomer {
  id: number;
  name: string;
  lat: number;
  lng: number;
  status: 'pool' | 'owned';
  poolId: number;
  ownerId: string | null;
}

/** A customer about to be created. */
export interface DedupeCandidate {
  name: string;
  lat: number | null;
  lng: number | null;
  phones: readonly (string | null | undefined)[];
}

export interface DuplicateMatch {
  existing: DedupeCustomer;
  reason: DuplicateReason;
}

/**
 * The tenant's customers keyed the way the rule compares them. `add` lets an import check each row against the earlier
 * rows of the same file as well (they are added with the id the caller chooses, e.g. a negative row marker).
 */
export class DuplicateIndex {
  private readonly byName = new Map<string, DedupeCustomer[]>();
  private readonly byPhone = new Map<string, DedupeCustomer>();

  constructor(customers: Iterable<DedupeCustomer> = [], phones: Iterable<{ customerId: number; phone: string | null }> = []) {
    const byId = new Map<number, DedupeCustomer>();
    for (const c of customers) {
      byId.set(c.id, c);
      this.addCustomer(c);
    }
    for (const p of phones) {
      const c = byId.get(p.customerId);
      const key = normalisePhone(p.phone);
      if (c && key !== null && !this.byPhone.has(key)) this.byPhone.set(key, c);
    }
  }

  private addCustomer(c: DedupeCustomer): void {
    const key = normaliseName(c.name);
    const list = this.byName.get(key);
    if (list) list.push(c);
    else this.byName.set(key, [c]);
  }

  /** Registers a customer (and its phones) so later candidates are checked against it. */
  add(c: DedupeCustomer, phones: readonly (string | null | undefined)[]): void {
    this.addCustomer(c);
    for (const p of phones) {
      const key = normalisePhone(p);
      if (key !== null && !this.byPhone.has(key)) this.byPhone.set(key, c);
    }
  }

  /**
   * The first existing customer the candidate duplicates, by name, then phone. (A same name is always a match, so
   * «place» — the same name within 200 m — is the reason reported when the two are that close: it is the stronger proof.)
   */
  match(candidate: DedupeCandidate): DuplicateMatch | null {
    const sameName = this.byName.get(normaliseName(candidate.name)) ?? [];
    if (sameName.length > 0) {
      const { lat, lng } = candidate;
      const near = lat === null || lng === null ? undefined : sameName.find((c) => haversineM(lat, lng, c.lat, c.lng) <= PLACE_RADIUS_M);
      return near ? { existing: near, reason: 'place' } : { existing: sameName[0]!, reason: 'name' };
    }
    for (const p of candidate.phones) {
      const key = normalisePhone(p);
      const hit = key === null ? undefined : this.byPhone.get(key);
      if (hit) return { existing: hit, reason: 'phone' };
    }
    return null;
  }
}

const REASON_TEXT: Record<DuplicateReason, string> = {
  name: '客户名称相同',
  phone: '联系电话相同',
  place: '同名客户在 200 米内',
};

/** What the reason says to people. */
export const duplicateReasonText = (reason: DuplicateReason) => REASON_TEXT[reason];
