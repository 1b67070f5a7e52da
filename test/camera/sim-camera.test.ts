import { afterAll, describe, expect, it } from 'vitest';
import { stopSharedOcr } from '../../src/observe/camera/ocr.js';
import { PROCEDURE_RUNS } from './corpus.js';
import { cameraRun, perfectRun, setupOf } from './runs.js';

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
