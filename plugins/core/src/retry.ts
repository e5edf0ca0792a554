/** Waits `ms`; injected so tests of retries never really wait. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** The wait before each retry; its length is the number of retries. */
  delaysMs: readonly number[];
  sleep: Sleep;
}

/**
 * Runs `attempt` until its outcome is not `retryable` or the delays run out, and returns the last outcome either way:
 * the caller decides what a still-failing outcome means. Outcomes are values, not exceptions, so a retryable answer
 * is never confused with a bug.
 */
export async function retryWithBackoff<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  retryable: (outcome: T) => boolean,
): Promise<T> {
  let outcome = await attempt();
  for (const delayMs of policy.delaysMs) {
    if (!retryable(outcome)) break;
    await policy.sleep(delayMs);
    outcome = await attempt();
  }
  return outcome;
}
