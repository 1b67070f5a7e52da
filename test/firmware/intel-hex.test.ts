import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IntelHexError, parseIntelHex } from '../../src/sim/avr/intel-hex.js';

describe('Intel HEX reader', () => {
  it('reads data records into an image that is 0xFF elsewhere', () => {
    const image = parseIntelHex(':0400100001020304E2\n:00000001FF\n', 32);
    expect([...image.subarray(0x10, 0x14)]).toEqual([1, 2, 3, 4]);
    expect(image[0]).toBe(0xff);
  });

  it('honours extended linear addresses', () => {
    const image = parseIntelHex(':020000040001F9\n:01000000AA55\n:00000001FF\n', 0x10001);
    expect(image[0x10000]).toBe(0xaa);
  });

  it('rejects bad checksums, truncated files and data out of range', () => {
    expect(() => parseIntelHex(':0400100001020304E3\n:00000001FF\n', 32)).toThrow(/checksum/);
    expect(() => parseIntelHex(':0400100001020304E2\n', 32)).toThrow(IntelHexError);
    expect(() => parseIntelHex(':0400100001020304E2\n:00000001FF\n', 16)).toThrow(/does not fit/);
  });

  it('reads the committed firmware', () => {
    const text = readFileSync(new URL('../../firmware/resetbot.hex', import.meta.url), 'utf8');
    const image = parseIntelHex(text, 32 * 1024);
    expect(image[0]).toBe(0x0c); // jmp: the reset vector
  });
});
