type TimerFn = (...args: unknown[]) => void;

interface Pending {
  id: number;
  due: number;
  fn: TimerFn;
  args: unknown[];
  repeat?: number;
}

/**
 * The timers of the vm context. Short delays (React's scheduler, Taro's nextTick, a setData callback) run on real
 * timers. Long ones (the pause between location fixes, a retry back-off) do not make the test sleep: they run, in the
 * order they are due, as soon as nothing is in flight (`busy()` is false: no answer awaited from the network), and a
 * virtual clock adds up how long the app meant to wait (`waitedMs`), so a test can check the pacing without spending
 * it. Waiting for the network first keeps a time-out honest: it fires only if the work it guards is really stuck. Jest's
 * fake timers cannot do this: they patch Node's globals, not the context's.
 */
export class VirtualTimers {
  /** Milliseconds the app asked to wait through long timers, so far. */
  waitedMs = 0;
  /** Every long delay asked for, in order (ms). */
  readonly longDelays: number[] = [];
  private virtualNow = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly real = new Map<number, NodeJS.Timeout>();
  private pumping = false;
  private stopped = false;

  constructor(
    private readonly busy: () => boolean = () => false,
    private readonly realUpToMs = 50,
  ) {}

  /** The four timer functions as the context's globals. */
  globals() {
    return {
      setTimeout: (fn: TimerFn, ms?: number, ...args: unknown[]) => this.add(fn, Number(ms) || 0, args, false),
      setInterval: (fn: TimerFn, ms?: number, ...args: unknown[]) => this.add(fn, Number(ms) || 0, args, true),
      clearTimeout: (id?: number) => this.clear(id),
      clearInterval: (id?: number) => this.clear(id),
    };
  }

  /** Cancels everything still waiting; later timers are ignored (the app is closed). */
  stop(): void {
    this.stopped = true;
    for (const t of this.real.values()) clearTimeout(t);
    this.real.clear();
    this.pending.clear();
  }

  private add(fn: TimerFn, ms: number, args: unknown[], repeat: boolean): number {
    const id = this.nextId++;
    if (this.stopped || typeof fn !== 'function') return id;
    if (ms <= this.realUpToMs) {
      const run = () => {
        if (repeat) this.real.set(id, setTimeout(run, Math.max(ms, 1)));
        else this.real.delete(id);
        fn(...args);
      };
      this.real.set(id, setTimeout(run, ms));
      return id;
    }
    this.longDelays.push(ms);
    this.pending.set(id, { id, due: this.virtualNow + ms, fn, args, repeat: repeat ? ms : undefined });
    this.pump();
    return id;
  }

  private clear(id?: number): void {
    if (id === undefined) return;
    const t = this.real.get(id);
    if (t) clearTimeout(t);
    this.real.delete(id);
    this.pending.delete(id);
  }

  /** Runs the earliest long timer once the event loop has had a turn and nothing is in flight. */
  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    setTimeout(() => {
      this.pumping = false;
      if (this.busy()) {
        this.pump();
        return;
      }
      const next = [...this.pending.values()].sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next || this.stopped) return;
      if (next.due > this.virtualNow) {
        this.waitedMs += next.due - this.virtualNow;
        this.virtualNow = next.due;
      }
      if (next.repeat) next.due += next.repeat;
      else this.pending.delete(next.id);
      try {
        next.fn(...next.args);
      } finally {
        if (this.pending.size > 0) this.pump();
      }
    }, 5);
  }
}
