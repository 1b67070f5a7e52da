/**
 * StandardFirmata in avr8js behind the `firmata` driver, on a VirtualClock. The tests judge by the emulated Uno's
 * pins (UnoPinWatcher) and the simulated phone: the simulator's truth, not the driver's belief.
 */
import { fileURLToPath } from 'node:url';
import { loadFixture } from '../../src/bench/fixture.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { createFirmataSimBench, type FirmataSimBench } from '../../src/sim/avr/firmata-bench.js';

export const FIRMATA_JIG = loadFixture(fileURLToPath(new URL('../../fixtures/firmata-jig.json', import.meta.url)));

export interface Edge {
  t: number;
  pin: number;
  high: boolean;
}

export interface FirmataRig extends FirmataSimBench {
  clock: VirtualClock;
  /** Every pin edge since the rig was made, with the board's emulated time. */
  edges: Edge[];
  /** Runs virtual time until `work` settles. */
  run<T>(work: Promise<T>, limitMs?: number): Promise<T>;
}

export function firmataRig(opts: { modelId?: string; maxHoldMs?: number; seed?: number; quickBoot?: number } = {}): FirmataRig {
  const clock = new VirtualClock();
  const sim = createFirmataSimBench({
    modelId: opts.modelId ?? 'vvx-410',
    mac: '0004f2aa814c',
    fixture: FIRMATA_JIG,
    clock,
    seed: opts.seed ?? 1,
    ...(opts.maxHoldMs ? { maxHoldMs: opts.maxHoldMs } : {}),
    ...(opts.quickBoot !== undefined ? { quickBoot: opts.quickBoot } : {}),
  });
  const edges: Edge[] = [];
  sim.pins.onChange((high, changed, t) => {
    for (const pin of changed) edges.push({ t, pin, high: high[pin]! });
  });
  return { ...sim, clock, edges, run: (work, limitMs = 60_000) => clock.runUntil(work, limitMs) };
}

/** The first edge of `pin` to `high` at or after `from`. */
export function edgeOf(edges: Edge[], pin: number, high: boolean, from = 0): Edge | undefined {
  return edges.find((e) => e.pin === pin && e.high === high && e.t >= from);
}

/** Lets virtual time pass (the board keeps running). */
export function idle(rig: FirmataRig, ms: number): Promise<void> {
  return rig.run(new Promise<void>((resolve) => rig.clock.setTimeout(resolve, ms)));
}
