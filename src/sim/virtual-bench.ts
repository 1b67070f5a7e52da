/**
 * The virtual bench: a bench board on a serial line, with a simulated phone in its jig.
 *
 * Boards that speak resetbot's protocol (firmware/PROTOCOL.md) on a byte stream:
 * - AvrBoard (src/sim/avr/): the committed firmware/resetbot.hex in avr8js, its pins decoded through the 74HC595 model;
 * - VirtualFirmware (here): the same protocol written in TypeScript on the Clock, event-driven, with faults on demand.
 *   It is what `resetbot sim serve` serves without `--firmware`, and the quick double for the serial driver's tests;
 *   test/serial/conformance.test.ts runs one script against both boards and requires the same transcript.
 * And for `--firmata`: StandardFirmata in avr8js, its pins wired as a Firmata bench wires them.
 *
 * All have the SerialBoard surface (serial-binding.ts). attachJig() wires a resetbot board to a VirtualJig (its channel
 * outputs press the phone's keys, its relay pin switches the phone's power, the phone's screen lights the analog
 * sensor as a phototransistor would), and createBoardBinding() (serial-binding.ts) makes any of them a port that a
 * real serialport stream opens, so the drivers run unchanged against it. createVirtualBench() puts it all together.
 */
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' }; // its ESM entry has no types
import type { Fixture } from '../bench/fixture.js';
import type { Clock, TimerId } from '../clock/clock.js';
import { PROTOCOL_ERRORS, protocolErrorCode, type ProtocolErrorName } from '../protocol/errors.js';
import { BAUD_RATE, FIRMWARE_NAME, FIRMWARE_VERSION, MAX_LINE_LENGTH, PROTOCOL_VERSION, STOP_BYTE } from '../protocol/version.js';
import { FIRMATA_BAUD_RATE, FIRMATA_CHANNEL_PINS, FIRMATA_RELAY_PIN } from '../bench/firmata.js';
import { Listeners } from '../bench/listeners.js';
import { AvrBoard } from './avr/board.js';
import { AVR_PORT_PATH, createAvrBinding } from './avr/binding.js';
import { connectFirmataJig, FIRMATA_SIM_PORT } from './avr/firmata-bench.js';
import { loadStandardFirmataHex, UnoPinWatcher } from './avr/firmata-uno.js';
import { SimObserver } from './driver.js';
import { VirtualJig, type JigTraceEntry } from './jig.js';
import { SimPhone, type SimPhoneOptions } from './phone.js';
import { ANALOG_INPUTS, checkAnalog, createBoardBinding, type SerialBoard, VIRTUAL_PORT_PATH } from './serial-binding.js';

export { createBoardBinding, VIRTUAL_PORT_PATH } from './serial-binding.js';
export type { BoardBinding, BoardBindingOptions, SerialBoard } from './serial-binding.js';

// ---- VirtualFirmware ----------------------------------------------------------------------------------------------

export interface VirtualFirmwareOptions {
  clock: Clock;
  /** Solenoid channels (default 32, as the firmware's four 74HC595s). */
  channels?: number;
  /** The firmware's maximum hold, ms (default 20000). */
  maxHoldMs?: number;
  /** The host watchdog after a reset, ms (default 3000). */
  watchdogMs?: number;
  /** The banner's text after `# ` (default: this firmware's identity); tests give another firmware's. */
  identity?: string;
}

/** Why a press ended (`! done <id> <reason>`). */
type Reason = 'time' | 'release' | 'limit' | 'watchdog' | 'stop';

interface ActivePress {
  id: number;
  /** Its channels still energised. */
  channels: Set<number>;
  timer: TimerId;
}

const MAX_PRESSES = 8;
const MIN_WATCHDOG_MS = 100;
const MAX_ID = 0xffff_ffff;
const MAX_WORDS = 5;

type Num = { kind: 'ok'; value: number } | { kind: 'bad' } | { kind: 'big' };

/** Decimal digits only, as the firmware parses them. */
function parseNumber(s: string): Num {
  if (!/^\d+$/.test(s)) return { kind: 'bad' };
  const value = Number(s);
  return value > MAX_ID ? { kind: 'big' } : { kind: 'ok', value };
}

function list(channels: Iterable<number>): string {
  const sorted = [...channels].sort((a, b) => a - b);
  return sorted.length > 0 ? sorted.join(',') : '-';
}

