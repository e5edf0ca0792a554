import { randomBytes } from 'node:crypto';
import type { Clock } from '../port';

export interface SandboxAccessTokensOptions {
  clock: Clock;
  /** Default 7200, what both vendors answer. */
  ttlSeconds?: number;
  /** Length of a token in random bytes, shown as hex. */
  tokenBytes?: number;
  /** DingTalk hands back the same token (and extends it) while it is valid; WeCom issues a new one. */
  reuseLiveToken?: boolean;
}

export type AccessTokenCheck =
  | { status: 'valid'; owner: string }
  | { status: 'expired'; owner: string }
  | { status: 'invalid' };

interface IssuedToken {
  owner: string;
  expiresAt: number;
}

/** App access tokens as a vendor issues them; the owner is whatever identifies the app (corp id, app key). */
export class SandboxAccessTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly ttlSeconds: number;

  constructor(private readonly options: SandboxAccessTokensOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 7200;
  }

  issue(owner: string): { accessToken: string; expiresIn: number } {
    const now = this.options.clock.now();
    const expiresAt = now + this.ttlSeconds * 1000;
    if (this.options.reuseLiveToken === true) {
      for (const [token, issued] of this.tokens) {
        if (issued.owner === owner && now < issued.expiresAt) {
          issued.expiresAt = expiresAt;
          return { accessToken: token, expiresIn: this.ttlSeconds };
        }
      }
    }
    const token = randomBytes(this.options.tokenBytes ?? 16).toString('hex');
    this.tokens.set(token, { owner, expiresAt });
    return { accessToken: token, expiresIn: this.ttlSeconds };
  }

  check(token: string | undefined): AccessTokenCheck {
    const issued = token === undefined ? undefined : this.tokens.get(token);
    if (issued === undefined) return { status: 'invalid' };
    if (this.options.clock.now() >= issued.expiresAt) return { status: 'expired', owner: issued.owner };
    return { status: 'valid', owner: issued.owner };
  }

  /** Expires every live token now; returns how many there were. */
  expireAll(): number {
    const now = this.options.clock.now();
    let expired = 0;
    for (const issued of this.tokens.values()) {
      if (now < issued.expiresAt) {
        issued.expiresAt = now;
        expired += 1;
      }
    }
    return expired;
  }
}
