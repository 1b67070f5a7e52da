import { VirtualClock, type Clock } from '../clock/clock.js';

/** A batch may run for days of bench time; virtual time stops with a stall error past this. */
const LIMIT_MS = 365 * 24 * 3600_000;

/**
 * Runs `work` to its end on its clock. A real clock runs by itself. A virtual clock is driven: as fast as it goes, or,
 * with `pace`, no faster than `pace` times real time (`--sim-pace 60`: a minute of bench time takes at least a second),
 * so that a simulated batch lasts long enough to watch, interrupt or kill.
 */
export async function drive<T>(clock: Clock, work: Promise<T>, pace?: number): Promise<T> {
  if (!(clock instanceof VirtualClock)) return work;
  return clock.runUntil(work, LIMIT_MS, pace === undefined ? {} : { pace });
}