/**
 * The firmware's protocol and safety rules in TypeScript, on the Clock: banner, every command and error code, timed
 * presses, the maximum hold, the host watchdog, the stop byte. Bytes in and out each take one clock tick (no baud
 * delay). Faults: mute() (the board's TX line is cut: it works but is never heard), inject() (any text on the line).
 */
export class VirtualFirmware implements SerialBoard {
  readonly channelCount: number;
  readonly maxHoldMs: number;
  private readonly clock: Clock;
  private readonly defaultWatchdogMs: number;
  private readonly identity: string;

  private isPowered = false;
  private muted = false;
  private energised = new Set<number>();
  private readonly onSince = new Map<number, number>();
  private presses: ActivePress[] = [];
  private finished: { id: number; reason: Reason }[] = [];
  private relayOn = false;
  private watchdogMs: number;
  private lastHostLine = 0;
  private line = '';
  private overflow = false;
  private limitTimer: TimerId | undefined;
  private watchdogTimer: TimerId | undefined;
  private readonly rx: number[] = [];
  private rxTimer: TimerId | undefined;
  private rxWaiters: (() => void)[] = [];
  private tx = '';
  private txTimer: TimerId | undefined;
  private readonly analog = new Array<number>(ANALOG_INPUTS).fill(0);

  private readonly serialListeners = new Listeners<[Buffer, number]>();
  private readonly channelListeners = new Listeners<[readonly number[], number]>();
  private readonly relayListeners = new Listeners<[boolean, number]>();

  constructor(options: VirtualFirmwareOptions) {
    this.clock = options.clock;
    this.channelCount = options.channels ?? 32;
    this.maxHoldMs = options.maxHoldMs ?? 20_000;
    this.defaultWatchdogMs = options.watchdogMs ?? 3000;
    this.watchdogMs = this.defaultWatchdogMs;
    this.identity =
      options.identity ??
      `${FIRMWARE_NAME} ${FIRMWARE_VERSION} proto=${PROTOCOL_VERSION} channels=${this.channelCount} maxhold=${this.maxHoldMs} watchdog=${this.defaultWatchdogMs}`;
  }

  get powered(): boolean {
    return this.isPowered;
  }

  powerOn(): void {
    if (this.isPowered) return;
    this.isPowered = true;
    this.boot();
  }

  powerOff(): void {
    if (!this.isPowered) return;
    this.isPowered = false;
    this.safeState();
    this.rx.length = 0;
    this.clock.clearTimeout(this.rxTimer);
    this.rxTimer = undefined;
    this.resolveRxDrained();
  }

  reset(): void {
    if (!this.isPowered) return;
    this.boot();
  }

  write(data: Uint8Array | string): void {
    if (!this.isPowered) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.rx.push(...bytes);
    this.rxTimer ??= this.clock.setTimeout(() => {
      this.rxTimer = undefined;
      this.receive();
    }, 0);
  }

  setLineBaud(): void {
    // Bytes take no time on this board's line: any baud rate is heard.
  }

  whenRxDrained(): Promise<void> {
    if (this.rx.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.rxWaiters.push(resolve));
  }

  onSerialData(fn: (data: Buffer, timeMs: number) => void): () => void {
    return this.serialListeners.add(fn);
  }

  onChannels(fn: (channels: readonly number[], timeMs: number) => void): () => void {
    return this.channelListeners.add(fn);
  }

  onRelay(fn: (on: boolean, timeMs: number) => void): () => void {
    return this.relayListeners.add(fn);
  }

  setAnalog(channel: number, value: number): void {
    checkAnalog(channel, value);
    this.analog[channel] = value;
  }

  channels(): number[] {
    return [...this.energised].sort((a, b) => a - b);
  }

  relay(): boolean {
    return this.relayOn;
  }

  /** Fault: the board's TX line is cut. It still obeys every command and safety rule, but nothing it says arrives. */
  mute(muted = true): void {
    this.muted = muted;
    if (muted) this.tx = '';
  }

  /** Fault: text appears on the line from the board (noise, another banner). */
  inject(text: string): void {
    this.print(text);
  }

  // ---- the firmware ---------------------------------------------------------------------------------------------

