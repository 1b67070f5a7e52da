import type { Key } from './keys.js';
import { channelsFor, type Fixture } from './fixture.js';
import type { Bench, BenchDriver, Observer } from './types.js';

/** Puts a driver, a jig's fixture and an optional observer together as the Bench the machines use. */
export function createBench(driver: BenchDriver, fixture: Fixture, observer?: Observer): Bench {
  return {
    driver,
    fixture,
    observer,
    press: (keys: Key[], ms: number, signal?: AbortSignal) => driver.press(channelsFor(fixture, keys), ms, signal),
    hold: (keys: Key[]) => driver.hold(channelsFor(fixture, keys)),
    release: (keys: Key[]) => driver.release(channelsFor(fixture, keys)),
    power: (on: boolean) => driver.setPower(on),
    releaseAll: () => driver.releaseAll(),
  };
}
