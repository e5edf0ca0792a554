import type { Clock } from './port';

/** What a vendor's token endpoint answered, in vendor-neutral words. */
export interface FetchedAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

export interface AccessTokenCacheOptions {
  clock: Clock;
  /** Refresh this long before the platform's expiry (default 300 s); capped at half the token's lifetime. */
  refreshMarginMs?: number;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * App access tokens keyed by app (e.g. `corpId/appKey`). Refreshes a margin before expiry, and concurrent callers of
 * one key share a single in-flight fetch: the vendors rate-limit their token endpoints (DingTalk §1.2, WeCom §1).
 * One cache may serve many tenants' clients.
 */
export class AccessTokenCache {
  private readonly cached = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly refreshMarginMs: number;

  constructor(private readonly options: AccessTokenCacheOptions) {
    this.refreshMarginMs = options.refreshMarginMs ?? 300_000;
  }

  /** The cached token, or the result of one shared `fetchToken()` when there is none or it is about to expire. */
  get(key: string, fetchToken: () => Promise<FetchedAccessToken>): Promise<string> {
    const hit = this.cached.get(key);
    if (hit !== undefined && this.options.clock.now() < hit.refreshAt) return Promise.resolve(hit.value);
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;

    // Expiry counts from when we asked, not when the answer arrived: the platform's clock started first.
    const askedAt = this.options.clock.now();
    const refresh = fetchToken()
      .then((fetched) => {
        const lifetimeMs = fetched.expiresInSeconds * 1000;
        const marginMs = Math.min(this.refreshMarginMs, lifetimeMs / 2);
        this.cached.set(key, { value: fetched.accessToken, refreshAt: askedAt + lifetimeMs - marginMs });
        return fetched.accessToken;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, refresh);
    return refresh;
  }

  /**
   * Forgets `staleToken` after the platform refused it. A token another caller already replaced is left alone, so a
   * burst of refusals of one token causes one refresh, not one per caller.
   */
  invalidate(key: string, staleToken: string): void {
    if (this.cached.get(key)?.value === staleToken) this.cached.delete(key);
  }
}
