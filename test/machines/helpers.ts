import { fixtureFor } from '../../src/bench/jigs.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { runReset } from '../../src/machines/run-reset.js';
import { createSimBench, type SimFaults } from '../../src/sim/driver.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';

export interface SimRun {
  model?: string;
  mac: string;
  realMac?: string;
  seed: number;
  faults?: SimFaults;
  options?: SimPhoneOptions;
  blind?: boolean;
  /** Abort the run once this predicate over the jig says so (checked on every clock step). */
  abortWhen?: (sim: ReturnType<typeof createSimBench>) => boolean;
  /** Receives every snapshot value the machine takes. */
  recordPaths?: (value: unknown) => void;
}

/** Runs one factory reset on a simulated phone in virtual time; returns the record and the simulator. */
export async function simReset(run: SimRun) {
  const model = getCatalog().find(run.model ?? 'VVX 410');
  const clock = new VirtualClock();
  const sim = createSimBench({
    modelId: model.id,
    mac: run.mac,
    ...(run.realMac ? { realMac: run.realMac } : {}),
    fixture: fixtureFor(model),
    clock,
    seed: run.seed,
    ...(run.faults ? { faults: run.faults } : {}),
    ...(run.options ? { options: run.options } : {}),
    ...(run.blind ? { blind: true } : {}),
  });
  await sim.driver.open();
  const abort = new AbortController();
  const states: string[] = [];
  if (run.abortWhen) {
    const check = () => {
      if (run.abortWhen!(sim)) abort.abort(new Error('test abort'));
      else clock.setTimeout(check, 50);
    };
    clock.setTimeout(check, 50);
  }
  const record = await clock.runUntil(
    runReset({
      model,
      mac: run.mac,
      bench: sim.bench,
      clock,
      signal: abort.signal,
      onState: (s) => states.push(s),
      ...(run.recordPaths
        ? {
            inspect: (e) => {
              const value = (e as { snapshot?: { value?: unknown } }).snapshot?.value;
              if (e.type === '@xstate.snapshot' && value !== undefined) run.recordPaths!(value);
            },
          }
        : {}),
    }),
  );
  return { record, sim, truth: sim.phone.truth(), model, states, clock };
}

/** A seeded MAC with a Poly OUI. */
export function macFor(rand: () => number): string {
  const oui = rand() < 0.5 ? '0004f2' : '64167f';
  return oui + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
}
