/**
 * Whether the server is ready to serve (DESIGN §9): `/healthz` answers 200 only once it is migrated, seeded and has its
 * jobs scheduled, and 503 with the reason until then. main.ts moves it along; an app built without one is ready.
 */
export class Readiness {
  private pending: string | undefined;

  constructor(reason: string) {
    this.pending = reason;
  }

  /** Not ready yet, for this reason (Chinese: operators and load balancers' logs read it). */
  waitFor(reason: string): void {
    this.pending = reason;
  }

  ready(): void {
    this.pending = undefined;
  }

  /** Why the server is not ready, or undefined once it is. */
  get reason(): string | undefined {
    return this.pending;
  }
}
