import { describe, expect, it } from 'vitest';
import { knownLabel, slipCost } from '../../src/observe/camera/labels.js';

describe("softkey labels put right against the phones' own", () => {
  it("OCR's usual slips on a label come back to the label", () => {
    // Each of these was read off a rendered frame in a face the display styles never use (test/camera: the unseen
    // faces probe): the K's stem run into the O, a thin letter lost in blur, an l read as i.
    expect(knownLabel('ox')).toBe('OK');
    expect(knownLabel('0K')).toBe('OK');
    expect(knownLabel('oK')).toBe('OK');
    expect(knownLabel('Ext')).toBe('Exit');
    expect(knownLabel('Seiect')).toBe('Select');
    expect(knownLabel('New Ca')).toBe('New Call');
    expect(knownLabel('Cancei')).toBe('Cancel');
  });

  it('a label the list does not hold, or one too far from any, stands as read', () => {
    // One letter changed into one that does not look like it is another word, not a slip.
    expect(knownLabel('Mode')).toBe('Mode');
    expect(knownLabel('Edit')).toBe('Edit');
    expect(knownLabel('Abort')).toBe('Abort');
    expect(knownLabel('Save')).toBe('Save');
    // Too much lost to tell.
    expect(knownLabel('Ex')).toBe('Ex');
    expect(knownLabel('Stan')).toBe('Stan');
    expect(knownLabel('D\\D')).toBe('D\\D');
    // A mode label is the mode's (meaning.ts reads it), and one letter is anything.
    expect(knownLabel('1>A')).toBe('1>A');
    expect(knownLabel('a 1A')).toBe('a 1A');
    expect(knownLabel('abc')).toBe('abc');
    expect(knownLabel('A')).toBe('A');
  });

  it('a lookalike or a thin letter costs half an edit; anything else one', () => {
    expect(slipCost('ox', 'ok')).toBe(0.5);
    expect(slipCost('ext', 'exit')).toBe(0.5);
    expect(slipCost('mode', 'more')).toBe(1);
    expect(slipCost('ok', 'ok')).toBe(0);
    expect(slipCost('', 'ok')).toBe(2);
    expect(slipCost('it', '')).toBe(1);
  });

  it('a reading as near to two labels as to one is left alone', () => {
    expect(knownLabel('ab', ['ax', 'ay'])).toBe('ab');
    expect(knownLabel('ox', ['OK', 'OX'])).toBe('OX');
  });
});
