/**
 * The serial driver (src/bench/serial.ts) on a line that lies: the protocol board (VirtualFirmware) behind a wire that
 * mangles what the board prints, chunk by chunk, as fast-check's script says: random bytes, a chunk dropped or
 * replaced, split in two with a delay or joined with the next, over-long lines, invalid UTF-8, a reply's id changed
 * (a reply to the wrong id), a banner in the middle of the run. The driver is opened and given random commands on a
 * VirtualClock. Never a crash (an unhandled rejection fails the file), never a hang (every operation settles within
 * a bound of virtual time), and every failure is a classified bench failure (BenchError, class `bench`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoardBinding, SerialBoard } from '../../src/sim/serial-binding.js';
import { SerialDriver } from '../../src/bench/serial.js';
import { VirtualClock } from '../../src/clock/clock.js';
import { ResetbotError } from '../../src/errors/errors.js';
import { createBoardBinding, VIRTUAL_PORT_PATH, VirtualFirmware } from '../../src/sim/virtual-bench.js';

export const RUNS = 300;

type Mangle =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'replace'; bytes: Uint8Array }
  | { kind: 'split'; at: number; delayMs: number }
  | { kind: 'join' }
  | { kind: 'long'; length: number }
  | { kind: 'utf8' }
  | { kind: 'wrongId'; delta: number }
  | { kind: 'banner' };

const mangle: fc.Arbitrary<Mangle> = fc.oneof(
  { arbitrary: fc.constant<Mangle>({ kind: 'pass' }), weight: 6 },
  fc.constant<Mangle>({ kind: 'drop' }),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes): Mangle => ({ kind: 'garbage', bytes })),
  fc.uint8Array({ maxLength: 64 }).map((bytes): Mangle => ({ kind: 'replace', bytes })),
  fc.record({ at: fc.nat(80), delayMs: fc.integer({ min: 0, max: 400 }) }).map((r): Mangle => ({ kind: 'split', ...r })),
  fc.constant<Mangle>({ kind: 'join' }),
  fc.integer({ min: 100, max: 4000 }).map((length): Mangle => ({ kind: 'long', length })),
  fc.constant<Mangle>({ kind: 'utf8' }),
  fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0).map((delta): Mangle => ({ kind: 'wrongId', delta })),
  fc.constant<Mangle>({ kind: 'banner' }),
);

const BANNER = '# resetbot-fw 1.0.0 proto=1 channels=32 maxhold=20000 watchdog=3000\n';

/** A SerialBoard that is the protocol board, with what it prints mangled on its way to the host. */
class MangledBoard implements SerialBoard {
  private readonly listeners = new Set<(data: Buffer, t: number) => void>();
  private joined: Buffer | undefined;
  private step = 0;

  constructor(
    readonly inner: VirtualFirmware,
    private readonly clock: VirtualClock,
    private readonly script: Mangle[],
  ) {
    inner.onSerialData((data) => this.mangle(data));
  }

  private out(data: Buffer): void {
    for (const fn of this.listeners) fn(data, this.clock.now());
  }

  private mangle(chunk: Buffer): void {
    if (this.joined) {
      chunk = Buffer.concat([this.joined, chunk]);
      this.joined = undefined;
    }
    const m = this.script[this.step++] ?? { kind: 'pass' };
    switch (m.kind) {
      case 'pass':
        return this.out(chunk);
      case 'drop':
        return;
      case 'garbage':
        return this.out(Buffer.concat([Buffer.from(m.bytes), chunk]));
      case 'replace':
        return this.out(Buffer.from(m.bytes));
      case 'split': {
        const at = Math.min(m.at, chunk.length);
        this.out(chunk.subarray(0, at));
        const rest = chunk.subarray(at);
        this.clock.setTimeout(() => this.out(rest), m.delayMs);
        return;
      }
      case 'join':
        this.joined = chunk;
        return;
      case 'long':
        return this.out(Buffer.concat([Buffer.from('x'.repeat(m.length) + '\n'), chunk]));
      case 'utf8':
        return this.out(Buffer.concat([Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xe2, 0x82]), chunk]));
      case 'wrongId':
        return this.out(Buffer.from(chunk.toString('latin1').replace(/^(ok|err) (\d+)/m, (_, k: string, id: string) => `${k} ${Math.max(0, Number(id) + m.delta)}`), 'latin1'));
      case 'banner':
        return this.out(Buffer.concat([Buffer.from(BANNER), chunk]));
    }
  }

  get powered(): boolean {
    return this.inner.powered;
  }
  powerOn(): void {
    this.inner.powerOn();
  }
  powerOff(): void {
    this.inner.powerOff();
  }
  reset(): void {
    this.inner.reset();
  }
  write(data: Uint8Array | string): void {
    this.inner.write(data);
  }
  setLineBaud(): void {
    this.inner.setLineBaud();
  }
  whenRxDrained(): Promise<void> {
    return this.inner.whenRxDrained();
  }
  onSerialData(fn: (data: Buffer, timeMs: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  onChannels(fn: (channels: readonly number[], timeMs: number) => void): () => void {
    return this.inner.onChannels(fn);
  }
  onRelay(fn: (on: boolean, timeMs: number) => void): () => void {
    return this.inner.onRelay(fn);
  }
  setAnalog(channel: number, value: number): void {
    this.inner.setAnalog(channel, value);
  }
  channels(): number[] {
    return this.inner.channels();
  }
  relay(): boolean {
    return this.inner.relay();
  }
}

type Op =
  | { op: 'power'; on: boolean }
  | { op: 'hold'; channels: number[] }
  | { op: 'release'; channels: number[] }
  | { op: 'press'; channels: number[]; ms: number }
  | { op: 'sensor' }
  | { op: 'ping' }
  | { op: 'state' }
  | { op: 'releaseAll' }
  | { op: 'wait'; ms: number };

const channels = fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 4 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.boolean().map((on): Op => ({ op: 'power', on })),
  channels.map((c): Op => ({ op: 'hold', channels: c })),
  channels.map((c): Op => ({ op: 'release', channels: c })),
  fc.record({ channels, ms: fc.integer({ min: 1, max: 500 }) }).map((r): Op => ({ op: 'press', ...r })),
  fc.constant<Op>({ op: 'sensor' }),
  fc.constant<Op>({ op: 'ping' }),
  fc.constant<Op>({ op: 'state' }),
  fc.constant<Op>({ op: 'releaseAll' }),
  fc.integer({ min: 1, max: 5000 }).map((ms): Op => ({ op: 'wait', ms })),
);

