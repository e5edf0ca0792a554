export interface GroupCommitOptions<T, R> {
  /** Items of one key may share a batch; items of different keys never do (a tenant, say). */
  keyOf(item: T): string;
  /** Batches of one key running at once. */
  maxInFlight: number;
  /** Most items in one batch. */
  maxBatch: number;
  /** Runs a batch and answers each item, in order. A throw fails every item of the batch with that error. */
  run(items: T[]): Promise<R[]>;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: items that arrive in the same turn of the event loop, or while `maxInFlight` batches of their key are
 * running, go together into the key's next batch, oldest first. Alone, an item runs at once in a batch of one; under
 * load the batches grow by themselves, so a transaction's commit, statement starts and round trips are shared by many
 * requests instead of paid by each.
 */
export class GroupCommit<T, R> {
  private readonly queues = new Map<string, Waiting<T, R>[]>();
  private readonly running = new Map<string, number>();
  private readonly scheduled = new Set<string>();

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  submit(item: T): Promise<R> {
    const key = this.options.keyOf(item);
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      this.schedule(key);
    });
  }

  private schedule(key: string): void {
    if (this.scheduled.has(key) || (this.running.get(key) ?? 0) >= this.options.maxInFlight) return;
    this.scheduled.add(key);
    setImmediate(() => {
      this.scheduled.delete(key);
      this.pump(key);
    });
  }

  private pump(key: string): void {
    const queue = this.queues.get(key);
    while (queue && queue.length > 0 && (this.running.get(key) ?? 0) < this.options.maxInFlight) {
      const batch = queue.splice(0, this.options.maxBatch);
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
      void this.runBatch(batch).finally(() => {
        const left = this.running.get(key)! - 1;
        if (left > 0) this.running.set(key, left);
        else this.running.delete(key);
        if (queue.length > 0) this.pump(key);
        // Keys come and go (a quota day, say): an idle key keeps nothing.
        else if (left === 0 && this.queues.get(key) === queue) this.queues.delete(key);
      });
    }
  }

  private async runBatch(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.options.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
