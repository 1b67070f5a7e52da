/** The 74HC595 chain model behaves as the datasheet says (the decoder the firmware tests rely on). */
import { describe, expect, it } from 'vitest';
import { ShiftRegisterChain, type ShiftRegisterPins } from '../../src/sim/avr/shift-register.js';

/** Shifts `bits` in (first bit first) with clean edges, then latches. */
function load(chain: ShiftRegisterChain, bits: number[], oe = false): void {
  const pins: ShiftRegisterPins = { data: false, clock: false, latch: false, outputDisable: oe };
  for (const b of bits) {
    chain.update({ ...pins, data: b === 1 });
    chain.update({ ...pins, data: b === 1, clock: true });
    chain.update({ ...pins, data: b === 1, clock: false });
  }
  chain.update({ ...pins, latch: true });
  chain.update({ ...pins, latch: false });
}

describe('74HC595 chain', () => {
  it('keeps the outputs off while /OE is high, whatever the registers hold', () => {
    const chain = new ShiftRegisterChain(2, 'ones');
    expect(chain.outputs()).toEqual([]);
    expect(chain.update({ data: false, clock: false, latch: false, outputDisable: false })).toBe(true);
    expect(chain.outputs()).toHaveLength(16);
  });

  it('the last bit shifted lands on channel 0, the first on the last channel', () => {
    const chain = new ShiftRegisterChain(2, 'zeros');
    const bits = Array.from({ length: 16 }, (_, i) => (i === 0 || i === 14 ? 1 : 0)); // channel 15 and channel 1
    load(chain, bits);
    expect(chain.outputs()).toEqual([1, 15]);
  });

  it('changes the outputs only on the latch edge', () => {
    const chain = new ShiftRegisterChain(1, 'zeros');
    load(chain, [0, 0, 0, 0, 0, 0, 0, 1]);
    expect(chain.outputs()).toEqual([0]);
    const pins = { data: true, clock: false, latch: false, outputDisable: false };
    chain.update(pins);
    chain.update({ ...pins, clock: true }); // shifted, not latched
    expect(chain.outputs()).toEqual([0]);
    expect(chain.update({ ...pins, latch: true })).toBe(true);
    expect(chain.outputs()).toEqual([0, 1]);
  });

  it('latches the contents from before a shift when both clocks rise together', () => {
    const chain = new ShiftRegisterChain(1, 'zeros');
    load(chain, [0, 0, 0, 0, 0, 0, 0, 0]);
    chain.update({ data: true, clock: false, latch: false, outputDisable: false });
    chain.update({ data: true, clock: true, latch: true, outputDisable: false });
    expect(chain.outputs()).toEqual([]);
  });

  it('counts data changing on the clock edge as a setup violation', () => {
    const chain = new ShiftRegisterChain(1, 'zeros');
    chain.update({ data: false, clock: false, latch: false, outputDisable: false });
    chain.update({ data: true, clock: true, latch: false, outputDisable: false });
    expect(chain.setupViolations).toBe(1);
  });
});
