/**
 * `--sim-camera`: a simulated bench whose observer is the real camera pipeline. The simulated phone's display is
 * rendered, photographed by the seeded camera model (src/sim/render), and read by the same reader and observer a
 * real camera uses; the calibration is what a technician would set for that mount (a pixel or so off).
 */
import type { Clock } from '../../clock/clock.js';
import type { SimBench } from '../../sim/driver.js';
import { SimCamera, type Degradation } from '../../sim/render/camera.js';
import type { Bench } from '../../bench/types.js';
import { benchWithCamera } from './bench.js';
import { CameraObserver } from './observer.js';
import type { OcrPool } from './ocr.js';

export interface SimCameraOptions {
  seed: number | string;
  level?: Degradation;
  fps?: number;
  /** The camera stops delivering at this clock time (tests). */
  stallAtMs?: number;
  agree?: number;
  /** Softkey cells (default: 4, none on the touch-screen units). */
  softkeys?: number;
  ocr?: OcrPool;
}

export interface SimCameraBench {
  bench: Bench;
  camera: SimCamera;
  observer: CameraObserver;
}

/** The sim bench seen through a simulated camera. Start the observer (`clock.hold(observer.start())`) before the run. */
export function simCameraBench(sim: SimBench, clock: Clock, opts: SimCameraOptions): SimCameraBench {
  const camera = new SimCamera(sim.phone, clock, {
    seed: `${opts.seed}:camera`,
    level: opts.level ?? 'mild',
    ...(opts.fps !== undefined ? { fps: opts.fps } : {}),
    ...(opts.stallAtMs !== undefined ? { stallAtMs: opts.stallAtMs } : {}),
  });
  const cal = camera.calibration();
  const softkeys = opts.softkeys ?? (camera.style.name === 'trio' || camera.style.name === 'ccx' ? 0 : 4);
  const observer = new CameraObserver({
    frames: camera,
    clock,
    calibration: { corners: cal.corners, softkeys, leds: cal.leds },
    ...(opts.agree !== undefined ? { agree: opts.agree } : {}),
    ...(opts.ocr ? { ocr: opts.ocr } : {}),
  });
  return { bench: benchWithCamera(sim.bench, observer), camera, observer };
}
