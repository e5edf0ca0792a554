/** One counter of one rate limit (server/src/http/rate-limit.ts): a fixed window that restarts once it has expired. */
export interface RateLimitsTable {
  /** The limit's name and what it counts, e.g. `login-ip:203.0.113.7` or `claim:<tenant>:<user>`. */
  limit_key: string;
  /** Points used in the current window. */
  points: number;
  /** When the window ends (epoch ms); null never ends. */
  expires_at: number | null;
}