  /** A reset: the pins float (outputs and relay off), the state is new, then the banner. */
  private boot(): void {
    this.safeState();
    this.watchdogMs = this.defaultWatchdogMs;
    this.lastHostLine = this.clock.now();
    this.line = '';
    this.overflow = false;
    this.print(`# ${this.identity}\n`);
  }

  private safeState(): void {
    for (const p of this.presses) this.clock.clearTimeout(p.timer);
    this.presses = [];
    this.finished = [];
    this.onSince.clear();
    this.setOutputs(new Set());
    this.setRelay(false);
    this.clock.clearTimeout(this.limitTimer);
    this.clock.clearTimeout(this.watchdogTimer);
    this.limitTimer = this.watchdogTimer = undefined;
  }

  private receive(): void {
    const bytes = this.rx.splice(0);
    for (const c of bytes) {
      if (!this.isPowered) break;
      if (c === STOP_BYTE) this.stopEverything();
      else if (c === 0x0a) {
        this.handleLine();
        this.line = '';
        this.overflow = false;
      } else if (c === 0x0d) {
        // \r is dropped: \r\n line ends are accepted
      } else if (this.line.length < MAX_LINE_LENGTH) this.line += String.fromCharCode(c);
      else this.overflow = true;
    }
    this.resolveRxDrained();
  }

  private resolveRxDrained(): void {
    const waiters = this.rxWaiters;
    this.rxWaiters = [];
    for (const w of waiters) w();
  }

  private handleLine(): void {
    const words = this.line.split(/[ \t]+/).filter(Boolean).slice(0, MAX_WORDS);
    if (words.length === 0 && !this.overflow) return;
    const idWord = words[1];
    const num = idWord === undefined ? undefined : parseNumber(idWord);
    let idOk = num?.kind === 'ok' && num.value !== 0;
    // Of an over-long line only the first MAX_LINE_LENGTH characters were kept: its id counts only when a separator
    // follows it inside them.
    if (idOk && this.overflow) {
      const end = this.line.indexOf(idWord!, this.line.indexOf(words[0]!) + words[0]!.length) + idWord!.length;
      idOk = end < this.line.length;
    }
    if (!idOk) {
      this.err(0, this.overflow ? 'line-too-long' : 'bad-id');
      return;
    }
    const id = (num as { value: number }).value;
    this.lastHostLine = this.clock.now();
    this.armWatchdog();
    if (this.overflow) {
      this.err(id, 'line-too-long');
      return;
    }
    const [verb, , ...args] = words as [string, string, ...string[]];
    const argc = (n: number): boolean => {
      if (args.length === n) return true;
      this.err(id, 'bad-argument');
      return false;
    };
    switch (verb) {
      case 'ping':
        if (argc(0)) this.print(`ok ${id}\n`);
        return;
      case 'version':
        if (argc(0)) this.print(`ok ${id} ${this.identity}\n`);
        return;
      case 'press':
        if (argc(2)) this.press(id, args[0]!, args[1]!);
        return;
      case 'hold':
        if (argc(1)) this.hold(id, args[0]!);
        return;
      case 'release':
        if (argc(1)) this.release(id, args[0]!);
        return;
      case 'power':
        if (!argc(1)) return;
        if (args[0] === 'on' || args[0] === 'off') {
          this.setRelay(args[0] === 'on');
          this.print(`ok ${id}\n`);
        } else this.err(id, 'bad-argument');
        return;
      case 'sensor':
        if (argc(0)) this.print(`ok ${id} a0=${this.analog[0]}\n`);
        return;
      case 'state':
        if (argc(0)) {
          const running = this.presses.map((p) => p.id);
          this.print(
            `ok ${id} on=${list(this.energised)} power=${this.relayOn ? 'on' : 'off'} wd=${this.watchdogMs} presses=${running.length > 0 ? running.join(',') : '-'}\n`,
          );
        }
        return;
      case 'wd': {
        if (!argc(1)) return;
        const d = this.duration(args[0]!, MIN_WATCHDOG_MS);
        if (typeof d === 'string') return this.err(id, d);
        this.watchdogMs = d;
        this.armWatchdog();
        this.print(`ok ${id}\n`);
        return;
      }
      default:
        this.err(id, 'unknown-command');
    }
  }

