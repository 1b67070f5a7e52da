/**
 * Press timing on the host, for the drivers that time presses and enforce the hold limit themselves: the
 * simulator's SimDriver (src/sim/driver.ts, mirroring the firmware) and the firmata driver (StandardFirmata has
 * neither). The serial driver leaves both to resetbot's firmware and shares only checkPressMs.
 */
import { sleep, type Clock, type TimerId } from '../clock/clock.js';
import { BenchError } from '../errors/errors.js';
import type { Listeners } from './listeners.js';

/** A press's duration must be a number of ms, 0 or more: anything else is the controller's bug. */
export function checkPressMs(ms: number): void {
  if (!(Number.isFinite(ms) && ms >= 0)) {
    throw new BenchError('bad-argument', `press duration ${ms} ms is not a non-negative number`, 'this is a controller bug: report it');
  }
}

/**
 * The hold limit: channels switched on together form a group with one timer; after `maxHoldMs` the timer hands the
 * group's channels still on to `cut` (in the order they were switched on). A group's timer is cancelled once none of
 * its channels is on.
 */
export class HoldLimit {
  /** Channel -> the group it was switched on with. */
  private readonly group = new Map<number, number>();
  private readonly timers = new Map<number, TimerId>();
  private nextGroup = 1;

  constructor(
    private readonly clock: Clock,
    private readonly maxHoldMs: number,
    private readonly cut: (channels: number[]) => void,
  ) {}

  /** Channels newly switched on, together: one timer for them. */
  arm(fresh: readonly number[]): void {
    if (fresh.length === 0) return;
    const g = this.nextGroup++;
    for (const c of fresh) this.group.set(c, g);
    const id = this.clock.setTimeout(() => {
      this.timers.delete(g);
      const cut = [...this.group].filter(([, owner]) => owner === g).map(([c]) => c);
      if (cut.length > 0) this.cut(cut);
    }, this.maxHoldMs);
    this.timers.set(g, id);
  }

  /** Channels switched off. */
  released(channels: Iterable<number>): void {
    for (const c of channels) {
      const g = this.group.get(c);
      this.group.delete(c);
      if (g !== undefined && ![...this.group.values()].includes(g)) {
        this.clock.clearTimeout(this.timers.get(g));
        this.timers.delete(g);
      }
    }
  }

  /** Forgets every channel and cancels every timer. */
  clear(): void {
    this.group.clear();
    for (const id of this.timers.values()) this.clock.clearTimeout(id);
    this.timers.clear();
  }
}

/**
 * Sleeps `ms` on the clock; ends early, rejecting, when `signal` aborts (with its reason) or when `interrupts` emits
 * (with that error: the link dropped, the board reset).
 */
export function interruptibleSleep(clock: Clock, ms: number, signal: AbortSignal | undefined, interrupts: Listeners<[Error]>): Promise<void> {
  // One timer and two listeners, no AbortController of its own (one a press was a measurable share of a run).
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let stop = (): void => {};
    let done = false;
    const end = (failed: boolean, err?: unknown): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(id);
      stop();
      signal?.removeEventListener('abort', onOuter);
      if (failed) reject(err);
      else resolve();
    };
    const onOuter = (): void => end(true, signal?.reason);
    const id = clock.setTimeout(() => end(false), Math.max(0, ms));
    signal?.addEventListener('abort', onOuter, { once: true });
    stop = interrupts.add((err) => end(true, err));
  });
}
