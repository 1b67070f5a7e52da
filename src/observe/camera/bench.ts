/**
 * A bench that sees through a camera: the driver and fixture of a bench, with the camera observer as its Observer.
 * When the camera fails (stalls, is lost), the driver reports it as a lost link (the attempt fails as a bench failure
 * and every key is released) and every later command, but releaseAll and close, rejects with the camera's BenchError.
 */
import { createBench } from '../../bench/bench.js';
import type { Bench, BenchDriver, DriverEvent } from '../../bench/types.js';
import type { BenchError } from '../../errors/errors.js';
import { Listeners } from '../../bench/listeners.js';
import { screenObserverOf } from '../screen-observer.js';
import type { CameraObserver } from './observer.js';

export function benchWithCamera(bench: Bench, camera: CameraObserver): Bench {
  const d = bench.driver;
  const events = new Listeners<[DriverEvent]>();
  let failed: BenchError | undefined;
  d.onEvent((e) => events.emit(e));
  camera.onFailure((err) => {
    failed = err;
    events.emit({ kind: 'link-lost', reason: err.oneLine() });
  });
  const guard = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    if (failed) throw failed;
    return fn(...a);
  };
  const driver: BenchDriver = {
    get info() {
      return d.info;
    },
    open: guard(() => d.open()),
    press: guard((channels: number[], ms: number, signal?: AbortSignal) => d.press(channels, ms, signal)),
    hold: guard((channels: number[]) => d.hold(channels)),
    release: guard((channels: number[]) => d.release(channels)),
    setPower: guard((on: boolean) => d.setPower(on)),
    releaseAll: () => d.releaseAll(),
    readSensor: guard(() => d.readSensor()),
    onEvent: (listener) => events.add(listener),
    close: () => d.close(),
  };
  return createBench(driver, bench.fixture, screenObserverOf(camera));
}
