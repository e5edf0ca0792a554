import { randomBytes } from 'node:crypto';
import type { Clock } from '../port';

export interface LoginCodeOwner {
  corpId: string;
  userId: string;
}

interface IssuedCode extends LoginCodeOwner {
  expiresAt: number;
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
    this.codes.set(code, { ...owner, expiresAt: this.clock.now() + this.ttlMs });
    return code;
  }

  /** The code's owner, once; `undefined` for an unknown, used or expired code (the vendors do not tell them apart). */
  redeem(code: string): LoginCodeOwner | undefined {
    const issued = this.codes.get(code);
    if (issued === undefined) return undefined;
    this.codes.delete(code);
    if (this.clock.now() >= issued.expiresAt) return undefined;
    return { corpId: issued.corpId, userId: issued.userId };
  }

  private forgetExpired(): void {
    const now = this.clock.now();
    for (const [code, issued] of this.codes) if (now >= issued.expiresAt) this.codes.delete(code);
  }
}
