/**
 * The `firmata` bench driver: johnny-five's Board over firmata-io's Firmata, over a serialport stream of ours, for a
 * bench whose Arduino Uno (or Nano) runs StandardFirmata instead of resetbot's own firmware.
 *
 * A Firmata bench has no 74HC595 chain: each channel is one Uno pin driving one solenoid driver input directly, and
 * the relay has its own pin (FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN; hardware.md, "Firmata bench").
 *
 * What StandardFirmata does not do, and what this driver does instead:
 * - It acknowledges nothing. A write is "done" once the serial port has sent its bytes (`drain`); the driver never
 *   learns whether the board applied it. A board that resets mid-run announces itself again (its version report),
 *   which the driver turns into a 'board-reset' event and rejects commands until releaseAll() or open().
 * - It has no timed outputs. A timed press is timed by the host: pins high, a timer on the injected Clock, pins low.
 *   Its accuracy is the host's event loop plus the serial latency (bench/firmata.ts measures it).
 * - It has no hold limit and no watchdog. The driver cuts any channel energised for longer than `maxHoldMs` with its
 *   own Clock timer (a 'hold-limit' event, as the firmware would send). That timer lives in the host process: if the
 *   host crashes, hangs or loses the USB link while a solenoid is on, the solenoid STAYS ON until someone unplugs the
 *   bench. releaseAll() with the link lost therefore rejects (BenchError 'link-lost') instead of pretending.
 *
 * Keys of one combo switch together as far as Firmata allows: the pin changes go out as one DIGITAL_MESSAGE per
 * Firmata port (pins 8n..8n+7), all in one write. Keys in one Firmata port switch within microseconds; each further
 * port adds one 3-byte message, about 0.52 ms at 57600 baud.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { SerialPort } from 'serialport';
import type { Clock, TimerId } from '../clock/clock.js';
import { BenchError, ConfigError } from '../errors/errors.js';
import type { Fixture } from './fixture.js';
import { Listeners } from './listeners.js';
import { checkPressMs, HoldLimit, interruptibleSleep } from './press-timing.js';
import type { BenchDriver, DriverEvent, DriverInfo } from './types.js';

/** StandardFirmata's baud rate. */
export const FIRMATA_BAUD_RATE = 57600;

/**
 * The Uno pin of each channel: channel 0 is D2 ... channel 10 is D12, channel 11 is A0 ... channel 15 is A4 (Arduino
 * numbers A0..A5 as pins 14..19). D0/D1 carry the serial line; D13 is left free because the bootloader and
 * StandardFirmata blink the Uno's LED on it at every reset.
 */
export const FIRMATA_CHANNEL_PINS: readonly number[] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18];

/** The relay driver's input: A5, HIGH = phone powered. */
export const FIRMATA_RELAY_PIN = 19;

/** Solenoid channels a Firmata bench drives. */
export const FIRMATA_CHANNELS = FIRMATA_CHANNEL_PINS.length;

/** Default host-side hold limit, the same as the firmware's (src/sim/driver.ts SIM_MAX_HOLD_MS). */
export const FIRMATA_MAX_HOLD_MS = 20_000;

/** How long open() waits for the board's version and capability reports. */
export const FIRMATA_HANDSHAKE_MS = 10_000;

/**
 * A board announces itself 2 to 3 s after the port opens (the DTR reset, the bootloader, then StandardFirmata blinks
 * its version on D13). One whose auto-reset is cut never does, so after this long without a report the driver asks
 * for one (firmata-io's own fallback, moved onto the injected Clock).
 */
const VERSION_QUERY_AFTER_MS = 5_000;

/** Firmata's pin mode number for a digital output. */
const MODE_OUTPUT = 1;

/** 'D2', 'A0': an Uno pin as printed on the board. */
export function unoPinName(pin: number): string {
  return pin >= 14 ? `A${pin - 14}` : `D${pin}`;
}

/**
 * The stream the driver talks through: a serialport 13 `SerialPort` or `SerialPortStream` (any binding). Create it
 * with `autoOpen: false` at FIRMATA_BAUD_RATE; the driver opens it (an open stream is closed and reopened, so the
 * board resets and announces itself, as firmata-io's handshake expects).
 */
