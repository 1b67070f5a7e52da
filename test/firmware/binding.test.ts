/**
 * A real SerialPortStream (serialport 13) with the readline parser, talking to the firmware in avr8js through
 * createAvrBinding, on a VirtualClock.
 */
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { encodeCommand } from '../../src/protocol/encode.js';
import { parseLine, type BoardLine } from '../../src/protocol/parse.js';
import { AvrBoard } from '../../src/sim/avr/board.js';
import { AVR_PORT_PATH, createAvrBinding } from '../../src/sim/avr/binding.js';

function setup(baudRate = 115200) {
  const clock = new VirtualClock();
  const board = new AvrBoard({ clock });
  const binding = createAvrBinding(board);
  const port = new SerialPortStream({ binding, path: AVR_PORT_PATH, baudRate, autoOpen: false });
  const lines: BoardLine[] = [];
  port.pipe(new ReadlineParser({ delimiter: '\n' })).on('data', (l: string) => lines.push(parseLine(l)));
  /** Resolves once `n` lines have arrived (a clock timer polls, so runUntil can wait on it). */
  const linesReach = (n: number) =>
    new Promise<void>((resolve) => {
      const poll = () => (lines.length >= n ? resolve() : clock.setTimeout(poll, 1));
      poll();
    });
  const open = () => clock.runUntil(new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve()))));
  const close = () => new Promise<void>((resolve, reject) => port.close((e) => (e ? reject(e) : resolve())));
  return { clock, board, binding, port, lines, linesReach, open, close };
}

describe('serialport binding onto the emulated board', () => {
  it('opens, reads the banner, and runs commands through a real SerialPortStream', async () => {
    const { clock, board, port, lines, linesReach, open, close } = setup();
    await open();
    await clock.runUntil(linesReach(1), 1000);
    expect(lines[0]!.kind).toBe('banner');
    port.write(encodeCommand({ op: 'press', id: 1, ms: 40, channels: [3, 1] }));
    await clock.runUntil(linesReach(3), 1000);
    expect(lines.slice(1)).toMatchObject([
      { kind: 'ok', id: 1 },
      { kind: 'event', event: { type: 'done', id: 1, reason: 'time' } },
    ]);
    expect(board.channels()).toEqual([]);
    await close();
    board.powerOff();
  });

  it('resets the board on every open (DTR) and on a DTR pulse', async () => {
    const { clock, board, port, lines, linesReach, open, close } = setup();
    const resets: string[] = [];
    board.onReset((cause) => resets.push(cause));
    await open();
    await clock.runUntil(linesReach(1), 1000);
    await close();
    await open();
    await clock.runUntil(linesReach(2), 1000);
    await clock.runUntil(new Promise<void>((r) => port.set({ dtr: false }, () => r())));
    await clock.runUntil(new Promise<void>((r) => port.set({ dtr: true }, () => r())));
    await clock.runUntil(linesReach(3), 1000);
    expect(lines.map((l) => l.kind)).toEqual(['banner', 'banner', 'banner']);
    expect(resets).toEqual(['power-on', 'external', 'external']);
    await close();
    board.powerOff();
  });

  it('drain resolves once the bytes have reached the board', async () => {
    const { clock, board, port, open, close } = setup();
    await open();
    port.write('ping 1\nping 2\nping 3\n');
    await clock.runUntil(new Promise<void>((r) => port.drain(() => r())), 1000);
    expect(board.rxPending()).toBe(0);
    await close();
    board.powerOff();
  });

  it('hears nothing at the wrong baud rate', async () => {
    const { clock, board, lines, open, close } = setup(9600);
    await open();
    clock.advance(200);
    await clock.runUntil(Promise.resolve());
    expect(lines).toEqual([]);
    expect(board.stats.lostBytes).toBeGreaterThan(0);
    await close();
    board.powerOff();
  });

  it('lists one port and refuses a second open', async () => {
    const { binding, open, close, board } = setup();
    expect((await binding.list()).map((p) => p.path)).toEqual([AVR_PORT_PATH]);
    await open();
    await expect(binding.open({ path: AVR_PORT_PATH, baudRate: 115200 })).rejects.toThrow(/locked/);
    await expect(binding.open({ path: '/dev/ttyUSB0', baudRate: 115200 })).rejects.toThrow(/no such port/);
    await close();
    board.powerOff();
  });
});
