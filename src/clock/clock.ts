/**
 * One clock for the whole product: the XState machines (passed as their `clock` option), the bench drivers and the
 * simulator all read time and schedule work through it. On a bench it is the real clock; in tests and `--sim` runs it
 * is a virtual clock, so a three-minute reset runs in milliseconds.
 */
export type TimerId = number;

export interface Clock {
  /** Milliseconds since this clock's epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
  /**
   * Real work that virtual time must wait for (a camera frame being read, a packet exchange on a real network): on a
   * virtual clock no timer fires until it settles; on the real clock it changes nothing. Returns `work`.
   */
  hold?<T>(work: Promise<T>): Promise<T>;
}

/** `clock.hold(work)` where the clock has it, else `work` itself. */
export function holdClock<T>(clock: Clock, work: Promise<T>): Promise<T> {
  return clock.hold ? clock.hold(work) : work;
}

/** Resolves after `ms` of this clock's time; rejects with the signal's reason if aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wall-clock time, for real benches and `--realtime` runs. */
export class RealClock implements Clock {
  private readonly epoch = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  now(): number {
    return performance.now() - this.epoch;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.next++;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms));
    this.timers.set(id, handle);
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const handle = this.timers.get(id);
    if (handle) clearTimeout(handle);
    this.timers.delete(id);
  }
}

interface VirtualTimer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every pending promise continuation run before virtual time moves on. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface RunOptions {
  /**
   * Run no faster than `pace` times real time (60: a minute of virtual time takes at least a real second), so that a
   * simulated run lasts long enough to watch, interrupt or kill. Default: as fast as it goes.
   */
  pace?: number;
}

/** Longest real-time wait between two looks at the timers of a paced run. */
const PACE_SLICE_MS = 50;

export class ClockStallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClockStallError';
  }
}

/**
 * Virtual time. Nothing moves until the owner advances it: `advance(ms)` for a fixed step, or `runUntil(promise)`,
 * which lets pending work settle, then jumps straight to the next timer (or, paced, lets virtual time flow with real
 * time), until the promise settles.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: VirtualTimer[] = [];
  private seq = 0;
  private nextId = 1;
  /** Real work in flight that time waits for (hold()). */
  private readonly holds = new Set<Promise<unknown>>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.nextId++;
    const timer: VirtualTimer = { id, at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    // Keep the list sorted by (at, seq): binary search for the insertion point.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timers[mid]!;
      if (t.at < timer.at || (t.at === timer.at && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id === undefined) return;
    const i = this.timers.findIndex((t) => t.id === id);
    if (i >= 0) this.timers.splice(i, 1);
  }

  hold<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = work.then(
      () => this.holds.delete(settled),
      () => this.holds.delete(settled),
    );
    this.holds.add(settled);
    return work;
  }

  /** Real work in flight that time is waiting for. */
  held(): number {
    return this.holds.size;
  }

  /** Number of timers waiting to fire. */
  pending(): number {
    return this.timers.length;
  }

  /** Time of the next timer, or undefined when none is waiting. */
  nextAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /** Fires the earliest timer (moving time to it). Returns false when none is waiting. */
  step(): boolean {
    const t = this.timers.shift();
    if (!t) return false;
    this.current = Math.max(this.current, t.at);
    t.fn();
    return true;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. Synchronous. */
  advance(ms: number): void {
    const target = this.current + ms;
    while (this.timers.length > 0 && this.timers[0]!.at <= target) this.step();
    this.current = target;
  }

  /**
   * Runs virtual time until `work` settles, letting promise continuations run between timers.
   * Throws ClockStallError when the work is still pending but nothing is scheduled (a deadlock), or when virtual time
   * would pass `limitMs` from now. With `options.pace`, no faster than that many times real time.
   */
  async runUntil<T>(work: Promise<T>, limitMs = 24 * 3600_000, options: RunOptions = {}): Promise<T> {
    const { pace } = options;
    if (pace !== undefined && !(pace > 0)) throw new RangeError(`pace must be positive, got ${pace}`);
    const paced = pace === undefined ? undefined : { pace, real: new RealClock(), virtualStart: this.current };
    let done = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    work.then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = true;
        failed = true;
        error = e;
      },
    );
    const deadline = this.current + limitMs;
    const passed = (): ClockStallError => new ClockStallError(`virtual clock passed its limit of ${limitMs} ms`);
    for (;;) {
      await settle();
      if (done) break;
      if (this.holds.size > 0) {
        // Real work (a frame being read, a packet exchange) is in flight: time stands still until it settles.
        await Promise.race(this.holds);
        continue;
      }
      const at = this.nextAt();
      if (at === undefined) {
        await settle();
        if (done) break;
        throw new ClockStallError('virtual clock stalled: the work is waiting but no timer is scheduled');
      }
      if (paced) {
        // Virtual time flows with real time, `pace` times faster, and may not reach `at` before real time does. Wait
        // in short slices, so that work scheduled meanwhile (Ctrl-C releasing everything) runs at once, at the
        // virtual time that corresponds to the real moment.
        const target = paced.virtualStart + paced.real.now() * paced.pace;
        if (target < at) {
          if (target > deadline) throw passed();
          if (target > this.current) this.advance(target - this.current);
          await sleep(paced.real, Math.min((at - target) / paced.pace, PACE_SLICE_MS));
          continue;
        }
      }
      if (at > deadline) throw passed();
      this.step();
    }
    if (failed) throw error;
    return value as T;
  }
}