export interface FirmataTransport extends EventEmitter {
  readonly isOpen: boolean;
  readonly path: string;
  open(callback?: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  write(data: Buffer, callback?: (err: Error | null | undefined) => void): boolean;
  drain(callback?: (err: Error | null) => void): void;
  cork(): void;
  uncork(): void;
}

export interface FirmataDriverOptions {
  /** A serial port path (opened at 57600 baud), or a stream of ours (see FirmataTransport). */
  port: string | FirmataTransport;
  clock: Clock;
  /** The jig's fixture: its keys must sit on the bench's FIRMATA_CHANNELS channels; its maxHoldMs, if any, applies. */
  fixture?: Fixture;
  /** Host-side hold limit per channel, ms (default: the fixture's maxHoldMs, else FIRMATA_MAX_HOLD_MS). */
  maxHoldMs?: number;
  /** How long open() waits for the board to answer, ms of the clock (default FIRMATA_HANDSHAKE_MS). */
  handshakeMs?: number;
}

// ---- The parts of firmata-io and johnny-five this driver uses (neither ships type declarations) ----------------

interface FirmataIo extends EventEmitter {
  versionReceived: boolean;
  version: { major?: number; minor?: number };
  firmware: { name?: string; version?: { major: number; minor: number } };
  pins: { supportedModes: number[] }[];
  /** firmata-io's own wall-clock fallback for the version query; replaced here by one on the injected Clock. */
  reportVersionTimeoutId?: ReturnType<typeof setTimeout>;
  digitalWrite(pin: number, value: 0 | 1, enqueue?: boolean): void;
  writeDigitalPort(port: number): void;
  reportVersion(callback: () => void): void;
  queryFirmware(callback: () => void): void;
}

/**
 * What firmata-io gets as its transport: a tap on ours, for one connection. firmata-io listens on its transport
 * for good (it has no way to stop); the tap's detach() cuts a finished connection's io off the stream, so a
 * reconnect over the same stream does not leave an old io parsing (or an old johnny-five Board re-emitting errors).
 */
class TransportTap extends EventEmitter {
  private readonly undo: (() => void)[] = [];

  constructor(private readonly target: FirmataTransport) {
    super();
    for (const event of ['open', 'close', 'error', 'data']) {
      const forward = (...args: unknown[]): boolean => this.emit(event, ...args);
      target.on(event, forward);
      this.undo.push(() => target.off(event, forward));
    }
  }

  write(data: Buffer, callback?: (err: Error | null | undefined) => void): boolean {
    return this.target.write(data, callback);
  }

  detach(): void {
    for (const undo of this.undo.splice(0)) undo();
  }
}

interface FirmataIoOptions {
  reportVersionTimeout: number;
}

interface FiveBoard extends EventEmitter {
  readonly io: FirmataIo;
  isReady: boolean;
  /** johnny-five's 10 s wall-clock timer between `connect` and `ready`. */
  timer: ReturnType<typeof setTimeout> | null;
  pinMode(pin: number, mode: number): FiveBoard;
}

interface FiveBoardOptions {
  io: FirmataIo;
  repl: false;
  sigint: false;
  debug: false;
  /** ms before johnny-five gives up connecting, on the real clock. */
  timeout: number;
}

interface Libraries {
  Board: new (options: FiveBoardOptions) => FiveBoard;
  Firmata: new (transport: TransportTap, options: FirmataIoOptions) => FirmataIo;
}

let libraries: Libraries | undefined;

/** johnny-five and firmata-io, loaded on first use (CommonJS; only firmata benches pay for loading them). */
function loadLibraries(): Libraries {
  if (!libraries) {
    const require = createRequire(import.meta.url);
    const five = require('johnny-five') as { Board: Libraries['Board'] };
    const firmataIo = require('firmata-io') as { Firmata: Libraries['Firmata'] };
    libraries = { Board: five.Board, Firmata: firmataIo.Firmata };
  }
  return libraries;
}

/** The largest delay Node's setTimeout takes: disables firmata-io's wall-clock version query. */
const NEVER_MS = 2 ** 31 - 1;

type LinkState = 'closed' | 'up' | 'reset' | 'lost';

interface Connection {
  transport: FirmataTransport;
  io: FirmataIo;
  board: FiveBoard;
  /** Removes every listener the driver put on the transport, the io and the board. */
  detach: () => void;
}

export class FirmataDriver implements BenchDriver {
  private readonly clock: Clock;
  private readonly portOption: string | FirmataTransport;
  private readonly maxHoldMs: number;
  private readonly handshakeMs: number;
  private firmware: DriverInfo['firmware'];
  private state: LinkState = 'closed';
  private lostReason = '';
  private conn: Connection | undefined;
  private opening: Promise<void> | undefined;
  private closing = false;
  private readonly listeners = new Listeners<[DriverEvent]>();
  /** Channels the driver has switched on. */
  private readonly on = new Set<number>();
  private readonly limit: HoldLimit;
  /** Presses and writes in flight hear of a dropped link or a reset board through this. */
  private readonly interrupts = new Listeners<[Error]>();

