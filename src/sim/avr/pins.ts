/**
 * The bench's pin table as the emulated board sees it. It must say what firmware/resetbot/pins.h says
 * (test/firmware/pins.test.ts checks), since the emulator decodes the firmware's pins through it.
 */
export const BENCH_PINS = {
  /** 74HC595 SER of the first register. */
  srData: 11,
  /** 74HC595 SRCLK of every register. */
  srClock: 13,
  /** 74HC595 RCLK of every register. */
  srLatch: 10,
  /** 74HC595 /OE of every register (active low, 10k pull-up on the board). */
  srOe: 9,
  /** Relay driver input, HIGH = phone powered (10k pull-down on the board). */
  relay: 7,
  /** Analog sensor, A0. */
  sensor: 14,
} as const;

/** 74HC595 registers in the chain. */
export const SHIFT_REGISTER_COUNT = 4;

export type PortName = 'B' | 'C' | 'D';

/** Where an Arduino Uno pin number (D0..D13, A0..A5 = 14..19) lives on the ATmega328P. */
export function arduinoPin(pin: number): { port: PortName; bit: number } {
  if (!Number.isInteger(pin) || pin < 0 || pin > 19) throw new RangeError(`no Arduino Uno pin ${pin}`);
  if (pin < 8) return { port: 'D', bit: pin };
  if (pin < 14) return { port: 'B', bit: pin - 8 };
  return { port: 'C', bit: pin - 14 };
}
