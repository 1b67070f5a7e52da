import { type Fixture } from '../../src/bench/fixture.js';
import { fixtureFor } from '../../src/bench/jigs.js';
import type { Key } from '../../src/bench/keys.js';
import type { ScreenObservation } from '../../src/bench/types.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import type { PhoneModel } from '../../src/catalog/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { requireFit } from '../../src/machines/needs.js';
import { resolveReboot, resolveRun, runPlan, type RunChoices, type RunPlan } from '../../src/machines/run-reset.js';
import type { SimDevice } from '../../src/sim/device.js';
import { createSimBench, type SimFaults } from '../../src/sim/driver.js';
import type { SimPhoneOptions } from '../../src/sim/phone.js';
import { runUntil } from '../sim/helpers.js';

export { runOut, runUntil } from '../sim/helpers.js';

export interface ProcedureRun {
  /** A catalog name, or a model object (a variant built in the test). */
  model: string | PhoneModel;
  /** The simulated unit (default: the model's id). */
  simModel?: string;
  mac?: string;
  /** The simulated unit's real MAC, when it differs from the label's (a misread label). */
  realMac?: string;
  seed: number;
  choices?: RunChoices;
  /** Run the reboot instead of a reset. */
  reboot?: boolean;
  fixture?: Fixture;
  faults?: SimFaults;
  options?: SimPhoneOptions;
  blind?: boolean;
  /** The simulated board's hold limit (default: the fixture's). */
  maxHoldMs?: number;
  /** Abort once this holds (checked every 50 ms of bench time). */
  abortWhen?: (sim: ReturnType<typeof createSimBench>) => boolean;
  /** Receives every snapshot value the machine takes. */
  recordPaths?: (value: unknown) => void;
}

/** Plans, checks the fixture, and runs one procedure on a simulated bench in virtual time. */
export async function runProcedure(run: ProcedureRun) {
  const model = typeof run.model === 'string' ? getCatalog().find(run.model) : run.model;
  const mac = run.mac ?? '0004f2aa814c';
  const fixture = run.fixture ?? fixtureFor(model);
  const plan: RunPlan = run.reboot ? resolveReboot(model) : resolveRun(model, mac, run.choices ?? {});
  requireFit(plan, fixture);
  const clock = new VirtualClock();
  const sim = createSimBench({
    modelId: run.simModel ?? model.id,
    mac,
    ...(run.realMac ? { realMac: run.realMac } : {}),
    fixture,
    clock,
    seed: run.seed,
    ...(run.faults ? { faults: run.faults } : {}),
    ...(run.options ? { options: run.options } : {}),
    ...(run.blind ? { blind: true } : {}),
    ...(run.maxHoldMs !== undefined ? { maxHoldMs: run.maxHoldMs } : {}),
  });
  await sim.driver.open();
  const abort = new AbortController();
  if (run.abortWhen) {
    const check = () => {
      if (run.abortWhen!(sim)) abort.abort(new Error('test abort'));
      else clock.setTimeout(check, 50);
    };
    clock.setTimeout(check, 50);
  }
  const record = await clock.runUntil(
    runPlan(plan, {
      mac,
      bench: sim.bench,
      clock,
      signal: abort.signal,
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
  return { record, sim, truth: sim.phone.truth(), model, plan, clock };
}

/** Dotted paths of a snapshot value: {attempt: 'step'} -> ['attempt', 'attempt.step']. */
export function statePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...statePaths(v, p)];
  });
}

/** Every state node of a machine, as dotted paths. */
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

// ---- driving a simulated unit by hand, as a technician follows the source --------------------------------------

export function waitFor(clock: VirtualClock, unit: SimDevice, pred: (s: ScreenObservation) => boolean, limitMs?: number): void {
  runUntil(clock, () => pred(unit.screen()), limitMs);
}

export function down(unit: SimDevice, keys: Key[]): void {
  for (const k of keys) unit.keyDown(k);
}

export function up(unit: SimDevice, keys: Key[]): void {
  for (const k of keys) unit.keyUp(k);
}

export const isLogo = (s: ScreenObservation): boolean => s.lit && s.lines[0] === '[Poly logo]';
export const isIdle = (s: ScreenObservation): boolean => s.lit && /^Line 1: /.test(s.lines[1] ?? '');
export const happened = (unit: SimDevice, prefix: string): boolean => unit.truth().events.some((e) => e.what.startsWith(prefix));
export const CORNERS: Key[] = ['corner-tl', 'corner-tr', 'corner-bl', 'corner-br'];
