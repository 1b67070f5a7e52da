/**
 * An emulated Uno as a Firmata bench sees it: the StandardFirmata image (firmware/third-party/), and the level of
 * every pin, for benches that wire solenoid drivers to the Uno's pins directly instead of through 74HC595s.
 *
 * AvrBoard (board.ts) decodes the pins of resetbot's own bench (shift registers, relay on D7); UnoPinWatcher reads
 * the raw pins through its pin-level hook (onPins, pin()), which follows the board through resets and power.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listeners } from '../../bench/listeners.js';
import { ConfigError } from '../../errors/errors.js';
import type { AvrBoard } from './board.js';
import { arduinoPin } from './pins.js';

/** Arduino Uno pins: D0..D13, then A0..A5 as 14..19. */
export const UNO_PINS = 20;

/** The StandardFirmata image committed with this package (see firmware/third-party/README.md). */
export function standardFirmataPath(): string {
  // src/sim/avr/ and dist/sim/avr/ both sit three levels below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'firmware', 'third-party', 'StandardFirmata.uno.hex');
}

export function loadStandardFirmataHex(path = standardFirmataPath()): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('no-firmware', `cannot read the StandardFirmata image ${path}`, 'reinstall resetbot');
  }
}

/** One pin-level change: the levels of all UNO_PINS pins after it, and the emulated time (ms) it happened. */
export type PinListener = (high: readonly boolean[], changed: readonly number[], timeMs: number) => void;

/**
 * Watches every Uno pin. A pin counts as high only while the MCU drives it high: the bench pulls every driver input
 * down, so an input (with or without the ~35k internal pull-up against the 10k pull-down) and an unpowered board
 * read low.
 */
export class UnoPinWatcher {
  private readonly board: AvrBoard;
  private levels: boolean[] = new Array<boolean>(UNO_PINS).fill(false);
  private readonly listeners = new Listeners<Parameters<PinListener>>();
  private readonly stopWatching: () => void;

  constructor(board: AvrBoard) {
    this.board = board;
    this.stopWatching = board.onPins((timeMs) => this.update(timeMs));
    this.update(board.timeMs());
  }

  /** Whether `pin` is driven high now. */
  high(pin: number): boolean {
    arduinoPin(pin); // validates
    return this.levels[pin]!;
  }

  /** How the MCU treats `pin` now: driving it high or low, or leaving it an input (read low on the bench). */
  mode(pin: number): 'high' | 'low' | 'input' {
    const drive = this.board.pin(pin);
    return drive === 'pull-up' ? 'input' : drive;
  }

  /** The pins driven high now, ascending. */
  highPins(): number[] {
    return this.levels.flatMap((h, pin) => (h ? [pin] : []));
  }

  /** Calls `fn` on every change, with the board's emulated time of the write that caused it. */
  onChange(fn: PinListener): () => void {
    return this.listeners.add(fn);
  }

  dispose(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private update(timeMs: number): void {
    const next = Array.from({ length: UNO_PINS }, (_, pin) => this.board.pin(pin) === 'high');
    const changed = next.flatMap((h, pin) => (h !== this.levels[pin] ? [pin] : []));
    if (changed.length === 0) return;
    this.levels = next;
    this.listeners.emit(next, changed, timeMs);
  }
}