  private channelSet(text: string): Set<number> | ProtocolErrorName {
    const set = new Set<number>();
    for (const part of text.split(',')) {
      const n = parseNumber(part);
      if (n.kind === 'bad') return 'bad-argument';
      if (n.kind === 'big' || n.value >= this.channelCount) return 'channel-out-of-range';
      set.add(n.value);
    }
    return set;
  }

  private duration(text: string, min: number): number | ProtocolErrorName {
    const n = parseNumber(text);
    if (n.kind === 'bad' || (n.kind === 'ok' && n.value < min)) return 'bad-argument';
    if (n.kind === 'big' || n.value > this.maxHoldMs) return 'duration-over-max';
    return n.value;
  }

  private busy(set: Set<number>): boolean {
    return [...set].some((c) => this.energised.has(c));
  }

  private press(id: number, msText: string, channelText: string): void {
    const ms = this.duration(msText, 1);
    if (typeof ms === 'string') return this.err(id, ms);
    const set = this.channelSet(channelText);
    if (typeof set === 'string') return this.err(id, set);
    if (this.busy(set)) return this.err(id, 'busy');
    if (this.presses.length >= MAX_PRESSES) return this.err(id, 'too-many-presses');
    // The press's timer comes before the hold limit's (armed by energise): at equal times the press ends first, as
    // on the firmware, whose loop finishes presses before it enforces the limit.
    const press: ActivePress = { id, channels: new Set(set), timer: 0 };
    press.timer = this.clock.setTimeout(() => {
      this.deenergise(press.channels, 'time');
      this.reportFinished();
    }, ms);
    this.presses.push(press);
    this.energise(set);
    this.print(`ok ${id}\n`);
  }

  private hold(id: number, channelText: string): void {
    const set = this.channelSet(channelText);
    if (typeof set === 'string') return this.err(id, set);
    if (this.busy(set)) return this.err(id, 'busy');
    this.energise(set);
    this.print(`ok ${id}\n`);
  }

  private release(id: number, channelText: string): void {
    let set: Set<number>;
    if (channelText === 'all') set = new Set(this.energised);
    else {
      const parsed = this.channelSet(channelText);
      if (typeof parsed === 'string') return this.err(id, parsed);
      set = parsed;
    }
    this.deenergise(set, 'release');
    this.print(`ok ${id}\n`);
    this.reportFinished();
  }

  private stopEverything(): void {
    this.deenergise(new Set(this.energised), 'stop');
    this.setRelay(false);
    this.line = '';
    this.overflow = false;
    this.print('! stop\n');
    this.reportFinished();
  }

  private energise(set: Set<number>): void {
    const now = this.clock.now();
    for (const c of set) this.onSince.set(c, now);
    this.setOutputs(new Set([...this.energised, ...set]));
    this.armLimit();
    this.armWatchdog();
  }

  /** Switches `set` off at one latch edge; presses left with no channel on finish with `why`. */
  private deenergise(set: Set<number>, why: Reason): void {
    const next = new Set([...this.energised].filter((c) => !set.has(c)));
    for (const c of set) this.onSince.delete(c);
    this.setOutputs(next);
    for (const p of [...this.presses]) {
      for (const c of set) p.channels.delete(c);
      if (p.channels.size === 0) {
        this.clock.clearTimeout(p.timer);
        this.presses = this.presses.filter((q) => q !== p);
        this.finished.push({ id: p.id, reason: why });
      }
    }
    this.armLimit();
    this.armWatchdog();
  }

  private reportFinished(): void {
    for (const f of this.finished) this.print(`! done ${f.id} ${f.reason}\n`);
    this.finished = [];
  }

  /** The maximum hold: a timer at the earliest time a channel reaches it. */
  private armLimit(): void {
    this.clock.clearTimeout(this.limitTimer);
    this.limitTimer = undefined;
    if (this.onSince.size === 0) return;
    const first = Math.min(...this.onSince.values());
    this.limitTimer = this.clock.setTimeout(() => {
      this.limitTimer = undefined;
      const now = this.clock.now();
      const over = new Set([...this.onSince].filter(([, t]) => now - t >= this.maxHoldMs).map(([c]) => c));
      if (over.size > 0) {
        this.deenergise(over, 'limit');
        this.print(`! limit ${list(over)}\n`);
        this.reportFinished();
      } else this.armLimit();
    }, first + this.maxHoldMs - this.clock.now());
  }

