/**
 * What a screen means when a camera read it: OCR slips the words of a screen in ways a perfect screen never does.
 */
import { describe, expect, it } from 'vitest';
import type { ScreenObservation } from '../../src/bench/types.js';
import { modeOfLabel, readScreen } from '../../src/observe/meaning.js';

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

describe("a version whose dots a camera's OCR lost", () => {
  const loading = (version: string): ScreenObservation => ({ lines: ['Loading application, please wait', version], softkeys: ['Cancel', '', '', ''], leds: {}, lit: true });

  it('two single digits and a number, with a separator left among them, after UC Software or SIP, are the version', () => {
    // Read from rendered frames at moderate degradation (bench/camera-outcomes, VVX 410 seed 7): 'UC Software 5.9.6'
    // read as '59 6' on six boot screens and '59.6' on one; with no version the reset that happened ended unverified.
    expect(readScreen(loading('UC Software 5.9.6')).software).toBe('5.9.6');
    expect(readScreen(loading('UC Software 59 6')).software).toBe('5.9.6');
    expect(readScreen(loading('UC Software 59.6')).software).toBe('5.9.6');
    expect(readScreen(loading('UC Software 40 15')).software).toBe('4.0.15');
    expect(readScreen(loading('SIP 32 1')).software).toBe('3.2.1');
  });

  it('a number with no separator left, or a first number of two digits, is no version', () => {
    expect(readScreen(loading('UC Software 596')).software).toBeUndefined();
    expect(readScreen(loading('UC Software 510 2')).software).toBeUndefined();
    expect(readScreen(loading('Please wait 59 6')).software).toBeUndefined();
  });
});

describe("a mode label whose 1 a camera's OCR read as a letter", () => {
  // Read from rendered frames at moderate degradation (bench/camera-outcomes, SoundPoint IP 335 seed 12): '1->abc' read
  // 'l->abc' and 'L->abc' while the field stood in the 123 mode, and the typing gave up on the mode twice.
  it('a stroke before the arrow is the digit 1; a mode name stays itself', () => {
    for (const label of ['l->abc', 'L->abc', 'I->abc', '|->abc', 'l -> Aa', 'l23->ABC']) expect(modeOfLabel(label), label).toBe('123');
    expect(modeOfLabel('a->abc')).toBe('abc');
    expect(modeOfLabel('A->abc')).toBe('ABC');
    expect(modeOfLabel('abc->123')).toBe('abc');
    // No head, or a word that is no mode: not known.
    expect(modeOfLabel('->abc')).toBeUndefined();
    expect(modeOfLabel('=>abc')).toBeUndefined();
    expect(modeOfLabel('Lo->abc')).toBeUndefined();
    expect(modeOfLabel('l')).toBeUndefined();
  });
});
