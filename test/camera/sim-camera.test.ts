import { afterAll, describe, expect, it } from 'vitest';
import { holdClock } from '../../src/clock/clock.js';
import { stopSharedOcr } from '../../src/observe/camera/ocr.js';
import { simCameraBench, type SimCameraBench } from '../../src/observe/camera/sim.js';
import { simRun } from '../machines/helpers.js';

afterAll(() => stopSharedOcr());

async function cameraRun(model: string, seed: number, extra: { stallAtMs?: number; level?: 'none' | 'mild' | 'moderate' } = {}) {
  let cam: SimCameraBench | undefined;
  const run = await simRun({
    model,
    seed,
    bench: (sim, clock) => {
      cam = simCameraBench(sim, clock, { seed, level: extra.level ?? 'mild', ...(extra.stallAtMs !== undefined ? { stallAtMs: extra.stallAtMs } : {}) });
      void holdClock(clock, cam.observer.start());
      return cam.bench;
    },
  });
  await cam!.observer.stop();
  return { ...run, cam: cam! };
}

describe('--sim-camera: the simulated phone seen through the rendered camera path', () => {
  it('resets a VVX 410 (cancel-combo): pass, and the simulator says factory defaults', async () => {
    const { record, truth, cam } = await cameraRun('VVX 410', 1);
    console.log(record.outcome, record.failure, cam.observer.stats.frames, cam.observer.stats.ocr);
    expect(truth.factoryDefaults).toBe(true);
    expect(record.outcome).toBe('pass');
  }, 300_000);
});
