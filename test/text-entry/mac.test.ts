import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/errors.js';
import { formatMac, parseMac } from '../../src/text-entry/mac.js';

/** Runs `fn`, expecting a ConfigError; returns it for further checks. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseMac', () => {
  it.each([
    '00-04-F2-AA-81-4C',
    '00:04:f2:aa:81:4c',
    '0004.f2aa.814c',
    '0004F2AA814C',
    '0004f2aa814c',
    '  00-04-F2-AA-81-4C \n',
    '\t0004F2AA814C ',
    '00 04 F2 AA 81 4C',
  ])('reads %j as 0004f2aa814c with no warning', (input) => {
    expect(parseMac(input)).toEqual({ mac: '0004f2aa814c', warnings: [] });
  });

  it('says how many hex digits a short or long MAC has', () => {
    const short = configError(() => parseMac('0004F2AA81'));
    expect(short.code).toBe('bad-mac');
    expect(short.message).toBe("MAC '0004F2AA81' has 10 hex digits, needs 12");
    expect(short.hint).toContain('12 hex digits from the label');
    const long = configError(() => parseMac('00-04-F2-AA-81-4C-00'));
    expect(long.message).toBe("MAC '00-04-F2-AA-81-4C-00' has 14 hex digits, needs 12");
    expect(configError(() => parseMac('0')).message).toBe("MAC '0' has 1 hex digit, needs 12");
  });

  it('names the first non-hex character', () => {
    const err = configError(() => parseMac('0004F2AA81GZ'));
    expect(err.code).toBe('bad-mac');
    expect(err.message).toBe("MAC '0004F2AA81GZ' has a non-hex character 'G'");
    expect(err.hint).toContain('e.g. 0004F2AA814C');
    expect(configError(() => parseMac('00_04_F2_AA_81_4C')).message).toContain("non-hex character '_'");
  });

  it('points at O for 0 and I/l for 1, the label misreadings', () => {
    expect(configError(() => parseMac('OOO4F2AA814C')).hint).toContain('digit 0');
    expect(configError(() => parseMac('0004F2AA8I4C')).hint).toContain('digit 1');
  });

  it('rejects an empty MAC with the hint', () => {
    for (const input of ['', '   ', '\n']) {
      const err = configError(() => parseMac(input));
      expect(err.code).toBe('bad-mac');
      expect(err.message).toBe('MAC is empty');
      expect(err.hint).toContain('12 hex digits');
    }
    expect(configError(() => parseMac('--::..')).message).toContain('has 0 hex digits');
  });

  it('keeps the whole message on one line', () => {
    const err = configError(() => parseMac('0004F2AA81\n'));
    expect(err.oneLine()).not.toContain('\n');
  });

  it('accepts the Polycom/Poly OUIs without a warning', () => {
    for (const mac of ['0004F2123456', '64167F31A96D', '48:25:67:30:75:7F', '00E0DB000001', '00101A000001']) {
      expect(parseMac(mac).warnings).toEqual([]);
    }
  });

  it('warns, without failing, on an OUI that is not Poly', () => {
    const { mac, warnings } = parseMac('A0-B1-C2-D3-E4-F5');
    expect(mac).toBe('a0b1c2d3e4f5');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('A0B1C2D3E4F5');
    expect(warnings[0]).toContain('0004F2');
    expect(warnings[0]).toContain('64167F');
    // One digit off a real OUI is exactly the typo this catches.
    expect(parseMac('0004F3AA814C').warnings).toHaveLength(1);
  });
});

describe('formatMac', () => {
  it('formats in each style, upper case by default', () => {
    expect(formatMac('0004f2aa814c', 'colon')).toBe('00:04:F2:AA:81:4C');
    expect(formatMac('0004f2aa814c', 'dash')).toBe('00-04-F2-AA-81-4C');
    expect(formatMac('0004f2aa814c', 'plain')).toBe('0004F2AA814C');
    expect(formatMac('0004f2aa814c', 'colon', 'lower')).toBe('00:04:f2:aa:81:4c');
  });

  it('accepts any spelling and round-trips through parseMac', () => {
    expect(formatMac('0004.F2AA.814C', 'dash', 'lower')).toBe('00-04-f2-aa-81-4c');
    for (const style of ['colon', 'dash', 'plain'] as const) {
      expect(parseMac(formatMac('64167f31a96d', style)).mac).toBe('64167f31a96d');
    }
    expect(() => formatMac('0004F2', 'plain')).toThrow(ConfigError);
  });
});
