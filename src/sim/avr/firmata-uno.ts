/**
 * An emulated Uno as a Firmata bench sees it: the StandardFirmata image (firmware/third-party/), and the level of
 * every pin, for benches that wire solenoid drivers to the Uno's pins directly instead of through 74HC595s.
 *
 * AvrBoard (board.ts) decodes the pins of resetbot's own bench (shift registers, relay on D7) and has no public hook
 * for raw pin levels, so UnoPinWatcher reads its avr8js GPIO ports through one guarded accessor (boardPorts). It
 * follows the board through resets: AvrBoard rebuilds the MCU, ports included, on every reset.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinState, type AVRIOPort } from 'avr8js';
import { ConfigError } from '../../errors/errors.js';
import type { AvrBoard } from './board.js';
import { arduinoPin, type PortName } from './pins.js';

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

type Ports = Record<PortName, AVRIOPort>;

/** The avr8js ports of the board's current MCU. */
function boardPorts(board: AvrBoard): Ports {
  const ports = (board as unknown as { ports?: Partial<Ports> }).ports;
  if (!ports?.B || !ports.C || !ports.D) {
    throw new Error('AvrBoard no longer keeps its avr8js ports in `ports`: UnoPinWatcher needs a pin-level hook on AvrBoard');
  }
  return ports as Ports;
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
  private readonly listeners = new Set<PinListener>();
  private attached: { port: AVRIOPort; fn: () => void }[] = [];
  private readonly stopResets: () => void;

  constructor(board: AvrBoard) {
    this.board = board;
    this.attach();
    this.stopResets = board.onReset(() => this.attach());
  }

  /** Whether `pin` is driven high now. */
  high(pin: number): boolean {
    arduinoPin(pin); // validates
    return this.levels[pin]!;
  }

  /** How the MCU treats `pin` now: driving it high or low, or leaving it an input (read low on the bench). */
  mode(pin: number): 'high' | 'low' | 'input' {
    const { port, bit } = arduinoPin(pin);
    if (!this.board.powered) return 'input';
    const state = boardPorts(this.board)[port].pinState(bit);
    return state === PinState.High ? 'high' : state === PinState.Low ? 'low' : 'input';
  }

  /** The pins driven high now, ascending. */
  highPins(): number[] {
    return this.levels.flatMap((h, pin) => (h ? [pin] : []));
  }

  /** Calls `fn` on every change, with the board's emulated time of the write that caused it. */
  onChange(fn: PinListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  dispose(): void {
    this.stopResets();
    this.detach();
    this.listeners.clear();
  }

  private attach(): void {
    this.detach();
    const ports = boardPorts(this.board);
    for (const port of Object.values(ports)) {
      const fn = (): void => this.update();
      port.addListener(fn);
      this.attached.push({ port, fn });
    }
    this.update();
  }

  private detach(): void {
    for (const { port, fn } of this.attached) port.removeListener(fn);
    this.attached = [];
  }

  private update(): void {
    const ports = boardPorts(this.board);
    const next = Array.from({ length: UNO_PINS }, (_, pin) => {
      if (!this.board.powered) return false;
      const { port, bit } = arduinoPin(pin);
      return ports[port].pinState(bit) === PinState.High;
    });
    const changed = next.flatMap((h, pin) => (h !== this.levels[pin] ? [pin] : []));
    if (changed.length === 0) return;
    this.levels = next;
    const t = this.board.timeMs();
    for (const fn of [...this.listeners]) fn(next, changed, t);
  }
}
