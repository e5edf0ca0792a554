import type { LocationFix, PlatformApi, WifiInfo } from '@/platform/platform';
import type { Api } from '@/services/api';
import type { CheckInBody, ClaimBody, NearbyItem } from '@/services/api-types';

/** Where the phone is, as the server's risk engine judges it (DESIGN §5.1): fresh fixes, Wi-Fi, device, a nonce. */
export interface LocationProof {
  nonce: string;
  fixes: LocationFix[];
  wifi: WifiInfo[];
  device: CheckInBody['device'];
}

export interface LocationProofDeps {
  phone: Pick<PlatformApi, 'locate' | 'connectedWifi' | 'device'>;
  nonce: Api['visits']['nonce'];
  /** Fixes to take and the pause between them (real GPS jitters; the server checks that). */
  fixCount?: number;
  fixIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each fix with the fixes taken so far. */
  onFix?: (fixes: LocationFix[]) => void;
}

/** Takes the fixes a few seconds apart, then the Wi-Fi and a fresh nonce (single use, valid 5 minutes). */
export async function takeLocationProof(deps: LocationProofDeps): Promise<LocationProof> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fixes: LocationFix[] = [];
  for (let i = 0; i < (deps.fixCount ?? 3); i++) {
    if (i > 0) await sleep(deps.fixIntervalMs ?? 2500);
    fixes.push(...(await deps.phone.locate({ count: 1 })));
    deps.onFix?.([...fixes]);
  }
  const [wifi, { nonce }] = await Promise.all([deps.phone.connectedWifi(), deps.nonce()]);
  return { nonce, fixes, wifi, device: deps.phone.device() as CheckInBody['device'] };
}

/**
 * The body of a 领取: a pool with a claim radius judges the location like a check-in, so the proof is taken first
 * (`prove`); any other pool gets the fix the page already has, as before, or nothing.
 */
export async function claimBodyFor(item: Pick<NearbyItem, 'claimRadiusM'>, pageFix: LocationFix | null, prove: () => Promise<LocationProof>): Promise<ClaimBody> {
  if (item.claimRadiusM !== null) return prove();
  return pageFix ? { lat: pageFix.lat, lng: pageFix.lng, accuracy: pageFix.accuracy, coord: pageFix.coord } : {};
}