  constructor(options: FirmataDriverOptions) {
    this.clock = options.clock;
    this.portOption = options.port;
    this.maxHoldMs = options.maxHoldMs ?? options.fixture?.maxHoldMs ?? FIRMATA_MAX_HOLD_MS;
    this.handshakeMs = options.handshakeMs ?? FIRMATA_HANDSHAKE_MS;
    if (!(this.maxHoldMs > 0)) {
      throw new ConfigError('bad-hold-limit', `hold limit ${this.maxHoldMs} ms`, 'give a positive hold limit in ms');
    }
    if (!(this.handshakeMs > 0)) {
      throw new ConfigError('bad-handshake-time', `handshake time ${this.handshakeMs} ms`, 'give a positive time in ms');
    }
    this.limit = new HoldLimit(this.clock, this.maxHoldMs, (cut) => {
      if (this.state !== 'up') return;
      this.deenergise(cut);
      this.listeners.emit({ kind: 'hold-limit', channels: cut.sort((a, b) => a - b) });
    });
    if (typeof options.port === 'string' && options.port.trim() === '') {
      throw new ConfigError('no-port', 'no serial port given for the firmata bench', 'give the Uno\'s port, e.g. --port /dev/ttyACM0');
    }
    const fixture = options.fixture;
    const beyond = fixture ? Object.entries(fixture.keys).filter(([, channel]) => channel >= FIRMATA_CHANNELS) : [];
    if (fixture && beyond.length > 0) {
      throw new ConfigError(
        'fixture-too-large',
        `fixture ${fixture.source} puts ${beyond.slice(0, 3).map(([key, channel]) => `'${key}' on channel ${channel}`).join(', ')}` +
          `${beyond.length > 3 ? ` and ${beyond.length - 3} more keys above channel ${FIRMATA_CHANNELS - 1}` : ''}, ` +
          `but a Firmata bench drives channels 0 to ${FIRMATA_CHANNELS - 1} (pins ${FIRMATA_CHANNEL_PINS.map(unoPinName).join(', ')})`,
        `use a fixture whose keys sit on channels 0 to ${FIRMATA_CHANNELS - 1} (hardware.md, Firmata bench), or the serial driver with a shift-register board`,
      );
    }
  }

  get info(): DriverInfo {
    return {
      driver: 'firmata',
      ...(this.firmware ? { firmware: this.firmware } : {}),
      channels: FIRMATA_CHANNELS,
      maxHoldMs: this.maxHoldMs,
      port: typeof this.portOption === 'string' ? this.portOption : this.portOption.path,
    };
  }

  open(): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    if (this.state === 'reset') {
      // Same link, rebooted board: only its pins need setting up again.
      this.setUpPins(this.conn!);
      this.state = 'up';
      return this.drained();
    }
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  async press(channels: number[], ms: number, signal?: AbortSignal): Promise<void> {
    this.checkChannels(channels);
    checkPressMs(ms);
    this.requireLink();
    if (signal?.aborted) throw signal.reason;
    // A press longer than the limit is cut by the limit timer, scheduled before the press's own wait.
    this.energise(channels, ms > this.maxHoldMs);
    try {
      await interruptibleSleep(this.clock, Math.min(ms, this.maxHoldMs), signal, this.interrupts);
    } finally {
      if (this.state === 'up') this.deenergise(channels);
    }
    await this.drained();
  }

