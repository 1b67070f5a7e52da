import type { InspectionEvent } from 'xstate';
import { createBench } from '../../src/bench/bench.js';
import type { Fixture } from '../../src/bench/fixture.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import type { Bench, BenchDriver, DriverEvent } from '../../src/bench/types.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import type { PhoneModel } from '../../src/catalog/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { resolveReboot, resolveRun, runPlan, type RunChoices, type RunPlan } from '../../src/machines/run-reset.js';
import { createSimBench, type SimBench, type SimFaults } from '../../src/sim/driver.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';

/*
 * Running the machines on a simulated bench in virtual time: the one set-up every machine, procedure and provisioning
 * test shares, and the hooks a test acts through (abort, state changes, the bench the machine gets).
 */

/** The simulated bench of a run. */
export interface SimSetup {
  /** The simulated unit (default: the model's id). */
  simModel?: string;
  /** The simulated unit's real MAC, when it differs from the label's (a misread label). */
  realMac?: string;
  seed: number;
  /** The jig (default: the model family's). */
  fixture?: Fixture;
  faults?: SimFaults;
  options?: SimPhoneOptions;
  blind?: boolean;
  /** The simulated board's hold limit (default: the fixture's). */
  maxHoldMs?: number;
}

/** How a test takes part in a run. */
export interface RunHooks {
  /** Abort once this holds (checked every 50 ms of bench time). */
  abortWhen?: (sim: SimBench) => boolean;
  /** Receives every snapshot value the machine takes. */
  recordPaths?: (value: unknown) => void;
  /** Called with each state the machine enters: to act on the bench at a given point of the procedure. */
  onState?: (state: string, sim: SimBench, clock: VirtualClock) => void;
  /** The bench the machine gets, made from the simulator before the run (default: the simulator's own). */
  bench?: (sim: SimBench, clock: VirtualClock) => Bench;
}

/** Opens a simulated bench for the model on a fresh VirtualClock. */
export async function openSimBench(model: PhoneModel, mac: string, setup: SimSetup): Promise<{ sim: SimBench; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const sim = createSimBench({
    modelId: setup.simModel ?? model.id,
    mac,
    ...(setup.realMac ? { realMac: setup.realMac } : {}),
    fixture: setup.fixture ?? fixtureFor(model),
    clock,
    seed: setup.seed,
    ...(setup.faults ? { faults: setup.faults } : {}),
    ...(setup.options ? { options: setup.options } : {}),
    ...(setup.blind ? { blind: true } : {}),
    ...(setup.maxHoldMs !== undefined ? { maxHoldMs: setup.maxHoldMs } : {}),
  });
  await sim.driver.open();
  return { sim, clock };
}

/** Checks `until` every 50 ms of bench time; once it holds, does `then`, once. */
export function poll(clock: VirtualClock, until: () => boolean, then: () => void): void {
  const check = () => {
    if (until()) then();
    else clock.setTimeout(check, 50);
  };
  clock.setTimeout(check, 50);
}

/** An onState hook that acts once, `afterMs` of bench time after the machine first enters `state`; `at` says when. */
export function once(state: string, afterMs: number, act: (sim: SimBench, clock: VirtualClock) => void) {
  let armed = false;
  const hook = {
    /** Bench time it acted at; -1 until it has. */
    at: -1,
    onState: (entered: string, sim: SimBench, clock: VirtualClock): void => {
      if (entered !== state || armed) return;
      armed = true;
      clock.setTimeout(() => {
        hook.at = clock.now();
        act(sim, clock);
      }, afterMs);
    },
  };
  return hook;
}

/** The run options that carry a test's hooks, and the states the machine entered (filled as it runs). */
export function hookRun(sim: SimBench, clock: VirtualClock, hooks: RunHooks) {
  const abort = new AbortController();
  const { abortWhen } = hooks;
  if (abortWhen) poll(clock, () => abortWhen(sim), () => abort.abort(new Error('test abort')));
  const states: string[] = [];
  return {
    states,
    options: {
      bench: hooks.bench ? hooks.bench(sim, clock) : sim.bench,
      clock,
      signal: abort.signal,
      onState: (state: string) => {
        states.push(state);
        hooks.onState?.(state, sim, clock);
      },
      ...(hooks.recordPaths
        ? {
            inspect: (e: InspectionEvent) => {
              const value = (e as { snapshot?: { value?: unknown } }).snapshot?.value;
              if (e.type === '@xstate.snapshot' && value !== undefined) hooks.recordPaths!(value);
            },
          }
        : {}),
    },
  };
}

