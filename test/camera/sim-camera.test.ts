import { afterAll, describe, expect, it } from 'vitest';
import { stopSharedOcr } from '../../src/observe/camera/ocr.js';
import { holdClock } from '../../src/clock/clock.js';
import { getCatalog } from '../../src/catalog/catalog.js';
import { simCameraBench } from '../../src/observe/camera/sim.js';
import { openSimBench } from '../machines/helpers.js';
import { PROCEDURE_RUNS, setupOf } from './corpus.js';
import { cameraRun, perfectRun } from './runs.js';

/*
 * Full runs through the rendered camera path: simulated phone -> rendered display -> camera model -> the reader ->
 * the camera observer -> the machine. A pass counts only when the simulator's truth says factory defaults. Each run
 * reads hundreds of frames (OCR only when the picture changes), so the suite runs one seed a procedure kind;
 * CAMERA_SEEDS=1,2,3 runs more.
 */
afterAll(() => stopSharedOcr());

const SEEDS = (process.env.CAMERA_SEEDS ?? '1').split(',').map(Number);

describe('--sim-camera: every procedure kind seen through the rendered camera path', () => {
  for (const r of PROCEDURE_RUNS) {
    for (const seed of SEEDS) {
      it(`${r.model} (${r.kind}), seed ${seed}: the same outcome as the perfect observer, pass only at factory defaults`, async () => {
        const perfect = await perfectRun(r, seed);
        // The perfect observer resets the phone (pass, or unverified where nothing proves which phone it is): the
        // camera's run is compared with a run that works.
        expect(perfect.truth.factoryDefaults, perfect.record.failure?.reason).toBe(true);
        expect(['pass', 'unverified']).toContain(perfect.record.outcome);
        const seen = await cameraRun(r.model, seed, setupOf(r));
        expect(seen.cam.observer.stats.ocr).toBeGreaterThan(0);
        if (seen.record.outcome === 'pass') expect(seen.truth.factoryDefaults).toBe(true);
        expect(seen.record.outcome, seen.record.failure?.reason).toBe(perfect.record.outcome);
        expect(seen.truth.factoryDefaults).toBe(perfect.truth.factoryDefaults);
        // The record says which observer saw what: the screens it stands on were the camera's.
        const screens = (seen.record.evidence ?? []).filter((e) => e.proof === 'screen');
        expect(screens.length).toBeGreaterThan(0);
        for (const e of screens) expect(e.source).toBe('camera:sim-camera');
      }, 600_000);
    }
  }

  it('a camera that stalls mid-run fails the run as a bench failure and releases every key', async () => {
    const { record, sim, truth } = await cameraRun('VVX 410', 3, { stallAtMs: 20_000 });
    expect(record.outcome).not.toBe('pass');
    expect(record.failure?.class).toBe('bench');
    expect(JSON.stringify(record)).toMatch(/camera sim-camera delivered no frame/);
    expect(sim.jig.energised()).toEqual([]);
    expect(truth.factoryDefaults).toBe(false);
  }, 600_000);
});

describe("the camera observer's fresh look", () => {
  it('an unchanged picture is not read again, unless a machine asks it to look again: then the next frame is read whole', async () => {
    const model = getCatalog().find('VVX 410');
    const { sim, clock } = await openSimBench(model, '0004f2aa814c', { seed: 3 });
    const cam = simCameraBench(sim, clock, { seed: 3, level: 'moderate' });
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    void holdClock(clock, cam.observer.start());
    await clock.runUntil(sim.bench.power(true));
    // Booting, the screens change; wait for a picture that stays (10 s without a change on the phone: booted).
    const shown = () => JSON.stringify(sim.phone.screen());
    let screen = shown();
    let since = clock.now();
    while (clock.now() - since < 10_000) {
      await clock.runUntil(sleep(250));
      if (shown() !== screen) {
        screen = shown();
        since = clock.now();
      }
    }
    const before = { ...cam.observer.stats };
    const lines = cam.observer.lines.stats.read;
    await clock.runUntil(sleep(1_000));
    expect(shown()).toBe(screen);
    expect(cam.observer.stats.ocr).toBe(before.ocr);
    cam.bench.observer!.lookAgain!();
    await clock.runUntil(sleep(400));
    expect(shown()).toBe(screen);
    expect(cam.observer.stats.fresh).toBe(before.fresh + 1);
    expect(cam.observer.stats.ocr).toBe(before.ocr + 1);
    // Every line read by OCR again, none kept from the frames before.
    const textLines = (JSON.parse(screen) as { lines: string[] }).lines.filter((l) => l.trim() !== '').length;
    expect(textLines).toBeGreaterThan(0);
    expect(cam.observer.lines.stats.read - lines).toBeGreaterThanOrEqual(textLines);
    await clock.runUntil(sleep(1_000));
    expect(shown()).toBe(screen);
    expect(cam.observer.stats.ocr).toBe(before.ocr + 1);
    await cam.observer.stop();
  }, 120_000);
});