  async hold(channels: number[]): Promise<void> {
    this.checkChannels(channels);
    this.requireLink();
    this.energise(channels, true);
    await this.drained();
  }

  async release(channels: number[]): Promise<void> {
    this.checkChannels(channels);
    this.requireLink();
    this.deenergise(channels);
    await this.drained();
  }

  async setPower(on: boolean): Promise<void> {
    this.requireLink();
    this.writePins([[FIRMATA_RELAY_PIN, on]]);
    await this.drained();
  }

  /**
   * Every solenoid pin and the relay pin low. Resolves at once when the driver never opened (nothing is on). After a
   * board reset it sets the pins up again. With the link lost it rejects: nothing can reach the board, and
   * StandardFirmata has no watchdog to release the solenoids by itself.
   */
  async releaseAll(): Promise<void> {
    switch (this.state) {
      case 'closed':
        return;
      case 'lost':
        throw new BenchError(
          'link-lost',
          `cannot release the Firmata bench: serial link lost (${this.lostReason}); StandardFirmata has no watchdog, so solenoids may still be energised`,
          'unplug the bench\'s solenoid supply, then reconnect the board',
        );
      case 'reset':
        this.setUpPins(this.conn!);
        this.state = 'up';
        break;
      case 'up':
        this.clearLocal();
        this.writePins([...FIRMATA_CHANNEL_PINS.map((pin): [number, boolean] => [pin, false]), [FIRMATA_RELAY_PIN, false]]);
        break;
    }
    await this.drained();
  }

  async readSensor(): Promise<number | undefined> {
    this.requireLink();
    return undefined; // a Firmata bench has no sensor input (hardware.md)
  }

  onEvent(listener: (event: DriverEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => {});
    if (this.state === 'up' || this.state === 'reset') await this.releaseAll().catch(() => {});
    const conn = this.conn;
    this.conn = undefined;
    this.state = 'closed';
    this.clearLocal();
    if (conn) {
      conn.detach();
      this.closing = true;
      try {
        await closeTransport(conn.transport);
      } finally {
        this.closing = false;
      }
    }
  }

  // ---- Connection ---------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const old = this.conn;
    this.conn = undefined;
    if (old) {
      old.detach();
      await closeTransport(old.transport).catch(() => {});
    }
    const transport =
      typeof this.portOption === 'string'
        ? (new SerialPort({ path: this.portOption, baudRate: FIRMATA_BAUD_RATE, autoOpen: false }) as unknown as FirmataTransport)
        : this.portOption;
    if (transport.isOpen) await closeTransport(transport);

    const { Board, Firmata } = loadLibraries();
    const tap = new TransportTap(transport);
    const io = new Firmata(tap, { reportVersionTimeout: NEVER_MS });
    // johnny-five's own connect timeout runs on the real clock (10 s by default): under a virtual clock it fired while
    // an emulated board was still booting on a busy host. The handshake's limit is ours, on the injected clock (below).
    const board = new Board({ io, repl: false, sigint: false, debug: false, timeout: NEVER_MS });
    const where = this.info.port;

