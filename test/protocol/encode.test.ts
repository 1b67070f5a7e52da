import { describe, expect, it } from 'vitest';
import { ResetbotError } from '../../src/errors/errors.js';
import { CommandIds, encodeCommand, encodeStop, MAX_COMMAND_ID } from '../../src/protocol/encode.js';
import { MAX_LINE_LENGTH, STOP_BYTE } from '../../src/protocol/version.js';

describe('encodeCommand', () => {
  it('encodes every command as one line', () => {
    expect(encodeCommand({ op: 'ping', id: 1 })).toBe('ping 1\n');
    expect(encodeCommand({ op: 'version', id: 2 })).toBe('version 2\n');
    expect(encodeCommand({ op: 'press', id: 3, ms: 250, channels: [5, 1, 3, 1] })).toBe('press 3 250 1,3,5\n');
    expect(encodeCommand({ op: 'hold', id: 4, channels: [7] })).toBe('hold 4 7\n');
    expect(encodeCommand({ op: 'release', id: 5, channels: 'all' })).toBe('release 5 all\n');
    expect(encodeCommand({ op: 'release', id: 6, channels: [2, 0] })).toBe('release 6 0,2\n');
    expect(encodeCommand({ op: 'power', id: 7, on: true })).toBe('power 7 on\n');
    expect(encodeCommand({ op: 'power', id: 8, on: false })).toBe('power 8 off\n');
    expect(encodeCommand({ op: 'sensor', id: 9 })).toBe('sensor 9\n');
    expect(encodeCommand({ op: 'state', id: 10 })).toBe('state 10\n');
    expect(encodeCommand({ op: 'wd', id: 11, ms: 1500 })).toBe('wd 11 1500\n');
  });

  it('refuses what no line can carry, as a bug', () => {
    const bad = [
      () => encodeCommand({ op: 'ping', id: 0 }),
      () => encodeCommand({ op: 'ping', id: MAX_COMMAND_ID + 1 }),
      () => encodeCommand({ op: 'ping', id: 1.5 }),
      () => encodeCommand({ op: 'press', id: 1, ms: 0, channels: [1] }),
      () => encodeCommand({ op: 'press', id: 1, ms: 10, channels: [] }),
      () => encodeCommand({ op: 'hold', id: 1, channels: [-1] }),
      () => encodeCommand({ op: 'wd', id: 1, ms: 2.5 }),
    ];
    for (const f of bad) {
      expect(f).toThrow(ResetbotError);
      try {
        f();
      } catch (e) {
        expect((e as ResetbotError).failureClass).toBe('bug');
      }
    }
  });

  it('keeps every line within the firmware limit, even 32 channels with the largest id', () => {
    const all = Array.from({ length: 32 }, (_, i) => i);
    const line = encodeCommand({ op: 'press', id: MAX_COMMAND_ID, ms: 20000, channels: all });
    expect(line.length - 1).toBeLessThanOrEqual(MAX_LINE_LENGTH);
    expect(() => encodeCommand({ op: 'hold', id: 1, channels: Array.from({ length: 60 }, (_, i) => i + 100) })).toThrow(/over the firmware/);
  });

  it('encodes the stop byte', () => {
    expect([...encodeStop()]).toEqual([STOP_BYTE]);
  });
});

describe('CommandIds', () => {
  it('counts from 1 and wraps past the largest id, never giving 0', () => {
    const ids = new CommandIds();
    expect([ids.next(), ids.next()]).toEqual([1, 2]);
    const late = new CommandIds(MAX_COMMAND_ID);
    expect([late.next(), late.next()]).toEqual([MAX_COMMAND_ID, 1]);
  });
});