  /** The host watchdog: while anything is energised, silence for the watchdog time releases every channel. */
  private armWatchdog(): void {
    this.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
    if (this.energised.size === 0) return;
    this.watchdogTimer = this.clock.setTimeout(() => {
      this.watchdogTimer = undefined;
      const was = new Set(this.energised);
      this.deenergise(was, 'watchdog');
      this.print(`! watchdog ${list(was)}\n`);
      this.reportFinished();
    }, this.lastHostLine + this.watchdogMs - this.clock.now());
  }

  private setOutputs(next: Set<number>): void {
    const before = list(this.energised);
    this.energised = next;
    if (list(next) !== before) this.channelListeners.emit(this.channels(), this.clock.now());
  }

  private setRelay(on: boolean): void {
    if (on === this.relayOn) return;
    this.relayOn = on;
    this.relayListeners.emit(on, this.clock.now());
  }

  private err(id: number, name: ProtocolErrorName): void {
    const code = protocolErrorCode(name);
    const message = PROTOCOL_ERRORS.find((e) => e.code === code)!.message;
    this.print(`err ${id} ${code} ${message}\n`);
  }

  private print(text: string): void {
    if (this.muted || !this.isPowered) return;
    this.tx += text;
    this.txTimer ??= this.clock.setTimeout(() => {
      this.txTimer = undefined;
      const data = Buffer.from(this.tx, 'latin1');
      this.tx = '';
      if (data.length > 0) this.serialListeners.emit(data, this.clock.now());
    }, 0);
  }
}

// ---- the jig around the phone -------------------------------------------------------------------------------------

/** ADC counts the screen sensor reads with the phone's display lit and dark (a phototransistor on the screen). */
export const SENSOR_LIT = 800;
export const SENSOR_DARK = 40;

export interface AttachJigOptions {
  /** Called with every channel and relay change the jig sees, with the board's time. */
  onChange?: (entry: JigTraceEntry) => void;
}

/**
 * Wires a board's outputs to a VirtualJig: channel outputs press and release the keys under them (an output with no
 * solenoid on the jig, at or above the fixture's channel count, moves nothing), the relay pin switches the phone's
 * power, and the phone's screen drives the analog sensor on A0. Returns the function that undoes the wiring.
 */
export function attachJig(board: SerialBoard, jig: VirtualJig, options: AttachJigOptions = {}): () => void {
  const apply = (channels: readonly number[], t: number): void => {
    const want = new Set(channels.filter((c) => c < jig.channels));
    const on = jig.energised();
    const off = on.filter((c) => !want.has(c));
    const fresh = [...want].filter((c) => !jig.channelOn(c)).sort((a, b) => a - b);
    if (off.length > 0) jig.setChannels(off, false);
    if (fresh.length > 0) jig.setChannels(fresh, true);
    for (const c of off) options.onChange?.({ t, channel: c, key: jig.keyOn(c) ?? null, on: false });
    for (const c of fresh) options.onChange?.({ t, channel: c, key: jig.keyOn(c) ?? null, on: true });
  };
  const offChannels = board.onChannels(apply);
  const offRelay = board.onRelay((on, t) => {
    jig.setRelay(on);
    options.onChange?.({ t, channel: 'relay', key: null, on });
  });
  const sense = (lit: boolean): void => board.setAnalog(0, lit ? SENSOR_LIT : SENSOR_DARK);
  sense(jig.phone.screen().lit);
  const offScreen = jig.phone.onScreen((s) => sense(s.lit));
  // Start from what the board holds now (nothing, for a board not yet powered).
  const now = new Set(board.channels().filter((c) => c < jig.channels));
  jig.setChannels(jig.energised().filter((c) => !now.has(c)), false);
  jig.setChannels([...now], true);
  jig.setRelay(board.relay());
  return () => {
    offChannels();
    offRelay();
    offScreen();
  };
}

// ---- all together -------------------------------------------------------------------------------------------------

/**
 * `firmware`: resetbot's firmware (firmware/resetbot.hex, or `hex`) in avr8js; `protocol`: VirtualFirmware;
 * `firmata`: StandardFirmata (firmware/third-party/, or `hex`) in avr8js, its pins wired straight to the solenoid
 * drivers as on a Firmata bench (src/bench/firmata.ts, FIRMATA_CHANNEL_PINS).
 */
export type VirtualBoardKind = 'firmware' | 'protocol' | 'firmata';

