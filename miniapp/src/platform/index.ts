import type { PlatformApi } from './platform';

export * from './platform';
export { DEMO_TENANTS, DEMO_USERS, type DemoTenant, type DemoUser } from './demo-users';

/**
 * The platform of this build. TARO_ENV is a build-time constant, so webpack keeps only the taken branch and each
 * target ships one platform file (the dd build never contains the browser SDKs, and so on).
 */
function current(): PlatformApi {
  // Each require sits in its own constant `if`: webpack skips requires in a branch it can prove dead, but not code
  // after a `return`, so a trailing unconditional require would ship the browser SDKs in every build.
  if (process.env.TARO_ENV === 'dd') return (require('./dd') as typeof import('./dd')).ddPlatform;
  if (process.env.TARO_ENV === 'qywx') return (require('./qywx') as typeof import('./qywx')).qywxPlatform;
  if (process.env.TARO_ENV === 'h5') return (require('./h5') as typeof import('./h5')).h5Platform;
  throw new Error(`unknown TARO_ENV ${process.env.TARO_ENV}`);
}

export const platform: PlatformApi = current();