function run(driver: SerialDriver, clock: VirtualClock, o: Op): Promise<unknown> {
  switch (o.op) {
    case 'power':
      return driver.setPower(o.on);
    case 'hold':
      return driver.hold(o.channels);
    case 'release':
      return driver.release(o.channels);
    case 'press':
      return driver.press(o.channels, o.ms);
    case 'sensor':
      return driver.readSensor();
    case 'ping':
      return driver.ping();
    case 'state':
      return driver.state();
    case 'releaseAll':
      return driver.releaseAll();
    case 'wait':
      return new Promise<void>((r) => clock.setTimeout(() => r(), o.ms));
  }
}

/** Every failure must be a bench failure the machines can classify and retry. */
function expectBenchFailure(e: unknown, what: string): void {
  if (!(e instanceof ResetbotError) || e.failureClass !== 'bench') {
    throw new Error(`${what}: not a classified bench failure: ${e instanceof Error ? `${e.name} ${(e as ResetbotError).failureClass ?? ''} ${e.message}` : String(e)}`);
  }
}

/** Virtual time any one operation may take: the longest press, its reply and done timeouts, with room. */
const SETTLE_MS = 20_000;

describe('serial driver fuzzing', () => {
  it(`on a mangled line: never a crash, never a hang, every failure a bench failure (${RUNS} cases)`, async () => {
    let opened = 0;
    let failures = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mangle, { maxLength: 24 }), fc.array(op, { minLength: 1, maxLength: 10 }), async (script, ops) => {
        const clock = new VirtualClock();
        const board = new MangledBoard(new VirtualFirmware({ clock }), clock, script);
        const binding: BoardBinding = createBoardBinding(board);
        const driver = new SerialDriver({ path: VIRTUAL_PORT_PATH, clock, binding, replyTimeoutMs: 300, reconnectMs: 0 });
        try {
          await clock.runUntil(driver.open(), SETTLE_MS);
          opened++;
        } catch (e) {
          expectBenchFailure(e, 'open');
          failures++;
          return;
        }
        // What the caller holds: it never holds or presses a channel it holds (that misuse is resetbot's bug, and
        // is classified so); after a failure it releases everything, as the machines do.
        const held = new Set<number>();
        for (const o of ops) {
          if ((o.op === 'hold' || o.op === 'press') && o.channels.some((c) => held.has(c))) continue;
          try {
            await clock.runUntil(run(driver, clock, o), SETTLE_MS);
            if (o.op === 'hold') for (const c of o.channels) held.add(c);
            if (o.op === 'release') for (const c of o.channels) held.delete(c);
            if (o.op === 'releaseAll') held.clear();
          } catch (e) {
            expectBenchFailure(e, o.op);
            failures++;
            held.clear();
            await clock.runUntil(driver.releaseAll(), SETTLE_MS).catch((err: unknown) => expectBenchFailure(err, 'releaseAll after a failure'));
          }
        }
        try {
          await clock.runUntil(driver.close(), SETTLE_MS);
        } catch (e) {
          expectBenchFailure(e, 'close');
        }
      }),
      { numRuns: RUNS },
    );
    // The script must exercise both: opens that succeed and operations that fail.
    expect(opened).toBeGreaterThan(RUNS / 4);
    expect(failures).toBeGreaterThan(0);
  });
});
