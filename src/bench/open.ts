/**
 * Opening a real bench from the command line's words: a driver by name (`serial`: resetbot's firmware; `firmata`:
 * StandardFirmata through johnny-five), a port, and the jig's fixture. The simulator's bench is built by
 * createSimBench (src/sim/driver.ts); `sim serve` puts a virtual bench behind a port, which opens here like a board.
 * (Batch station files open the same drivers through src/batch/stations.ts.)
 */
import type { Clock } from '../clock/clock.js';
import { ConfigError, nearest } from '../errors/errors.js';
import type { Fixture } from './fixture.js';
import type { BenchDriver } from './types.js';

/** Drivers that talk to a board on a port. */
export const PORT_DRIVERS = ['serial', 'firmata'] as const;
export type PortDriverName = (typeof PORT_DRIVERS)[number];

/** `--driver` values: a ConfigError naming the drivers for anything else. */
export function parseDriverName(value: string): PortDriverName {
  if ((PORT_DRIVERS as readonly string[]).includes(value)) return value as PortDriverName;
  throw new ConfigError(
    'unknown-driver',
    `unknown bench driver '${value}'`,
    `use --driver serial (resetbot firmware) or --driver firmata (StandardFirmata); nearest: ${nearest(value, PORT_DRIVERS, 1).join('')}`,
  );
}

export interface PortDriverOptions {
  driver: PortDriverName;
  /** The serial port, e.g. /dev/ttyUSB0, or the pseudo-terminal of `resetbot sim serve`. */
  port: string;
  /** The jig's fixture: the board must drive every channel it uses. */
  fixture?: Fixture;
  clock: Clock;
}

/** The highest channel a fixture's keys use, plus one: what the board must drive. */
export function channelsNeeded(fixture: Fixture): number {
  return Math.max(0, ...Object.values(fixture.keys).map((c) => c + 1));
}

/**
 * A driver for the board on `port`, not yet opened. The drivers' modules (serialport's native binding; firmata-io and
 * johnny-five) load only here, so commands that never open a port do not pay for them.
 */
export async function createPortDriver(options: PortDriverOptions): Promise<BenchDriver> {
  switch (options.driver) {
    case 'serial': {
      const { SerialDriver } = await import('./serial.js');
      return new SerialDriver({
        path: options.port,
        clock: options.clock,
        ...(options.fixture ? { needChannels: channelsNeeded(options.fixture) } : {}),
      });
    }
    case 'firmata': {
      const { createFirmataDriver } = await import('./firmata.js');
      return createFirmataDriver({ port: options.port, clock: options.clock, ...(options.fixture ? { fixture: options.fixture } : {}) });
    }
  }
}
