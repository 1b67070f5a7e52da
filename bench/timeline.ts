import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureFor } from '../src/bench/jigs.js';
import { BLIND_MARGIN, BLIND_SLACK_MS, CalibrationStore } from '../src/calibration/calibration.js';
import { getCatalog } from '../src/catalog/catalog.js';
import type { PhoneModel } from '../src/catalog/types.js';
import { VirtualClock } from '../src/clock/clock.js';
import { planMac } from '../src/text-entry/planner.js';
import { runReset } from '../src/machines/run-reset.js';
import { createSimBench, simUnitIds } from '../src/sim/driver.js';
import { mulberry } from './random.js';

/**
 * Bench time a phone against the phone's own minimum timeline, from the simulated phone's own event log (what it did
 * and when): the relay off the seed's minimum (the timing profile's powerOffMs), then power-on to the Cancel softkey
 * shown, Cancel to the countdown, the combo hold the phone needs, the password typed by the optimal plan and OK
 * tapped, and OK to factory defaults (its reset screens and reboots). Every action at the earliest moment the phone
 * allows; what the controller adds on top is its slack. The cancel-combo procedure (the seeds' main one); the other
 * procedures are not measured yet.
 */
interface Pair {
  benchMs: number;
  minimumMs: number;
  /** The phone's own reset: the password accepted to factory defaults (its reset screens and reboots). */
  resetMs: number;
}

function minimumTimeline(model: PhoneModel, mac: string, events: { t: number; what: string }[]): number | undefined {
  const at = (prefix: string, from = 0) => events.find((e) => e.t >= from && e.what.startsWith(prefix))?.t;
  const on = at('power-on');
  const shown = at('cancel-shown');
  const pressed = at('cancel-pressed');
  const countdown = at('countdown');
  const held = events.find((e) => e.what.startsWith('combo-held'));
  const accepted = at('password-accepted');
  const done = at('factory-defaults');
  if ([on, shown, pressed, countdown, accepted, done].some((t) => t === undefined) || !held) return undefined;
  const needs = Number(/needs (\d+) ms/.exec(held.what)?.[1] ?? NaN);
  const te = model.textEntry;
  const typing = planMac(mac, te).durationMs + model.timing.keyTapMs;
  return model.timing.powerOffMs + (shown! - on!) + (countdown! - pressed!) + needs + typing + (done! - accepted!);
}

/**
 * One reset of the seeds' plainest simulated phone, planned by the calibration if given (an observed run also adds
 * to it): its bench time and the phone's own events, only when the phone really reset (the simulator's truth).
 */
async function simReset(model: PhoneModel, mac: string, seed: number, blind: boolean, calibration?: CalibrationStore) {
  const clock = new VirtualClock();
  const sim = createSimBench({ modelId: model.id, mac, fixture: fixtureFor(model), clock, seed, blind, options: { variant: 'classic' } });
  await sim.driver.open();
  const record = await clock.runUntil(runReset({ model, mac, bench: sim.bench, clock, ...(calibration ? { calibration } : {}) }));
  const truth = sim.phone.truth();
  return truth.factoryDefaults ? { benchMs: record.durationMs, events: truth.events } : undefined;
}

/** A reset against the phone's own minimum timeline (cancel-combo). */
async function oneRun(model: PhoneModel, mac: string, seed: number, blind: boolean, calibration?: CalibrationStore): Promise<Pair | undefined> {
  const run = await simReset(model, mac, seed, blind, calibration);
  if (!run) return undefined;
  const minimumMs = minimumTimeline(model, mac, run.events);
  const at = (prefix: string) => run.events.find((e) => e.what.startsWith(prefix))?.t ?? 0;
  return minimumMs === undefined ? undefined : { benchMs: run.benchMs, minimumMs, resetMs: at('factory-defaults') - at('password-accepted') };
}

/** A reset's bench time, if the phone really reset. */
const benchTimeOf = async (model: PhoneModel, mac: string, seed: number, blind: boolean, calibration?: CalibrationStore): Promise<number | undefined> =>
  (await simReset(model, mac, seed, blind, calibration))?.benchMs;

/**
 * The other procedures (the phone's own minimum timeline is written out for cancel-combo only): blind against observed
 * bench time on the same phones, with and without calibration. Only runs that reset the phone count.
 */