    const timers: TimerId[] = [];
    const cleanups: (() => void)[] = [];
    const listen = (emitter: EventEmitter, event: string, fn: (...args: any[]) => void): void => {
      emitter.on(event, fn);
      cleanups.push(() => emitter.off(event, fn));
    };
    const detach = (): void => {
      tap.detach();
      for (const undo of cleanups.splice(0)) undo();
      for (const id of timers.splice(0)) this.clock.clearTimeout(id);
      clearTimeout(io.reportVersionTimeoutId);
      if (board.timer) clearTimeout(board.timer);
    };
    const conn: Connection = { transport, io, board, detach };

    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (err: BenchError): void => reject(err);
        listen(board, 'ready', () => resolve());
        // johnny-five reports its own connect timeout as an 'error' event (a log record, or an Error).
        listen(board, 'error', (e: { message?: string }) =>
          fail(new BenchError('no-handshake', `Firmata board on ${where}: ${e.message ?? String(e)}`, FLASH_HINT)),
        );
        listen(io, 'error', (e: Error) => fail(new BenchError('link-lost', `serial port ${where}: ${e.message}`, CABLE_HINT)));
        listen(transport, 'close', () => fail(new BenchError('link-lost', `serial port ${where} closed during the handshake`, CABLE_HINT)));
        timers.push(
          this.clock.setTimeout(() => {
            if (!io.versionReceived) {
              io.reportVersion(() => {});
              io.queryFirmware(() => {});
            }
          }, VERSION_QUERY_AFTER_MS),
          this.clock.setTimeout(
            () =>
              fail(
                new BenchError(
                  'no-handshake',
                  `no Firmata answer from ${where} within ${this.handshakeMs} ms (${io.versionReceived ? 'the version came, the capability report did not' : 'no version report'})`,
                  FLASH_HINT,
                ),
              ),
            this.handshakeMs,
          ),
        );
        transport.open((err) => {
          if (err) fail(new BenchError('port-open-failed', `cannot open serial port ${where}: ${err.message}`, 'check the port name (resetbot ports) and that nothing else holds it'));
        });
      });
    } catch (err) {
      detach();
      await closeTransport(transport).catch(() => {});
      throw err;
    }
    for (const undo of cleanups.splice(0)) undo();
    for (const id of timers.splice(0)) this.clock.clearTimeout(id);

    try {
      this.checkFirmware(io, where);
    } catch (err) {
      detach();
      await closeTransport(transport).catch(() => {});
      throw err;
    }
    listen(transport, 'close', () => this.linkLost(`serial port ${where} closed`));
    listen(io, 'error', (e: Error) => this.linkLost(`serial port ${where}: ${e.message}`));
    listen(board, 'error', () => {}); // johnny-five re-emits the io's errors here; the io listener above handles them
    // Nothing asks for the version after the handshake: a report now means the board rebooted.
    listen(io, 'reportversion', () => this.boardReset(io));

    this.conn = conn;
    this.clearLocal();
    this.setUpPins(conn);
    this.state = 'up';
    await this.drained();
  }

  private checkFirmware(io: FirmataIo, where: string): void {
    const { major, minor } = io.version;
    if (major !== 2) {
      throw new BenchError(
        'unsupported-firmware',
        `the board on ${where} speaks Firmata protocol ${major ?? '?'}.${minor ?? '?'}; this driver needs 2.x`,
        FLASH_HINT,
      );
    }
    const fw = io.firmware;
    this.firmware = {
      name: fw.name ?? 'Firmata',
      version: fw.version ? `${fw.version.major}.${fw.version.minor}` : `${major}.${minor ?? 0}`,
      protocol: major,
    };
    for (const [i, pin] of [...FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN].entries()) {
      if (!io.pins[pin]?.supportedModes.includes(MODE_OUTPUT)) {
        const what = i < FIRMATA_CHANNELS ? `channel ${i}` : 'the relay';
        throw new BenchError(
          'board-lacks-pin',
          `the board on ${where} reports no digital output on pin ${unoPinName(pin)} (${what})`,
          'use an Arduino Uno or Nano running StandardFirmata',
        );
      }
    }
  }

  /** Every bench pin an output, low. (After a reset StandardFirmata leaves A0..A5 as analog inputs.) */
  private setUpPins(conn: Connection): void {
    this.clearLocal();
    const pins = [...FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN];
    conn.transport.cork();
    for (const pin of pins) conn.board.pinMode(pin, MODE_OUTPUT);
    conn.transport.uncork();
    this.writePins(pins.map((pin): [number, boolean] => [pin, false]));
  }

  private linkLost(reason: string): void {
    if (this.closing || this.state === 'lost' || this.state === 'closed') return;
    this.state = 'lost';
    this.lostReason = reason;
    this.clearLocal(); // the pins are unknown now; the hold-limit timers cannot reach them anyway
    this.interrupts.emit(this.lostError());
    this.listeners.emit({ kind: 'link-lost', reason });
  }

  private boardReset(io: FirmataIo): void {
    if (this.state !== 'up') return;
    this.state = 'reset';
    // A reset board drives every pin low or leaves it floating (pulled down): every solenoid and the relay are off.
    this.clearLocal();
    const banner = `Firmata ${io.version.major ?? '?'}.${io.version.minor ?? '?'}`;
    this.interrupts.emit(
      new BenchError('board-reset', `the Firmata board on ${this.info.port} reset during the run`, 'check the bench\'s power supply (a solenoid\'s current dip can reset the board)'),
    );
    this.listeners.emit({ kind: 'board-reset', banner });
  }

  // ---- Pins ---------------------------------------------------------------------------------------------------

  private requireLink(): void {
    switch (this.state) {
      case 'up':
        return;
      case 'closed':
        throw new BenchError('not-open', 'firmata bench: command sent before open()', 'open the driver before using it');
      case 'lost':
        throw this.lostError();
      case 'reset':
        throw new BenchError('board-reset', `the Firmata board on ${this.info.port} reset during the run`, 'release everything and start again');
    }
  }

  private lostError(): BenchError {
    return new BenchError('link-lost', `serial link lost: ${this.lostReason}`, CABLE_HINT);
  }

  private checkChannels(channels: number[]): void {
    for (const c of channels) {
      if (!Number.isInteger(c) || c < 0 || c >= FIRMATA_CHANNELS) {
        throw new BenchError('bad-channel', `channel ${c} does not exist on a Firmata bench (channels 0 to ${FIRMATA_CHANNELS - 1})`, 'check the fixture file');
      }
    }
  }

  /**
   * Sets pins in firmata-io's port state, then sends one DIGITAL_MESSAGE per Firmata port touched, in one write (the
   * transport is corked meanwhile). firmata-io's own flushDigitalPorts() would also resend every port below the
   * highest one touched.
   */
  private writePins(levels: [pin: number, high: boolean][]): void {
    const { io, transport } = this.conn!;
    const ports = new Set<number>();
    for (const [pin, high] of levels) {
      io.digitalWrite(pin, high ? 1 : 0, true);
      ports.add(pin >> 3);
    }
    transport.cork();
    for (const port of [...ports].sort((a, b) => a - b)) io.writeDigitalPort(port);
    transport.uncork();
  }

  /** Switches channels on; with `limited`, the ones newly on share a hold-limit timer. */
  private energise(channels: number[], limited: boolean): void {
    const fresh = [...new Set(channels)].filter((c) => !this.on.has(c));
    this.writePins(channels.map((c) => [FIRMATA_CHANNEL_PINS[c]!, true]));
    for (const c of fresh) this.on.add(c);
    if (limited) this.limit.arm(fresh);
  }

  private deenergise(channels: number[]): void {
    this.writePins(channels.map((c) => [FIRMATA_CHANNEL_PINS[c]!, false]));
    for (const c of channels) this.on.delete(c);
    this.limit.released(channels);
  }

  /** Forgets what is on and cancels the hold-limit timers. */
  private clearLocal(): void {
    this.on.clear();
    this.limit.clear();
  }

  /** Resolves once the serial port has sent every byte written so far (Firmata sends no acknowledgement). */
  private drained(): Promise<void> {
    const conn = this.conn;
    if (!conn) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stop = this.interrupts.add(reject);
      conn.transport.drain((err) => {
        stop();
        if (err) reject(new BenchError('link-lost', `serial port ${this.info.port}: ${err.message}`, CABLE_HINT));
        else resolve();
      });
    });
  }
}

const FLASH_HINT = `flash StandardFirmata onto the Uno (firmware/third-party/StandardFirmata.uno.hex) and check the port; it runs at ${FIRMATA_BAUD_RATE} baud`;
const CABLE_HINT = 'check the USB cable and the board, then run again';

function closeTransport(transport: FirmataTransport): Promise<void> {
  if (!transport.isOpen) return Promise.resolve();
  return new Promise((resolve, reject) => transport.close((err) => (err ? reject(err) : resolve())));
}

export function createFirmataDriver(options: FirmataDriverOptions): FirmataDriver {
  return new FirmataDriver(options);
}
