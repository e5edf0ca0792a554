/**
 * Where a location fix came from, and whether that source can say a fix is mocked at all.
 *
 * What the vendors document (checked against their pages and type definitions, 2026-12):
 * - DingTalk mini-program `dd.getLocation`: `latitude, longitude, accuracy` (+ address fields for `type > 0`); no mock
 *   flag (open.dingtalk.com jsapi-get-location).
 * - DingTalk `dd.startLocating` (mini-program and H5, client ≥ 6.0.0; `dd.stopLocating({sceneId})` ends it): `success`
 *   is called for every fix, whose result carries `isFromMock`, "仅Android支持" (jsapi-start-locating;
 *   dingtalk-jsapi `api/union/startLocating.d.ts`).
 * - DingTalk H5 `dd.device.geolocation.get` (dingtalk-jsapi): `isFromMock`, Android only (`lib/common/api/device/
 *   geolocation/get.d.ts`).
 * - WeCom `wx.getLocation` (mini-program) and `ww.getLocation` (H5, @wecom/jssdk): `latitude, longitude, speed,
 *   accuracy` (+ altitude in the mini-program); no mock flag anywhere in either API.
 * - A browser's `navigator.geolocation`: no mock flag.
 * So a mock flag exists only for DingTalk on Android, and only through the two APIs that carry it.
 */
export const LOCATION_SOURCES = ['dd.startLocating', 'dd.getLocation', 'dd.device.geolocation.get', 'wx.getLocation', 'ww.getLocation', 'browser', 'unknown'] as const;

/** The client API a fix was read from; `unknown` for clients older than the field. */
export type LocationSource = (typeof LOCATION_SOURCES)[number];

/** Whether the fixes of a check-in come with a mock flag the platform always sets (`available`) or none (`absent`). */
export type MockFlag = 'available' | 'absent';

/** Sources whose result carries `isFromMock` on Android. */
const FLAGGED_ON_ANDROID: ReadonlySet<LocationSource> = new Set<LocationSource>(['dd.startLocating', 'dd.device.geolocation.get']);

/** The operating system a device string names: `Android 14`, `iOS 17.5.1`, `iPhone OS 17.5` (an H5 user agent), `HarmonyOS 4`. */
export function osFamily(os: string): 'android' | 'ios' | 'harmony' | 'other' {
  if (/harmony/i.test(os)) return 'harmony';
  if (/android/i.test(os)) return 'android';
  if (/\b(ios|iphone|ipad)\b/i.test(os)) return 'ios';
  return 'other';
}

/**
 * The platform class of a check-in: `available` only when every fix came from a source with a mock flag and the device
 * runs Android (DingTalk documents the flag for Android alone; HarmonyOS NEXT is not Android). An unnamed OS is not
 * taken for Android: the absence of a flag is held against a check-in only where the platform is known to set it.
 */
export function mockFlagClass(sources: readonly LocationSource[], os: string): MockFlag {
  if (sources.length === 0 || osFamily(os) !== 'android') return 'absent';
  return sources.every((s) => FLAGGED_ON_ANDROID.has(s)) ? 'available' : 'absent';
}