async function benchOtherProcedures(perModel: number): Promise<void> {
  const units = new Set(simUnitIds());
  const kinds = ['led-combo', 'power-on-hold', 'touch-hold', 'long-press'] as const;
  const rand = mulberry(9);
  const randomMac = () => '0004f2' + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-procedures-'));
  try {
    const calibration = new CalibrationStore(join(dir, 'calibration.json'));
    let seed = 0;
    for (const kind of kinds) {
      const models = getCatalog().models.filter((m) => m.procedure.kind === kind && units.has(m.id));
      const sums = { observed: 0, blind: 0, uncalibrated: 0, n: 0, runs: 0 };
      for (const model of models) {
        for (let i = 0; i < CALIBRATION_PHONES; i++) await benchTimeOf(model, randomMac(), 20_000 + ++seed, false, calibration);
        for (let i = 0; i < perModel; i++) {
          const mac = randomMac();
          ++seed;
          sums.runs++;
          const o = await benchTimeOf(model, mac, seed, false, calibration);
          const b = await benchTimeOf(model, mac, seed, true, calibration);
          const u = await benchTimeOf(model, mac, seed, true);
          if (o === undefined || b === undefined || u === undefined) continue;
          Object.assign(sums, { observed: sums.observed + o, blind: sums.blind + b, uncalibrated: sums.uncalibrated + u, n: sums.n + 1 });
        }
      }
      const mean = (v: number) => (v / sums.n / 1000).toFixed(1);
      console.log(
        `  ${kind.padEnd(14)} (${models.length} models, ${sums.n} of ${sums.runs} phones reset all three ways): observed ${mean(sums.observed)} s; ` +
          `blind with calibration ${mean(sums.blind)} s, ${(sums.blind / sums.observed).toFixed(2)}x observed; blind without ${mean(sums.uncalibrated)} s, ${(sums.uncalibrated / sums.observed).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Observed phones a model's calibration needs before a blind bench plans by it (src/calibration: two or more). */
const CALIBRATION_PHONES = 2;

export async function benchTimeline(perModel = 3): Promise<void> {
  const models = getCatalog().models.filter((m) => m.procedure.kind === 'cancel-combo');
  const rand = mulberry(5);
  const randomMac = () => '0004f2' + Array.from({ length: 6 }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const dir = mkdtempSync(join(tmpdir(), 'resetbot-bench-timeline-'));
  const observed: Pair[] = [];
  const blind: Pair[] = [];
  const uncalibrated: Pair[] = [];
  let blindRuns = 0;
  try {
    const calibration = new CalibrationStore(join(dir, 'calibration.json'));
    let seed = 0;
    for (const model of models) {
      // The bench learns the model first, as a bench with a camera on one station does: observed resets of other
      // phones of the model fill the calibration file (not measured).
      for (let i = 0; i < CALIBRATION_PHONES; i++) await oneRun(model, randomMac(), 10_000 + ++seed, false, calibration);
      for (let i = 0; i < perModel; i++) {
        const mac = randomMac();
        ++seed;
        // The same phone (MAC and seed) three ways: observed; blind with the calibration; blind without any (the
        // seeds' widest figures: the baseline the calibration improves on).
        const o = await oneRun(model, mac, seed, false, calibration);
        if (o) observed.push(o);
        const b = await oneRun(model, mac, seed, true, calibration);
        blindRuns++;
        if (b) blind.push(b);
        const u = await oneRun(model, mac, seed, true);
        if (u) uncalibrated.push(u);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (ps: Pair[]) => ps.reduce((a, p) => a + p.benchMs, 0) / ps.reduce((a, p) => a + p.minimumMs, 0);
  const mean = (ps: Pair[], k: keyof Pair) => ps.reduce((a, p) => a + p[k], 0) / ps.length / 1000;
  console.log(
    `bench time a phone against the phone's own minimum timeline (cancel-combo, ${models.length} models, ${perModel} phones each, ` +
      `the seeds' plainest phone; calibration from ${CALIBRATION_PHONES} other observed phones of each model)`,
  );
  console.log(`  with an observer:          ${mean(observed, 'benchMs').toFixed(1)} s against ${mean(observed, 'minimumMs').toFixed(1)} s: ${ratio(observed).toFixed(2)}x (goal 1.05x; ${observed.length} passed)`);
  console.log(`  blind, with calibration:    ${mean(blind, 'benchMs').toFixed(1)} s against ${mean(blind, 'minimumMs').toFixed(1)} s: ${ratio(blind).toFixed(2)}x (goal 1.3x; ${blind.length} of ${blindRuns} reset)`);
  const resets = observed.map((p) => p.resetMs / 1000);
  console.log(
    `    (a blind bench cannot see when a phone is done: it keeps the power on for the slowest reset watched, x${BLIND_MARGIN} + ${BLIND_SLACK_MS / 1000} s; ` +
      `these phones' own resets took ${Math.min(...resets).toFixed(0)} to ${Math.max(...resets).toFixed(0)} s)`,
  );
  console.log(`  blind, no calibration:      ${mean(uncalibrated, 'benchMs').toFixed(1)} s against ${mean(uncalibrated, 'minimumMs').toFixed(1)} s: ${ratio(uncalibrated).toFixed(2)}x (the seeds' widest waits; ${uncalibrated.length} of ${blindRuns} reset)`);
  console.log("the other procedures: blind against observed on the same phones (their own minimum timeline is not written out; observed is its upper bound)");
  await benchOtherProcedures(Math.max(1, perModel - 1));
}

if (process.argv[1] === new URL(import.meta.url).pathname) await benchTimeline();
