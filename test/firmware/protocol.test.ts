/**
 * The committed firmware/resetbot.hex, run in avr8js on a VirtualClock: banner, every command, every error code,
 * one reply per command line, and the timing of presses measured on the decoded 74HC595 outputs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_ERRORS, protocolErrorCode } from '../../src/protocol/errors.js';
import { checkIdentity, parseIdentity, parseSensorData, parseStateData } from '../../src/protocol/parse.js';
import { FIRMWARE_NAME, FIRMWARE_VERSION, MAX_LINE_LENGTH, PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { FirmwareHarness } from './harness.js';

let h: FirmwareHarness;

beforeEach(() => {
  h = new FirmwareHarness();
  h.boot();
});

function err(line: string): { code: number; message: string } {
  const reply = h.command(line);
  expect(reply.kind, `reply to '${line}'`).toBe('err');
  if (reply.kind !== 'err') throw new Error('unreachable');
  return { code: reply.code, message: reply.message };
}

function ok(line: string): string {
  const reply = h.command(line);
  expect(reply, `reply to '${line}'`).toMatchObject({ kind: 'ok' });
  return reply.kind === 'ok' ? reply.data : '';
}

describe('banner and identity', () => {
  it('prints a banner on power-on that this host accepts', () => {
    const banner = h.lines[0]!.value;
    expect(banner.kind).toBe('banner');
    if (banner.kind !== 'banner') return;
    expect(checkIdentity(banner.identity)).toEqual({
      name: FIRMWARE_NAME,
      version: FIRMWARE_VERSION,
      protocol: PROTOCOL_VERSION,
      channels: 32,
      maxHoldMs: 20000,
      watchdogMs: 3000,
    });
  });

  it('answers version with the banner identity', () => {
    const banner = h.lines[0]!.value;
    const data = ok('version 7');
    expect(banner.kind === 'banner' && parseIdentity(data)).toEqual(banner.kind === 'banner' ? banner.identity : undefined);
  });

  it('boots in the safe state: no output ever on, relay never on (registers power up full of ones)', () => {
    expect(h.channels.every((c) => c.value.length === 0)).toBe(true);
    expect(h.relay.every((r) => !r.value)).toBe(true);
    expect(h.board.channels()).toEqual([]);
    expect(h.board.relay()).toBe(false);
    expect(parseStateData(ok('state 1'))).toEqual({ on: [], power: false, watchdogMs: 3000, presses: [] });
  });

  it('prints a banner again after an external reset', () => {
    const from = h.lines.length;
    h.clock.advance(10);
    h.board.reset();
    h.runUntilLine((l) => l.kind === 'banner');
    expect(h.lines.slice(from).map((l) => l.value.kind)).toEqual(['banner']);
  });
});

describe('commands', () => {
  it('ping', () => {
    expect(ok('ping 1')).toBe('');
  });

  it('power on and off switch the relay pin', () => {
    ok('power 2 on');
    expect(h.board.relay()).toBe(true);
    expect(parseStateData(ok('state 3')).power).toBe(true);
    ok('power 4 off');
    expect(h.board.relay()).toBe(false);
  });

  it('sensor reads A0', () => {
    for (const value of [0, 1, 512, 1023]) {
      h.board.setAnalog(0, value);
      expect(parseSensorData(ok(`sensor ${value + 10}`))).toBe(value);
    }
  });

  it('hold and release, reported by state and seen on the outputs', () => {
    ok('hold 1 4,2');
    expect(h.board.channels()).toEqual([2, 4]);
    ok('hold 2 31');
    expect(parseStateData(ok('state 3'))).toMatchObject({ on: [2, 4, 31], presses: [] });
    ok('release 4 4');
    expect(h.board.channels()).toEqual([2, 31]);
    ok('release 5 all');
    expect(h.board.channels()).toEqual([]);
    ok('release 6 7'); // releasing an idle channel is fine
  });

  it('wd sets the host watchdog', () => {
    ok('wd 1 500');
    expect(parseStateData(ok('state 2')).watchdogMs).toBe(500);
  });

  it('accepts \\r\\n line ends and ignores blank lines', () => {
    const from = h.lines.length;
    h.send('\n   \r\n');
    h.clock.advance(20);
    expect(h.lines.length).toBe(from);
    expect(h.command('ping 9\r').kind).toBe('ok');
  });

  it('answers every command line exactly once, in order', () => {
    const lines = [
      'ping 1',
      'version 2',
      'hold 3 5',
      'hold 4 5',
      'press 5 50 6',
      'state 6',
      'frobnicate 7',
      'release 8 all',
      'sensor 9',
      'power 10 on',
      'wd 11 2000',
      'press 12 20001 1',
      'hold 13 99',
      'power 14 off',
    ];
    const from = h.lines.length;
    for (const line of lines) h.command(line);
    h.clock.advance(200); // anything late would show up now
    const replies = h.repliesSince(from);
    expect(replies.map((r) => r.id)).toEqual(lines.map((_, i) => i + 1));
  });

  it('prints only lines the host parser understands', () => {
    ok('press 1 10 1');
    ok('hold 2 3');
    err('bogus 3');
    h.send('\x18');
    h.clock.advance(50);
    expect(h.lines.filter((l) => l.value.kind === 'unparsable' || l.value.kind === 'comment')).toEqual([]);
  });
});

describe('error codes', () => {
  const code = protocolErrorCode;

  it('every error carries its code and the table message', () => {
    const cases: [string, number][] = [
      ['jump 5', code('unknown-command')],
      ['press 5', code('bad-argument')],
      ['hold 5 32', code('channel-out-of-range')],
      ['press 5 20001 1', code('duration-over-max')],
    ];
    for (const [line, expected] of cases) {
      const e = err(line);
      expect(e.code).toBe(expected);
      expect(e.message).toBe(PROTOCOL_ERRORS.find((x) => x.code === expected)!.message);
    }
  });

  it('unknown command', () => {
    expect(err('jump 1').code).toBe(code('unknown-command'));
    expect(err('PING 2').code).toBe(code('unknown-command'));
  });

  it('bad id: reply id 0', () => {
    for (const line of ['ping', 'ping x', 'ping 0', 'ping 4294967296', 'ping -1', '\x01\x02garbage']) {
      const from = h.lines.length;
      h.send(`${line}\n`);
      const reply = h.runUntilLine((l) => l.kind === 'err').value;
      expect(reply, line).toMatchObject({ kind: 'err', id: 0, code: code('bad-id') });
      expect(h.repliesSince(from)).toHaveLength(1);
    }
    expect(ok('ping 4294967295')).toBe('');
  });

  it('bad argument', () => {
    for (const line of [
      'ping 1 extra',
      'press 2 100',
      'press 3 abc 1',
      'press 4 0 1',
      'press 5 100 1,,2',
      'press 6 100 1 2',
      'hold 7',
      'hold 8 a',
      'release 9 1,',
      'power 10 maybe',
      'wd 11 99',
      'sensor 12 0',
    ]) {
      expect(err(line).code, line).toBe(code('bad-argument'));
    }
  });

  it('channel out of range', () => {
    for (const line of ['hold 1 32', 'press 2 100 1,40', 'release 3 99999999999']) {
      expect(err(line).code, line).toBe(code('channel-out-of-range'));
    }
    expect(h.board.channels()).toEqual([]);
  });

  it('duration over max', () => {
    for (const line of ['press 1 20001 1', 'press 2 99999999999 1', 'wd 3 20001']) {
      expect(err(line).code, line).toBe(code('duration-over-max'));
    }
    expect(ok('press 4 20000 1')).toBe('');
  });

  it('busy: a channel already on', () => {
    ok('hold 1 3');
    expect(err('press 2 100 2,3').code).toBe(code('busy'));
    expect(err('hold 3 3').code).toBe(code('busy'));
    expect(h.board.channels()).toEqual([3]);
  });

  it('too many presses', () => {
    for (let i = 0; i < 8; i++) ok(`press ${i + 1} 5000 ${i}`);
    expect(err('press 9 5000 9').code).toBe(code('too-many-presses'));
    expect(h.board.channels()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('line too long: discarded up to its newline, answered once, and the board carries on', () => {
    const long = `press 42 100 ${'1,'.repeat(80)}1`;
    expect(long.length).toBeGreaterThan(MAX_LINE_LENGTH);
    expect(err(long).code).toBe(code('line-too-long'));
    expect(h.board.channels()).toEqual([]);
    // Without a readable id inside the kept part, the reply has id 0.
    const from = h.lines.length;
    h.send(`${'x'.repeat(500)}\n`);
    expect(h.runUntilLine((l) => l.kind === 'err').value).toMatchObject({ id: 0, code: code('line-too-long') });
    expect(h.repliesSince(from)).toHaveLength(1);
    expect(ok('ping 43')).toBe('');
  });
});

describe('the serial line out of the board', () => {
  it('stamps each batch with the end of its last byte, heard at the end of the slice', () => {
    const sliceMs = 5;
    const harness = new FirmwareHarness({ sliceMs });
    const batches: { bytes: number; t: number; heardAt: number }[] = [];
    harness.board.onSerialData((data, t) => batches.push({ bytes: data.length, t, heardAt: harness.clock.now() }));
    harness.boot();
    expect(batches.length).toBeGreaterThan(1);
    // A byte is 10 bits on the line; the receiver takes up to 4.5 % off the nominal 115200 baud.
    const fastestByteMs = 10_000 / (115200 * 1.045);
    for (const [i, b] of batches.entries()) {
      expect(b.t).toBeLessThanOrEqual(b.heardAt);
      expect(b.heardAt - b.t).toBeLessThan(sliceMs);
      // The banner goes out back to back: each batch's last byte ends at least its bytes' line time after the last.
      if (i > 0) expect(b.t - batches[i - 1]!.t).toBeGreaterThanOrEqual(b.bytes * fastestByteMs);
    }
    // Not the slice's end: the stamps fall between the clock's slice boundaries.
    expect(batches.filter((b) => b.t < b.heardAt).length).toBeGreaterThan(0);
  });
});

describe('timed presses (measured on the decoded 74HC595 outputs)', () => {
  it('switches three channels on at one latch edge and off together after the time', () => {
    const sentAt = h.clock.now();
    ok('press 7 250 1,3,5');
    const done = h.runUntilLine((l) => l.kind === 'event' && l.event.type === 'done', 1000);
    expect(done.value).toMatchObject({ event: { type: 'done', id: 7, reason: 'time' } });
    const changes = h.channelChangesSince(sentAt);
    expect(changes.map((c) => c.value)).toEqual([[1, 3, 5], []]);
    const held = changes[1]!.t - changes[0]!.t;
    expect(held).toBeGreaterThanOrEqual(250);
    expect(held).toBeLessThan(252);
    expect(h.board.shiftSetupViolations).toBe(0);
  });

  it('replies ok as the channels go on, before they go off', () => {
    const sentAt = h.clock.now();
    h.send('press 3 100 9\n');
    const reply = h.runUntilLine((l) => l.kind === 'ok');
    const [on] = h.channelChangesSince(sentAt);
    expect(on!.value).toEqual([9]);
    expect(reply.t).toBeGreaterThanOrEqual(on!.t);
    expect(reply.t - on!.t).toBeLessThan(2);
    expect(h.board.channels()).toEqual([9]);
  });

  it('ends early on release, with one done event', () => {
    ok('press 1 5000 2,4');
    h.clock.advance(100);
    ok('release 2 4');
    expect(h.board.channels()).toEqual([2]);
    expect(h.events().filter((e) => e.value.type === 'done')).toEqual([]);
    ok('release 3 2');
    h.clock.advance(6000);
    expect(h.events().filter((e) => e.value.type === 'done').map((e) => e.value)).toEqual([{ type: 'done', id: 1, reason: 'release' }]);
  });

  it('runs presses side by side, each on its own time', () => {
    const sentAt = h.clock.now();
    ok('press 1 300 1');
    ok('press 2 100 2');
    h.clock.advance(500);
    const changes = h.channelChangesSince(sentAt).map((c) => c.value);
    expect(changes).toEqual([[1], [1, 2], [1], []]);
    expect(h.events().map((e) => e.value)).toEqual([
      { type: 'done', id: 2, reason: 'time' },
      { type: 'done', id: 1, reason: 'time' },
    ]);
  });
});
