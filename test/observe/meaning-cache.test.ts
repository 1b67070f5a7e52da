/**
 * readScreen remembers what it made of a screen object. The simulator hands every listener the same frozen object, and
 * readers differ in the patterns they read it under (the keypad machine a model's, the typing none): each must get
 * the meaning under its own patterns, whoever read the object first.
 */
import { describe, expect, it } from 'vitest';
import type { ScreenObservation } from '../../src/bench/types.js';
import { readScreen } from '../../src/observe/meaning.js';

const screen = (): ScreenObservation => Object.freeze({ lines: ['Zorbulated'], softkeys: ['', '', '', ''], leds: {}, lit: true });
/** A model whose own pattern says this wording means the reset is done. */
const patterns = { resetDone: '^zorbulated$' };

describe('readScreen on one object read under different patterns', () => {
  it('the meaning follows the patterns asked for, in any order of readers', () => {
    expect(readScreen(screen(), patterns).kind).toBe('reset-done');
    expect(readScreen(screen()).kind).toBe('unknown');
    for (const order of [
      [patterns, undefined, patterns, undefined],
      [undefined, patterns, undefined, patterns],
      [undefined, undefined, patterns, patterns, undefined],
    ]) {
      const s = screen();
      for (const p of order) expect(readScreen(s, p).kind).toBe(p ? 'reset-done' : 'unknown');
    }
  });

  it('a third set of patterns on the same object is read under its own', () => {
    const s = screen();
    const other = { resetting: 'zorbul' };
    expect(readScreen(s, patterns).kind).toBe('reset-done');
    expect(readScreen(s).kind).toBe('unknown');
    expect(readScreen(s, other).kind).toBe('resetting');
    expect(readScreen(s, patterns).kind).toBe('reset-done');
  });
});
