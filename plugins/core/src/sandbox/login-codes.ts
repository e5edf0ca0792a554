import { randomBytes } from 'node:crypto';
import type { Clock, LoginChannel } from '../port';

export interface LoginCodeOwner {
  corpId: string;
  userId: string;
  /** Where the client got it; default `miniprogram`. A vendor that tells channels apart redeems each at its own endpoint. */
  channel?: LoginChannel;
}

interface IssuedCode extends LoginCodeOwner {
  channel: LoginChannel;
  expiresAt: number;
}

/** Which codes an endpoint can see: a code outside it is unknown there, and stays good where it belongs. */
export interface LoginCodeScope {
  channel?: LoginChannel;
  corpId?: string;
}

/** Login codes as the mini-program gets them: random, single use, valid five minutes by the sandbox's clock. */
export class SandboxLoginCodes {
  private readonly codes = new Map<string, IssuedCode>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  mint(owner: LoginCodeOwner): string {
    this.forgetExpired();
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { ...owner, channel: owner.channel ?? 'miniprogram', expiresAt: this.clock.now() + this.ttlMs });
    return code;
  }

  /**
   * The code's owner, once; `undefined` for an unknown, used or expired code, or one outside `scope` (the vendors do
   * not tell them apart). A code outside the scope is not used up.
   */
  redeem(code: string, scope: LoginCodeScope = {}): Required<LoginCodeOwner> | undefined {
    const issued = this.codes.get(code);
    if (issued === undefined) return undefined;
    if (scope.channel !== undefined && issued.channel !== scope.channel) return undefined;
    if (scope.corpId !== undefined && issued.corpId !== scope.corpId) return undefined;
    this.codes.delete(code);
    if (this.clock.now() >= issued.expiresAt) return undefined;
    return { corpId: issued.corpId, userId: issued.userId, channel: issued.channel };
  }

  private forgetExpired(): void {
    const now = this.clock.now();
    for (const [code, issued] of this.codes) if (now >= issued.expiresAt) this.codes.delete(code);
  }
}
