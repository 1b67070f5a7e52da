/**
 * The serialport binding onto an emulated board (serial-binding.ts, with this port's path), so a real
 * `SerialPortStream` and everything stacked on it run unchanged against the firmware in avr8js:
 *
 *   const board = new AvrBoard({ clock });
 *   const port = new SerialPortStream({ binding: createAvrBinding(board), path: AVR_PORT_PATH, baudRate: 115200 });
 *
 * Opening the port powers the board, or resets it as an Uno's DTR does. Bytes move at the line's baud rate in
 * emulated time, so the board's clock must run (a VirtualClock advanced by the test, or a RealClock) for anything to
 * arrive.
 */
import { createBoardBinding, SerialBoardPort, type BoardBinding } from '../serial-binding.js';
import type { AvrBoard } from './board.js';

/** The path the emulated board's port is listed and opened under. */
export const AVR_PORT_PATH = 'avr8js:uno';

export interface AvrBindingOptions {
  /** Default AVR_PORT_PATH. */
  path?: string;
  /** Reset the board when the port opens (DTR auto-reset), as an Uno does unless its reset line is cut. Default true. */
  resetOnOpen?: boolean;
}

/** One open port onto the board. */
export { SerialBoardPort as AvrPortBinding };

export type AvrBinding = BoardBinding;

/** A binding with one port, `path`, wired to `board`. One open at a time, as with a real port's lock. */
export function createAvrBinding(board: AvrBoard, options: AvrBindingOptions = {}): AvrBinding {
  return createBoardBinding(board, {
    path: options.path ?? AVR_PORT_PATH,
    ...(options.resetOnOpen !== undefined ? { resetOnOpen: options.resetOnOpen } : {}),
    manufacturer: 'avr8js',
  });
}
