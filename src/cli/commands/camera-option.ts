import type { PhoneModel } from '../../catalog/types.js';
import type { Clock } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import type { CameraObserver } from '../../observe/camera/observer.js';
import { noteOcrLoaded } from '../../observe/ocr-loaded.js';

/** The camera options of `reset --port` and `doctor --jog`, as commander gives them. */
export interface CameraOpts {
  camera?: string;
  screen?: string;
  softkeys?: string;
  led?: string[];
}

/** The camera observer of --camera (with --screen, --softkeys, --led), or undefined without --camera. */
export async function cameraFor(
  opts: CameraOpts,
  model: PhoneModel | undefined,
  clock: Clock,
): Promise<CameraObserver | undefined> {
  if (opts.camera === undefined) {
    const stray = opts.screen !== undefined ? '--screen' : opts.softkeys !== undefined ? '--softkeys' : opts.led ? '--led' : undefined;
    if (stray) throw new ConfigError('camera-option-without-camera', `${stray} describes a camera, but no --camera was given`, 'add --camera SOURCE, or drop ' + stray);
    return undefined;
  }
  noteOcrLoaded();
  const [{ FfmpegCamera }, { CameraObserver }, { parseCorners, parseLedPoint, parseSoftkeys }, { softkeyCount }] = await Promise.all([
    import('../../observe/camera/capture.js'),
    import('../../observe/camera/observer.js'),
    import('../../observe/camera/calibration.js'),
    import('../../observe/camera/models.js'),
  ]);
  const frames = new FfmpegCamera({ source: opts.camera, clock });
  return new CameraObserver({
    frames,
    clock,
    calibration: {
      corners: opts.screen === undefined ? undefined : parseCorners(opts.screen),
      softkeys: opts.softkeys === undefined ? (model ? softkeyCount(model.family) : 4) : parseSoftkeys(opts.softkeys),
      leds: Object.fromEntries((opts.led ?? []).map(parseLedPoint)),
    },
  });
}

