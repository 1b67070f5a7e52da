/**
 * What a screen means when a camera read it: OCR slips the words of a screen in ways a perfect screen never does.
 */
import { describe, expect, it } from 'vitest';
import type { ScreenObservation } from '../../src/bench/types.js';
import { readScreen } from '../../src/observe/meaning.js';

describe("a camera's split words", () => {
  const lit = (lines: string[], softkeys: string[] = ['', '', '', '']): ScreenObservation => ({ lines, softkeys, leds: {}, lit: true });

  it('a word OCR split where it lost a thin letter is still the word', () => {
    // Read from rendered frames at moderate degradation (bench/camera-outcomes, VVX 410 seed 8): "Loading" lost its i.
    expect(readScreen(lit(['Load ng Application', 'UC Scttware 596'], ['Cancel', '', '', ''])).kind).toBe('loading');
    expect(readScreen(lit(["Load'ng Application", 'UC Software 596'], ['Cancel', '', '', ''])).cancelKey).toBe('softkey1');
    expect(readScreen(lit(['Start ng Application'])).kind).toBe('starting');
    expect(readScreen(lit(['Start:ng Application'])).kind).toBe('starting');
  });

  it('short neighbours are not joined into a key word', () => {
    expect(readScreen(lit(['Do ne'])).kind).toBe('unknown');
    expect(readScreen(lit(['VVX 410', 'No line registered'], ['New Call', 'Forward', 'DND', 'More'])).kind).toBe('idle');
  });
});
