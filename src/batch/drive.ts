import { ClockStallError, RealClock, settle, sleep, VirtualClock, type Clock } from '../clock/clock.js';

/** A batch may run for days of bench time; virtual time stops with a stall error past this. */
const LIMIT_MS = 365 * 24 * 3600_000;
/** Longest real-time wait between two looks at the virtual clock's timers, when paced. */
const SLICE_MS = 50;

/**
 * Runs `work` to its end on its clock. A real clock runs by itself. A virtual clock is driven: as fast as it goes, or,
 * with `pace`, no faster than `pace` times real time (`--sim-pace 60`: a minute of bench time takes at least a second),
 * so that a simulated batch lasts long enough to watch, interrupt or kill.
 */
export async function drive<T>(clock: Clock, work: Promise<T>, pace?: number): Promise<T> {
  if (!(clock instanceof VirtualClock)) return work;
  if (pace === undefined) return clock.runUntil(work, LIMIT_MS);

  const real = new RealClock();
  const virtualStart = clock.now();
  let done = false;
  let failed = false;
  let value: T | undefined;
  let error: unknown;
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
  for (;;) {
    await settle();
    if (done) break;
    const at = clock.nextAt();
    if (at === undefined) {
      await settle();
      if (done) break;
      throw new ClockStallError('virtual clock stalled: the batch is waiting but no timer is scheduled');
    }
    // Virtual time flows with real time, `pace` times faster, and may not reach `at` before real time does. Wait in
    // short slices, so that work scheduled meanwhile (Ctrl-C releasing everything) runs at once, at the virtual time
    // that corresponds to the real moment.
    const target = virtualStart + real.now() * pace;
    if (target < at) {
      if (target > clock.now()) clock.advance(target - clock.now());
      await sleep(real, Math.min((at - target) / pace, SLICE_MS));
      continue;
    }
    clock.step();
  }
  if (failed) throw error;
  return value as T;
}
