import type { AccessTokenCache } from './access-token-cache';
import type { Clock, PlatformAppCredentials } from './port';
import type { Sleep } from './retry';

/** What every vendor client (and the adapter built on it) is configured with. */
export interface PlatformClientOptions {
  credentials: PlatformAppCredentials;
  /** Token expiry is judged by this clock; default the system clock. */
  clock?: Clock;
  /** Waits between retries; default a real timer. */
  sleep?: Sleep;
  /** The wait before each retry of an HTTP 5xx or "system busy" answer; default [200, 600] (two retries). */
  retryDelaysMs?: readonly number[];
  /** Per request, for headers and body each; default 5000 ms. */
  timeoutMs?: number;
  /** Share one cache between the clients of many tenants (its own clock then applies); default one per client. */
  tokenCache?: AccessTokenCache;
}

export const defaultRetryDelaysMs: readonly number[] = [200, 600];
export const defaultTimeoutMs = 5000;
