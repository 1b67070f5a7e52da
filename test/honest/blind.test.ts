import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFor } from '../../src/bench/jigs.js';
import { CalibrationStore } from '../../src/calibration/calibration.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import type { PhoneModel } from '../../src/catalog/types.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { runReset } from '../../src/machines/run-reset.js';
import { createSimBench, simUnitIds } from '../../src/sim/driver.js';
import { simRun } from '../machines/helpers.js';

/*
 * Issue 8, item 5: a blind bench (no camera, the real bench before this wave) keeps the power on until the reset has
 * completed, powers off at least the profile's off time on every cycle, and still never claims a pass.
 */
const units = new Set(simUnitIds());
const models = getCatalog().models.filter((m) => m.procedure.kind !== 'unsupported' && m.procedure.kind !== 'menu-reset' && units.has(m.id));

describe('blind runs that reset', () => {
  it.each(models.map((m) => m.name))('%s, blind: the unit really resets, and the run is unverified', async (name) => {
    // Where the seeds disagree on the combo a blind bench tries only the first (it cannot see the prompt not coming):
    // the phone here answers to that one.
    const m = getCatalog().find(name);
    const combo = 'combos' in m.procedure && m.procedure.combos.length > 1 ? { combo: m.procedure.combos[0]!.keys } : {};
    const { record, truth } = await simRun({ model: name, mac: '0004f2a1b2c3', seed: 41, blind: true, options: { variant: 'classic', ...combo } });
    expect(record.outcome).toBe('unverified');
    // Blind typing of a keypad phone is a guess at its keypad (no label to read): the classic phone is the seeds'.
    expect(truth.factoryDefaults, `${name}: ${record.summary}`).toBe(true);
  });

  it('every power cycle of a retry is off for at least the profile\'s off time (a base station too)', async () => {
    for (const name of ['VVX D60', 'Rove B1', 'Trio C60', 'VVX 410']) {
      const model = getCatalog().find(name);
      const { sim } = await simRun({ model: name, seed: 3, faults: { misfire: [{ key: Object.keys(sim0(name))[0]!, p: 1 }] } });
      const relay = sim.jig.trace().filter((t) => t.channel === 'relay');
      for (let i = 0; i + 1 < relay.length; i++) {
        if (!relay[i]!.on && relay[i + 1]!.on && i > 0) expect(relay[i + 1]!.t - relay[i]!.t, name).toBeGreaterThanOrEqual(model.timing.powerOffMs);
      }
    }
  });
});

/** The keys the model's default jig has (for a misfire that forces retries). */
function sim0(name: string): Record<string, number> {
  const m = getCatalog().find(name);
  const gesture = 'combos' in m.procedure ? m.procedure.combos[0]!.keys : 'steps' in m.procedure ? m.procedure.steps.flatMap((s) => ('keys' in s ? s.keys : [])) : [];
  return Object.fromEntries(gesture.map((k, i) => [k, i]));
}

const newCalibration = () => new CalibrationStore(join(mkdtempSync(join(tmpdir(), 'resetbot-blind-cal-')), 'calibration.json'));

/** A reset of the seeds' plainest phone of the model, planned by (and, when watched, teaching) the calibration. */
async function classicRun(model: PhoneModel, seed: string, blind: boolean, calibration?: CalibrationStore) {
  const clock = new VirtualClock();
  const mac = '0004f2a1b2c3';
  const sim = createSimBench({ modelId: model.id, mac, fixture: fixtureFor(model), clock, seed, ...(blind ? { blind: true } : {}), options: { variant: 'classic' } });
  await sim.driver.open();
  const record = await clock.runUntil(runReset({ model, mac, bench: sim.bench, clock, ...(calibration ? { calibration } : {}) }));
  return { record, truth: sim.phone.truth(), endedAt: clock.now() };
}

describe('a blind bench that has learned the model (calibration)', () => {
  it('keeps the power on for the longest reset its camera watched, and holds the combo for the longest hold, with margins: shorter than the seeds\' widest, and the phone still resets', async () => {
    for (const name of ['VVX 410', 'SoundPoint IP 335']) {
      const model = getCatalog().find(name);
      const store = newCalibration();
      const run = (seed: string, blind: boolean) => classicRun(model, seed, blind, store);
      // Two phones of the model watched by the camera teach the bench how long their resets took.
      for (const seed of ['watch-1', 'watch-2']) expect((await run(seed, false)).truth.factoryDefaults).toBe(true);
      expect(store.get(model.id)!.seen.resetMs).toBeGreaterThan(0);
      for (const seed of ['blind-1', 'blind-2', 'blind-3']) {
        const { record, truth } = await run(seed, true);
        expect(record.outcome).toBe('unverified');
        // The power stayed on until the reset was done: the phone is at factory defaults when the run lets go of it.
        expect(truth.factoryDefaults, `${name} ${seed}: ${record.summary}`).toBe(true);
        const wait = record.steps.filter((s) => s.step === 'await-reboots').at(-1)!;
        expect(wait.endMs - wait.startMs).toBeLessThan(model.timing.rebootTimeoutMs);
        // And the combo is held for the holds the camera watched (with a margin), not the profile's 16 s.
        const hold = record.steps.filter((s) => s.step === 'hold-combo').at(-1)!;
        expect(hold.endMs - hold.startMs).toBeLessThan(model.timing.comboHoldMs);
      }
    }
  });
});