export interface VirtualBenchConfig {
  board: VirtualBoardKind;
  clock: Clock;
  modelId: string;
  /** The phone's real MAC, 12 lower-case hex digits. */
  mac: string;
  fixture: Fixture;
  seed: number | string;
  phoneOptions?: SimPhoneOptions;
  /** The phone's boot waits pass this many times faster (SimDeviceConfig.quickBoot; default 1, its own timeline). */
  quickBoot?: number;
  /** Intel HEX text for an avr8js board (default: the committed image of its kind). */
  hex?: string;
  /** Emulated ms per AvrBoard slice (default 1). */
  sliceMs?: number;
  /** The port path the binding offers. */
  path?: string;
  /** Called with every channel and relay change, with the board's time. */
  onChange?: (entry: JigTraceEntry) => void;
}

export interface VirtualBench {
  kind: VirtualBoardKind;
  /** The board's serial line (all three kinds have the SerialBoard surface). */
  board: SerialBoard;
  /** The serialport binding onto the board, and the path to open. */
  binding: BindingInterface;
  path: string;
  /** The line's baud rate: the firmware's, or StandardFirmata's. */
  baudRate: number;
  phone: SimPhone;
  jig: VirtualJig;
  /** The phone's screen, as a camera on the bench would report it. */
  observer: SimObserver;
  /** Unwires the jig, unplugs the board and switches the phone off (no timer of theirs is left on the clock). */
  dispose(): void;
}

/** A bench board (real firmware or StandardFirmata in avr8js, or the protocol in TypeScript) with a phone in its jig. */
export function createVirtualBench(config: VirtualBenchConfig): VirtualBench {
  const { clock, fixture } = config;
  const phone = new SimPhone({
    modelId: config.modelId,
    mac: config.mac,
    clock,
    seed: config.seed,
    options: config.phoneOptions,
    ...(config.quickBoot !== undefined ? { quickBoot: config.quickBoot } : {}),
  });
  const jig = new VirtualJig({ fixture, phone, clock });
  const observer = new SimObserver(phone);
  const common = { phone, jig, observer };
  switch (config.board) {
    case 'protocol': {
      const board = new VirtualFirmware({ clock });
      const path = config.path ?? VIRTUAL_PORT_PATH;
      const detach = attachJig(board, jig, { onChange: config.onChange });
      return { ...common, kind: 'protocol', board, path, baudRate: BAUD_RATE, binding: createBoardBinding(board, { path }), dispose: () => teardown(detach, board, phone) };
    }
    case 'firmware': {
      const board = new AvrBoard({ clock, hex: config.hex, sliceMs: config.sliceMs });
      const path = config.path ?? AVR_PORT_PATH;
      const detach = attachJig(board, jig, { onChange: config.onChange });
      return { ...common, kind: 'firmware', board, path, baudRate: BAUD_RATE, binding: createAvrBinding(board, { path }), dispose: () => teardown(detach, board, phone) };
    }
    case 'firmata': {
      const board = new AvrBoard({ clock, hex: config.hex ?? loadStandardFirmataHex(), sliceMs: config.sliceMs, lineBaud: FIRMATA_BAUD_RATE });
      const path = config.path ?? FIRMATA_SIM_PORT;
      const pins = new UnoPinWatcher(board);
      const disconnect = connectFirmataJig(pins, jig);
      const stopTrace = pins.onChange((high, changed, t) => {
        for (const pin of changed) {
          const channel = FIRMATA_CHANNEL_PINS.indexOf(pin);
          if (pin === FIRMATA_RELAY_PIN) config.onChange?.({ t, channel: 'relay', key: null, on: high[pin]! });
          else if (channel >= 0 && channel < jig.channels) {
            config.onChange?.({ t, channel, key: jig.keyOn(channel) ?? null, on: high[pin]! });
          }
        }
      });
      const detach = (): void => {
        stopTrace();
        disconnect();
        pins.dispose();
      };
      return { ...common, kind: 'firmata', board, path, baudRate: FIRMATA_BAUD_RATE, binding: createAvrBinding(board, { path }), dispose: () => teardown(detach, board, phone) };
    }
  }
}

function teardown(detach: () => void, board: SerialBoard, phone: SimPhone): void {
  detach();
  board.powerOff();
  phone.setPower(false);
}
