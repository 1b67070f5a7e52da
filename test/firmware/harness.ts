/**
 * Drives the committed firmware in the emulated board on a VirtualClock, line by line, and records what the board's
 * pins did (decoded 74HC595 outputs, relay) in emulated time: the simulator's truth, not the firmware's replies.
 */
import { VirtualClock } from '../../src/clock/clock.js';
import { parseLine, type BoardLine } from '../../src/protocol/parse.js';
import { AvrBoard, type AvrBoardOptions } from '../../src/sim/avr/board.js';

export interface Timed<T> {
  t: number;
  value: T;
}

export class FirmwareHarness {
  readonly clock = new VirtualClock();
  readonly board: AvrBoard;
  /** Every line the board printed, parsed, with the emulated time it was complete. */
  readonly lines: Timed<BoardLine>[] = [];
  /** Every change of the decoded solenoid outputs. */
  readonly channels: Timed<readonly number[]>[] = [];
  /** Every change of the relay pin. */
  readonly relay: Timed<boolean>[] = [];
  private partial = '';

  constructor(options: Omit<AvrBoardOptions, 'clock'> = {}) {
    this.board = new AvrBoard({ clock: this.clock, ...options });
    this.board.onSerialData((data, t) => {
      this.partial += data.toString('latin1');
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        this.lines.push({ t, value: parseLine(this.partial.slice(0, nl)) });
        this.partial = this.partial.slice(nl + 1);
      }
    });
    this.board.onChannels((value, t) => this.channels.push({ t, value }));
    this.board.onRelay((value, t) => this.relay.push({ t, value }));
  }

  /** Powers the board and runs until its banner. */
  boot(): Timed<BoardLine> {
    this.board.powerOn();
    return this.runUntilLine((l) => l.kind === 'banner', 1000);
  }

  /** Advances the clock 1 ms at a time until `done()`; throws after `limitMs`. */
  runUntil(done: () => boolean, limitMs: number, what = 'the condition'): void {
    const end = this.clock.now() + limitMs;
    while (!done()) {
      if (this.clock.now() >= end) throw new Error(`no ${what} within ${limitMs} ms`);
      this.clock.advance(1);
    }
  }

  /** Runs until a line (printed from now on) matches; returns it. */
  runUntilLine(match: (line: BoardLine) => boolean, limitMs = 1000): Timed<BoardLine> {
    const from = this.lines.length;
    let found: Timed<BoardLine> | undefined;
    this.runUntil(() => (found = this.lines.slice(from).find((l) => match(l.value))) !== undefined, limitMs, 'matching line');
    return found!;
  }

  send(text: string | Uint8Array): void {
    this.board.write(text);
  }

  /** Sends `line` (a newline is added) and runs until the reply to `id` arrives; returns the reply. */
  command(line: string, id = Number(line.split(' ')[1]), limitMs = 1000): Extract<BoardLine, { kind: 'ok' | 'err' }> {
    this.send(`${line}\n`);
    const reply = this.runUntilLine((l) => (l.kind === 'ok' || l.kind === 'err') && l.id === id, limitMs);
    return reply.value as Extract<BoardLine, { kind: 'ok' | 'err' }>;
  }

  /** Replies (ok/err) printed since line index `from`. */
  repliesSince(from: number): Extract<BoardLine, { kind: 'ok' | 'err' }>[] {
    return this.lines
      .slice(from)
      .map((l) => l.value)
      .filter((l): l is Extract<BoardLine, { kind: 'ok' | 'err' }> => l.kind === 'ok' || l.kind === 'err');
  }

  events(): Timed<Extract<BoardLine, { kind: 'event' }>['event']>[] {
    return this.lines.flatMap((l) => (l.value.kind === 'event' ? [{ t: l.t, value: l.value.event }] : []));
  }

  /** The output changes from time `from` on. */
  channelChangesSince(from: number): Timed<readonly number[]>[] {
    return this.channels.filter((c) => c.t >= from);
  }
}
