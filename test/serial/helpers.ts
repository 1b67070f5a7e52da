/**
 * The serial driver on a VirtualClock against a board that records what really happened: every byte it received,
 * every change of its outputs and relay (the board's truth, not the driver's belief).
 */
import { SerialDriver, type SerialDriverOptions } from '../../src/bench/serial.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { AvrBoard } from '../../src/sim/avr/board.js';
import { AVR_PORT_PATH, createAvrBinding } from '../../src/sim/avr/binding.js';
import {
  createBoardBinding,
  VIRTUAL_PORT_PATH,
  VirtualFirmware,
  type BoardBinding,
  type SerialBoard,
  type VirtualFirmwareOptions,
} from '../../src/sim/virtual-bench.js';
import type { DriverEvent } from '../../src/bench/types.js';

export interface Timed<T> {
  t: number;
  value: T;
}

export interface Rig<B extends SerialBoard> {
  clock: VirtualClock;
  board: B;
  driver: SerialDriver;
  /** Bytes the board received, in order. */
  received: () => string;
  outputs: Timed<readonly number[]>[];
  relay: Timed<boolean>[];
  events: DriverEvent[];
  /** Runs virtual time until the promise settles. */
  run: <T>(p: Promise<T>) => Promise<T>;
  /** Lets `ms` of virtual time pass with everything (driver, stream, board) running. */
  wait: (ms: number) => Promise<void>;
}

function rig<B extends SerialBoard>(clock: VirtualClock, board: B, driver: SerialDriver): Rig<B> {
  let bytes = '';
  const write = board.write.bind(board);
  board.write = (data: Uint8Array | string) => {
    bytes += typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    write(data);
  };
  const outputs: Timed<readonly number[]>[] = [];
  const relay: Timed<boolean>[] = [];
  const events: DriverEvent[] = [];
  board.onChannels((value, t) => outputs.push({ t, value }));
  board.onRelay((value, t) => relay.push({ t, value }));
  driver.onEvent((e) => events.push(e));
  const run = <T>(p: Promise<T>) => clock.runUntil(p, 3_600_000);
  return {
    clock,
    board,
    driver,
    received: () => bytes,
    outputs,
    relay,
    events,
    run,
    wait: (ms) => run(new Promise<void>((resolve) => clock.setTimeout(resolve, ms))),
  };
}

export interface VirtualRig extends Rig<VirtualFirmware> {
  binding: BoardBinding;
}

/** The driver against VirtualFirmware (the protocol in TypeScript). */
export function virtualRig(
  driverOptions: Partial<SerialDriverOptions> = {},
  firmware: Partial<VirtualFirmwareOptions> = {},
  resetOnOpen = true,
): VirtualRig {
  const clock = new VirtualClock();
  const board = new VirtualFirmware({ clock, ...firmware });
  const binding = createBoardBinding(board, { resetOnOpen });
  const driver = new SerialDriver({ path: VIRTUAL_PORT_PATH, clock, binding, ...driverOptions });
  return { ...rig(clock, board, driver), binding };
}

/** The driver against the committed firmware in avr8js. */
export function avrRig(driverOptions: Partial<SerialDriverOptions> = {}): Rig<AvrBoard> {
  const clock = new VirtualClock();
  const board = new AvrBoard({ clock });
  const driver = new SerialDriver({ path: AVR_PORT_PATH, clock, binding: createAvrBinding(board), ...driverOptions });
  return rig(clock, board, driver);
}
