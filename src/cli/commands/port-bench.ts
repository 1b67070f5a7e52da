/**
 * A bench on --port, as `reset`, `reboot` and `provision` open it: the board's driver, and the camera over the display
 * when --camera is given. The camera is set up first (a bad flag or a missing ffmpeg is one line and nothing moved);
 * `close` stops whatever was started, in reverse order, and closes the board.
 */
import type { Command } from 'commander';
import { createBench } from '../../bench/bench.js';
import type { Fixture } from '../../bench/fixture.js';
import { createPortDriver, parseDriverName, type PortDriverName } from '../../bench/open.js';
import type { Bench, BenchDriver } from '../../bench/types.js';
import type { PhoneModel } from '../../catalog/types.js';
import type { Clock } from '../../clock/clock.js';
import type { CameraObserver } from '../../observe/camera/observer.js';
import { stopOcrIfLoaded } from '../../observe/ocr-loaded.js';
import { cameraFor, type CameraOpts } from './camera-option.js';
import { requirePort } from './ports.js';

/** The options that describe a bench on --port: its driver, and the camera over the display. */
export function addPortBenchOptions(cmd: Command): Command {
  return cmd
    .option('--driver <name>', 'with --port: serial (resetbot firmware, the default) or firmata (StandardFirmata)', parseDriverName)
    .option('--camera <source>', 'with --port: the camera over the display: /dev/videoN, an rtsp:// or http:// URL, or a folder of frames')
    .option('--screen <corners>', "with --camera: the display's corners in the camera's pixels, clockwise from the top-left: x1,y1,...,x4,y4")
    .option('--softkeys <n>', "with --camera: softkey cells at the bottom of the display (default: the model's count)")
    .option('--led <name=x,y>', 'with --camera: an LED to watch at a pixel position (repeatable)', (v: string, prev: string[] = []) => [...prev, v]);
}

export interface PortBenchOpts extends CameraOpts {
  driver?: PortDriverName;
}

export interface PortBench<N> {
  bench: Bench;
  driver: BenchDriver;
  camera: CameraObserver | undefined;
  /** What `between` started (the network), if anything. */
  extra: N | undefined;
  close(): Promise<void>;
}

/**
 * Opens the bench on `port`. `between` starts what must be up before the board opens (the bench's network); its
 * `stop` runs first on close, or at once if the board or the camera then fails to start.
 */
export async function openPortBench<N extends { stop(): Promise<void> } = never>(
  port: string,
  fixture: Fixture,
  opts: PortBenchOpts,
  model: PhoneModel | undefined,
  clock: Clock,
  between?: () => Promise<N | undefined>,
): Promise<PortBench<N>> {
  requirePort(port);
  const camera = await cameraFor(opts, model, clock);
  const extra = between ? await between() : undefined;
  let driver: BenchDriver;
  try {
    driver = await createPortDriver({ driver: opts.driver ?? 'serial', port, fixture, clock });
    await driver.open();
  } catch (err) {
    await extra?.stop();
    throw err;
  }
  let bench = createBench(driver, fixture);
  if (camera) {
    try {
      await camera.start();
    } catch (err) {
      await driver.close().catch(() => {});
      await extra?.stop();
      throw err;
    }
    bench = (await import('../../observe/camera/bench.js')).benchWithCamera(bench, camera);
  }
  return {
    bench,
    driver,
    camera,
    extra,
    async close() {
      await extra?.stop();
      if (camera) {
        await camera.stop();
        await stopOcrIfLoaded();
      }
      await driver.close().catch((err: Error) => process.stderr.write(`resetbot: warning: closing the bench: ${err.message}\n`));
    },
  };
}
