import type { PlatformApi } from './platform';

export * from './platform';
export { DEMO_TENANTS, DEMO_USERS, type DemoTenant, type DemoUser } from './demo-users';

/**
 * The platform of this build. TARO_ENV is a build-time constant, so webpack keeps only the taken branch and each
 * target ships one platform file (the dd build never contains the browser SDKs, and so on).
 */
function current(): PlatformApi {
  if (process.env.TARO_ENV === 'dd') return (require('./dd') as typeof import('./dd')).ddPlatform;
  if (process.env.TARO_ENV === 'qywx') return (require('./qywx') as typeof import('./qywx')).qywxPlatform;
  return (require('./h5') as typeof import('./h5')).h5Platform;
}

export const platform: PlatformApi = current();