export interface SimRun extends SimSetup, RunHooks {
  /** A catalog name, or a model object (a variant built in the test). Default: VVX 410. */
  model?: string | PhoneModel;
  /** The MAC on the label (default 0004f2aa814c). */
  mac?: string;
  choices?: RunChoices;
  /** Run the reboot instead of a reset. */
  reboot?: boolean;
}

/** Plans and runs one procedure (a reset, or the reboot) on a simulated bench in virtual time. */
export async function simRun(run: SimRun) {
  const model = typeof run.model === 'object' ? run.model : getCatalog().find(run.model ?? 'VVX 410');
  const mac = run.mac ?? '0004f2aa814c';
  const plan: RunPlan = run.reboot ? resolveReboot(model) : resolveRun(model, mac, run.choices ?? {});
  const { sim, clock } = await openSimBench(model, mac, run);
  const { states, options } = hookRun(sim, clock, run);
  const record = await clock.runUntil(runPlan(plan, { mac, ...options, ...(run.choices?.trustLabel ? { trustLabel: true } : {}) }));
  return { record, sim, truth: sim.phone.truth(), model, plan, clock, states };
}

/** A seeded MAC with a Poly OUI. */
export function macFor(rand: () => number): string {
  const oui = rand() < 0.5 ? '0004f2' : '64167f';
  return oui + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
}

/** Dotted paths of a snapshot value: {attempt: 'holding'} -> ['attempt', 'attempt.holding']. */
export function statePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...statePaths(v, p)];
  });
}

/** Every state node of a machine (its `root`), as dotted paths. */
export function machineStates(root: unknown): string[] {
  const out: string[] = [];
  const walk = (node: { states: Record<string, unknown> }, prefix: string) => {
    for (const [key, child] of Object.entries(node.states)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      walk(child as { states: Record<string, unknown> }, path);
    }
  };
  walk(root as { states: Record<string, unknown> }, '');
  return out;
}

// ---- a board that resets, a watchdog that fires: the sim bench with a hand on its driver's news ------------------

/**
 * The simulated bench with driver news on demand, as a real board gives it: boardReset() cuts every solenoid and the
 * relay (what a reset board does) and then says so (its banner comes once it has restarted: `announceFirst` for a
 * bench that reports it before the camera sees anything); watchdog() cuts every solenoid, then says so; holdLimit()
 * cuts what is held, then says so; emit() says anything. The simulator's driver itself reports only a lost link and
 * the holds it cuts at its own limit.
 */
export type NewsBench = ReturnType<typeof newsBench>;

export function newsBench(sim: SimBench) {
  const d = sim.driver;
  const listeners = new Set<(event: DriverEvent) => void>();
  const emit = (event: DriverEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  const driver: BenchDriver = {
    get info() {
      return d.info;
    },
    open: () => d.open(),
    press: (channels, ms, signal) => d.press(channels, ms, signal),
    hold: (channels) => d.hold(channels),
    release: (channels) => d.release(channels),
    setPower: (on) => d.setPower(on),
    releaseAll: () => d.releaseAll(),
    readSensor: () => d.readSensor(),
    onEvent: (listener) => {
      listeners.add(listener);
      const off = d.onEvent(listener);
      return () => {
        listeners.delete(listener);
        off();
      };
    },
    close: () => d.close(),
  };
  return {
    bench: createBench(driver, sim.bench.fixture, sim.bench.observer),
    emit,
    boardReset(announceFirst = false): void {
      const banner = '# resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000';
      if (announceFirst) emit({ kind: 'board-reset', banner });
      void d.releaseAll(); // synchronous on the simulator: every solenoid and the relay off now
      if (!announceFirst) emit({ kind: 'board-reset', banner });
    },
    watchdog(): void {
      void d.release(sim.jig.energised());
      emit({ kind: 'watchdog' });
    },
    /** The board cuts whatever is held at its limit, and says so. */
    holdLimit(): void {
      const channels = sim.jig.energised();
      void d.release(channels);
      emit({ kind: 'hold-limit', channels });
    },
  };
}
