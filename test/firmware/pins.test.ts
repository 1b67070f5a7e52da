/** The pin table of the emulated board (src/sim/avr/pins.ts) says what firmware/resetbot/pins.h says. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arduinoPin, BENCH_PINS, SHIFT_REGISTER_COUNT } from '../../src/sim/avr/pins.js';

const header = readFileSync(new URL('../../firmware/resetbot/pins.h', import.meta.url), 'utf8');

function defines(): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of header.matchAll(/^#define (\w+) (\d+)\s*$/gm)) map.set(m[1]!, Number(m[2]));
  return map;
}

describe('pin table', () => {
  it('matches firmware/resetbot/pins.h', () => {
    const d = defines();
    expect({
      srData: d.get('PIN_SR_DATA'),
      srClock: d.get('PIN_SR_CLOCK'),
      srLatch: d.get('PIN_SR_LATCH'),
      srOe: d.get('PIN_SR_OE'),
      relay: d.get('PIN_RELAY'),
      sensor: d.get('PIN_SENSOR'),
    }).toEqual(BENCH_PINS);
    expect(d.get('SHIFT_REGISTER_COUNT')).toBe(SHIFT_REGISTER_COUNT);
  });

  it('puts the pins where the brief wants them on the ATmega328P', () => {
    expect(arduinoPin(BENCH_PINS.srData)).toEqual({ port: 'B', bit: 3 }); // MOSI
    expect(arduinoPin(BENCH_PINS.srClock)).toEqual({ port: 'B', bit: 5 }); // SCK
    expect(arduinoPin(BENCH_PINS.srLatch)).toEqual({ port: 'B', bit: 2 });
    expect(arduinoPin(BENCH_PINS.srOe)).toEqual({ port: 'B', bit: 1 });
    expect(arduinoPin(BENCH_PINS.relay)).toEqual({ port: 'D', bit: 7 });
    expect(arduinoPin(BENCH_PINS.sensor)).toEqual({ port: 'C', bit: 0 }); // A0
  });
});