describe('a blind bench that has learned a step procedure (calibration)', () => {
  it.each(['Trio 8800', 'Edge B20', 'Rove B2', 'VVX D60'])(
    '%s: the blind confirm waits the longest restart the camera watched (with a margin), not the procedure\'s deadline, and the unit has restarted when the run lets go',
    async (name) => {
      const model = getCatalog().find(name);
      const kind = model.procedure.kind;
      const confirmStep = 'steps' in model.procedure ? model.procedure.steps.at(-1) : undefined;
      if (confirmStep?.do !== 'confirm') throw new Error(`${name}: not a step procedure ending in confirm`);
      const store = newCalibration();
      const run = (seed: string, blind: boolean, calibration?: CalibrationStore) => classicRun(model, seed, blind, calibration);
      const confirmOf = (r: Awaited<ReturnType<typeof run>>['record']) => {
        const s = r.steps.filter((x) => x.step === 'confirm').at(-1)!;
        return s.endMs - s.startMs;
      };
      /** The unit reset, restarted, and came back up (an event after its restart) before the run let go of it. */
      const backUp = (t: Awaited<ReturnType<typeof run>>) => {
        const restart = t.truth.events.findIndex((e) => e.what.startsWith('restarting'));
        return t.truth.factoryDefaults && restart >= 0 && t.truth.events.slice(restart + 1).some((e) => e.t <= t.endedAt);
      };

      // Uncalibrated, the blind confirm waits the procedure's whole deadline.
      const before = await run('blind-0', true);
      expect(confirmOf(before.record)).toBe(confirmStep.deadlineMs);

      // Two phones watched by the camera teach how long the restart took.
      for (const seed of ['watch-1', 'watch-2']) {
        const watched = await run(seed, false, store);
        expect(watched.truth.factoryDefaults, `${name} ${seed}: ${watched.record.summary}`).toBe(true);
      }
      const learned = store.get(model.id)!.seen.confirms![kind]!;
      expect(learned.phones).toBe(2);
      expect(learned.ms).toBeGreaterThan(0);

      for (const seed of ['blind-1', 'blind-2', 'blind-3']) {
        const blind = await run(seed, true, store);
        expect(blind.record.outcome).toBe('unverified');
        expect(confirmOf(blind.record)).toBeLessThan(confirmStep.deadlineMs);
        expect(backUp(blind), `${name} ${seed}: the unit had not come back up when the run ended: ${JSON.stringify(blind.truth.events.slice(-3))}`).toBe(true);
      }
    },
  );
});

describe('what counts toward a blind schedule', () => {
  it("a step procedure's watched restarts never stand in for watched resets of the keypad procedure, nor the other way", async () => {
    const { blindConfirmMs, calibratedModel } = await import('../../src/calibration/calibration.js');
    const model = getCatalog().find('VVX 410');
    const store = newCalibration();
    // Two menu resets watched (a step procedure): their restarts are learned, under their own kind and count.
    store.learn(model.id, { confirm: { kind: 'menu-reset', ms: 90_000 } });
    store.learn(model.id, { confirm: { kind: 'menu-reset', ms: 80_000 } });
    expect(store.get(model.id)!.phones).toBe(0);
    expect(store.get(model.id)!.seen.confirms).toEqual({ 'menu-reset': { ms: 90_000, phones: 2 } });
    expect(blindConfirmMs(store.get(model.id), 'menu-reset')).toBe(90_000 * 1.25 + 30_000);
    expect(blindConfirmMs(store.get(model.id), 'reboot')).toBeUndefined();
    // One watched combo reset: not yet enough for the blind reset wait, whatever the menu resets taught.
    store.learn(model.id, { resetMs: 150_000 });
    expect(store.get(model.id)!.phones).toBe(1);
    expect(calibratedModel(model, store.get(model.id)).timing.blindResetMs).toBeUndefined();
    store.learn(model.id, { resetMs: 140_000 });
    expect(calibratedModel(model, store.get(model.id)).timing.blindResetMs).toBe(150_000 * 1.25 + 30_000);
  });
});
