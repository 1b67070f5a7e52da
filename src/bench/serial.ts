/**
 * The serial bench driver: resetbot's own firmware (firmware/PROTOCOL.md) over `serialport` and the readline parser.
 *
 * - Handshake: open the port, wait for the banner an Uno prints after the DTR reset of the open; a board that does not
 *   reset on open (a pseudo-terminal, a board with auto-reset cut) is asked with `version` instead. The identity is
 *   checked (firmware name, protocol version, an optional pinned firmware version, enough channels for the fixture),
 *   then the board is put in its safe state (stop byte, `power off`).
 * - One command in flight: commands queue, each gets an id and waits for its `ok`/`err` within `replyTimeoutMs`;
 *   replies with ids this session did not send (stale bytes) are ignored.
 * - Timed presses run on the board: `press` resolves at the board's `! done` (or rejects when it does not come in
 *   time). While anything is energised the driver pings often enough to feed the board's host watchdog.
 * - Faults are bench failures (BenchError): no reply, no banner, another firmware or protocol, the port lost (USB
 *   unplugged), the board's watchdog firing, and a banner in the middle of a run (the board reset: its outputs and
 *   relay went off, so the run's idea of the bench is void). Each fault is reported once: as its event (board-reset,
 *   watchdog, link-lost), and to what was waiting on the board then (a press, the command in flight). A command sent
 *   after the event goes to the board as it is now: it does not fail again for a fault already reported.
 * - A lost port (a USB adapter unplugged, or re-enumerated after a brown-out) is reopened: after `link-lost` the
 *   driver tries to open the same path again every `reconnectEveryMs` for `reconnectMs`, and does the whole handshake
 *   again (identity, safe state). Commands and releaseAll() given meanwhile wait for it; when it gives up they reject
 *   with the loss. open() again starts afresh.
 * - releaseAll() sends the out-of-band stop byte first (every solenoid and the relay off at once, even mid-line), then
 *   `power off`; close() releases before it closes. All timeouts run on the injected Clock.
 */
import { realpathSync } from 'node:fs';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { Clock, TimerId } from '../clock/clock.js';
import { BenchError, ConfigError, ResetbotError } from '../errors/errors.js';
import { CommandIds, encodeCommand, encodeStop, type Command } from '../protocol/encode.js';
import {
  checkIdentity,
  parseIdentity,
  parseLine,
  parseSensorData,
  parseStateData,
  type BoardLine,
  type BoardState,
  type DoneReason,
  type FirmwareInfo,
  type Identity,
} from '../protocol/parse.js';
import { BAUD_RATE } from '../protocol/version.js';
import { Listeners } from './listeners.js';
import { checkPressMs } from './press-timing.js';
import type { BenchDriver, DriverEvent, DriverInfo } from './types.js';

export interface SerialDriverOptions {
  /** The port, e.g. /dev/ttyUSB0 (or the path a test binding offers). */
  path: string;
  clock: Clock;
  /** The serialport binding; default: serialport's native one. Tests pass one onto an emulated board. */
  binding?: BindingInterface;
  /** Default 115200, the firmware's. */
  baudRate?: number;
  /** How long a command waits for its reply (default 1000 ms). */
  replyTimeoutMs?: number;
  /**
   * How long open() waits for the banner before asking with `version` (default 2500 ms: an Uno's bootloader runs for
   * up to about a second after the reset of the open; 0 for a pseudo-terminal, which resets nothing).
   */
  bannerWaitMs?: number;
  /** The firmware version the board must report (a station file may pin one). */
  firmwareVersion?: string;
  /** Channels the jig uses (its highest channel + 1): open() fails when the board drives fewer. */
  needChannels?: number;
  /** After the link is lost, how long the driver keeps trying to reopen the port (default 30000 ms; 0: never). */
  reconnectMs?: number;
  /** How often it tries (default 500 ms). */
  reconnectEveryMs?: number;
}

/** A command without its id (the driver numbers them). */
type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'id'> : never) : never;

interface Queued {
  body: CommandBody;
  resolve: (data: string) => void;
  reject: (err: Error) => void;
  /** Called with the command's id just before its line is written. */
  onId?: (id: number) => void;
  /** The line was sent once already and came back refused as garbled (GARBLED_LINE). */
  resent?: boolean;
}

/**
 * Refusals that say the board did not understand the line at all: on a line resetbot encoded itself, a byte was lost
 * or changed on the way (noise on a USB serial line, a dropped byte). The board acted on nothing, so the same command
 * is sent once more; refused again, it is a bug.
 */
const GARBLED_LINE = new Set(['unknown-command']);

interface InFlight extends Queued {
  id: number;
  line: string;
  timer: TimerId;
}

interface PressWait {
  channels: number[];
  resolve: (reason: DoneReason) => void;
  reject: (err: Error) => void;
}

type Phase = 'closed' | 'opening' | 'ready' | 'lost';

const DEFAULT_REPLY_TIMEOUT_MS = 1000;
/** The reply timeout on a pseudo-terminal (a virtual bench whose emulated board shares a busy host). */
const PTY_REPLY_TIMEOUT_MS = 5000;
const DEFAULT_BANNER_WAIT_MS = 2500;
const DEFAULT_RECONNECT_MS = 30_000;
const DEFAULT_RECONNECT_EVERY_MS = 500;
/** `version` tries when no banner came: the first may land in a bootloader's last moments. */
const VERSION_TRIES = 2;

/** True when `path` is a pseudo-terminal (a virtual bench under `sim serve`): nothing resets when it opens. */
function isPseudoTerminal(path: string): boolean {
  try {
    return realpathSync(path).startsWith('/dev/pts/');
  } catch {
    return false;
  }
}

/** The open error of a port, with what to do about it. */
function openError(path: string, err: Error): BenchError {
  const text = err.message.replace(/^Error:?\s*/, '');
  let hint = 'check the cable and the port (`resetbot ports` lists them)';
  if (/no such file|ENOENT/i.test(text)) hint = 'check the path: `resetbot ports` lists the serial ports';
  else if (/permission denied|EACCES/i.test(text)) hint = 'let your user use serial ports (sudo usermod -aG dialout $USER, then log in again)';
  else if (/lock/i.test(text)) hint = 'another program has the port open (a serial monitor, another resetbot): close it';
  return new BenchError('port-open-failed', `cannot open serial port ${path}: ${text}`, hint);
}

export class SerialDriver implements BenchDriver {
  private readonly path: string;
  private readonly clock: Clock;
  private readonly binding: BindingInterface;
  private readonly baudRate: number;
  private readonly replyTimeoutMs: number;
  private readonly bannerWaitMs: number;
  private readonly firmwareVersion: string | undefined;
  private readonly needChannels: number;
  private readonly reconnectMs: number;
  private readonly reconnectEveryMs: number;

  private phase: Phase = 'closed';
  private opening: Promise<void> | undefined;
  private port: SerialPortStream | undefined;
  private fw: FirmwareInfo | undefined;
  private ids = new CommandIds();
  private readonly queue: Queued[] = [];
  /** Lines the board refused as not understood and that were sent again (GARBLED_LINE). */
  garbledLines = 0;
  private inflight: InFlight | undefined;
  private readonly presses = new Map<number, PressWait>();
  /** Channels held (hold without release yet), for the keepalive. */
  private readonly held = new Set<number>();
  /** The board reset while this command was in flight: if its reply never comes, it fails with the reset. */
  private resetInFlight: { id: number; err: BenchError } | undefined;
  /** The reopening of a lost port under way: resolves true once the board is back. */
  private reconnecting: Promise<boolean> | undefined;
  /** Counts close() calls: a reconnection begun before one gives up. */
  private closes = 0;
  private lostError: BenchError | undefined;
  private stopSeen = false;
  private lastSentAt = 0;
  private keepaliveTimer: TimerId | undefined;
  /** During the handshake: the banner's waiter, and lines heard that were not the protocol (for the error). */
  private bannerWaiter: ((identity: Identity) => void) | undefined;
  private heard: string[] = [];
  private readonly listeners = new Listeners<[DriverEvent]>();

  constructor(options: SerialDriverOptions) {
    this.path = options.path;
    this.clock = options.clock;
    this.binding = options.binding ?? SerialPort.binding;
    this.baudRate = options.baudRate ?? BAUD_RATE;
    // A pseudo-terminal is a virtual bench (`sim serve`): its board is emulated by a process the host may stall for a
    // moment, so its replies get more time than a real board's.
    this.replyTimeoutMs = options.replyTimeoutMs ?? (isPseudoTerminal(options.path) ? PTY_REPLY_TIMEOUT_MS : DEFAULT_REPLY_TIMEOUT_MS);
    this.bannerWaitMs = options.bannerWaitMs ?? (isPseudoTerminal(options.path) ? 0 : DEFAULT_BANNER_WAIT_MS);
    this.firmwareVersion = options.firmwareVersion;
    this.needChannels = options.needChannels ?? 0;
    this.reconnectMs = options.reconnectMs ?? DEFAULT_RECONNECT_MS;
    this.reconnectEveryMs = Math.max(1, options.reconnectEveryMs ?? DEFAULT_RECONNECT_EVERY_MS);
  }

  get info(): DriverInfo {
    const fw = this.fw;
    return {
      driver: 'serial',
      ...(fw ? { firmware: { name: fw.name, version: fw.version, protocol: fw.protocol } } : {}),
      channels: fw?.channels ?? 0,
      maxHoldMs: fw?.maxHoldMs ?? 0,
      port: this.path,
    };
  }

  /** What the board's banner said, once open. */
  get firmware(): FirmwareInfo | undefined {
    return this.fw;
  }

  // ---- BenchDriver --------------------------------------------------------------------------------------------------

  async open(): Promise<void> {
    // A lost port being reopened: that reopening is this open, unless it gives up.
    if (this.reconnecting && (await this.reconnecting)) return;
    if (this.phase === 'ready') return;
    this.opening ??= this.handshake().finally(() => (this.opening = undefined));
    return this.opening;
  }

  async press(channels: number[], ms: number, signal?: AbortSignal): Promise<void> {
    checkPressMs(ms);
    if (signal?.aborted) throw signal.reason;
    if (ms === 0) return;
    const maxHold = this.fw?.maxHoldMs ?? Infinity;
    // The board refuses presses over its maximum hold; like the board's own limit, a longer press is cut at it.
    const limited = ms > maxHold;
    const boardMs = Math.min(Math.max(1, Math.round(ms)), maxHold);

    let id = 0;
    let wait!: PressWait;
    const done = new Promise<DoneReason>((resolve, reject) => (wait = { channels, resolve, reject }));
    done.catch(() => {}); // awaited below; rejections before that point are handled there
    try {
      await this.send({ op: 'press', ms: boardMs, channels }, (pressId) => {
        id = pressId;
        this.presses.set(id, wait);
      });
    } catch (err) {
      this.presses.delete(id);
      throw err;
    }
    this.armKeepalive();

    const timer = this.clock.setTimeout(() => {
      wait.reject(
        new BenchError('no-done', `the board did not end press ${id} (${boardMs} ms) in time`, 'check the board: it may have hung or lost power'),
      );
    }, boardMs + this.replyTimeoutMs);
    const onAbort = (): void => {
      // Release these channels now (the caller usually releases everything as well) and give up the wait.
      this.send({ op: 'release', channels }).catch(() => {});
      wait.reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort(); // aborted while the press command was on its way
    try {
      const reason = await done;
      // Cut by our clamp (the board ended it by time); a `! limit` from the board has been reported already.
      if (limited && reason === 'time') this.emit({ kind: 'hold-limit', channels: [...new Set(channels)].sort((a, b) => a - b) });
    } finally {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.presses.delete(id);
      this.armKeepalive();
    }
  }

  async hold(channels: number[]): Promise<void> {
    await this.send({ op: 'hold', channels });
    for (const c of channels) this.held.add(c);
    this.armKeepalive();
  }

  async release(channels: number[]): Promise<void> {
    await this.send({ op: 'release', channels });
    for (const c of channels) this.held.delete(c);
  }

  async setPower(on: boolean): Promise<void> {
    await this.send({ op: 'power', on });
  }

  async releaseAll(): Promise<void> {
    // A lost port being reopened: its handshake ends in the safe state; then release again, to be sure.
    if (this.reconnecting && !(await this.reconnecting)) throw this.lostError!;
    switch (this.phase) {
      case 'closed':
        return; // never opened, or closed (which released): nothing of ours is on
      case 'lost':
        throw this.lostError!;
      case 'opening':
        // The handshake ends by releasing everything; meanwhile the stop byte is all that can be said.
        this.writeRaw(encodeStop());
        return;
      case 'ready':
        try {
          await this.safeState();
        } catch (err) {
          // The link dropped while this was on its way: once the port is back (its handshake releases), release again.
          if (!this.reconnecting || !(await this.reconnecting)) throw err;
          await this.safeState();
        }
    }
  }

  async readSensor(): Promise<number | undefined> {
    return parseSensorData(await this.send({ op: 'sensor' }));
  }

  onEvent(listener: (event: DriverEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.closes++;
    if (this.phase === 'closed') return;
    let failure: unknown;
    if (this.phase === 'ready') {
      try {
        await this.safeState();
      } catch (err) {
        failure = err;
      }
    }
    const closed = new BenchError('closed', `serial port ${this.path} was closed`, 'open the driver again');
    this.phase = 'closed';
    this.failWaiting(closed);
    await this.closePort();
    if (failure) throw failure;
  }

  // ---- more than a BenchDriver: for doctor and the benchmark -------------------------------------------------------

  /** One round trip: `ping`. */
  async ping(): Promise<void> {
    await this.send({ op: 'ping' });
  }

  /** The board's own account of its outputs, relay, watchdog and running presses. */
  async state(): Promise<BoardState> {
    return parseStateData(await this.send({ op: 'state' }));
  }

  // ---- the handshake ------------------------------------------------------------------------------------------------

  private async handshake(again = false): Promise<void> {
    const closes = this.closes;
    this.phase = 'opening';
    this.resetInFlight = undefined;
    if (!again) this.lostError = undefined;
    this.ids = new CommandIds();
    this.heard = [];
    try {
      await this.openPort();
      const identity = (await this.awaitBanner(again)) ?? (await this.askVersion());
      const fw = checkIdentity(identity);
      if (this.firmwareVersion !== undefined && fw.version !== this.firmwareVersion) {
        throw new BenchError(
          'firmware-version',
          `the board on ${this.path} runs ${fw.name} ${fw.version}, the station wants ${this.firmwareVersion}`,
          `flash firmware/resetbot.hex (${fw.name} ${this.firmwareVersion}) or change the station's "firmware"`,
        );
      }
      if (this.needChannels > fw.channels) {
        throw new ConfigError(
          'too-few-channels',
          `the jig uses channels up to ${this.needChannels - 1}, but the board on ${this.path} drives ${fw.channels} (0 to ${fw.channels - 1})`,
          'use a fixture for this board, or add shift registers and rebuild the firmware',
        );
      }
      this.fw = fw;
      // A board that did not reset on open may hold anything from an earlier session: start from the safe state.
      await this.safeState();
      if ((this.phase as Phase) !== 'opening' || this.closes !== closes) throw this.lostError ?? new BenchError('closed', `serial port ${this.path} was closed`);
      this.phase = 'ready';
    } catch (err) {
      const wasLost = (this.phase as Phase) === 'lost';
      // A reconnection that fails leaves the link lost (it may try again), unless the driver was closed meanwhile.
      this.phase = again && this.closes === closes ? 'lost' : 'closed';
      this.failWaiting(err as Error);
      await this.closePort();
      throw wasLost && this.lostError ? this.lostError : err;
    }
  }

  /**
   * Reopens a lost port: the same path, every reconnectEveryMs for reconnectMs (a USB adapter that re-enumerates comes
   * back under its name once the kernel has it again), with the whole handshake. Resolves true once the board is back.
   */
  private reconnect(): Promise<boolean> {
    const closes = this.closes;
    const until = this.clock.now() + this.reconnectMs;
    const attempt = async (): Promise<boolean> => {
      while (this.clock.now() < until) {
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.reconnectEveryMs));
        if (this.closes !== closes || this.phase !== 'lost') return false;
        try {
          await this.handshake(true);
          this.emit({ kind: 'reconnected', port: this.path });
          return true;
        } catch {
          if (this.closes !== closes) return false;
          // not back yet
        }
      }
      return false;
    };
    const p = attempt().finally(() => {
      if (this.reconnecting === p) this.reconnecting = undefined;
    });
    return p;
  }

  private openPort(): Promise<void> {
    const port = new SerialPortStream({ binding: this.binding, path: this.path, baudRate: this.baudRate, autoOpen: false });
    const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
    parser.on('data', (line: string) => this.onLine(line));
    port.on('close', (err?: Error | null) => {
      if (this.port === port) this.linkLost(err?.message ?? 'the port closed');
    });
    port.on('error', (err: Error) => {
      if (this.port === port && !port.isOpen) this.linkLost(err.message);
    });
    this.port = port;
    return new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) {
          this.port = undefined;
          reject(openError(this.path, err));
          return;
        }
        // Bytes that waited in the port before this session (a pseudo-terminal keeps them) are not ours.
        port.flush(() => resolve());
      });
    });
  }

  /** The banner, or undefined when none came within bannerWaitMs. */
  private awaitBanner(again = false): Promise<Identity | undefined> {
    // Reopening after a loss: the board has long since booted (or resets on this open and prints it soon after the
    // version request is answered, which it then is not): ask at once.
    if (this.bannerWaitMs <= 0 || again) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.bannerWaiter = undefined;
        resolve(undefined);
      }, this.bannerWaitMs);
      this.bannerWaiter = (identity) => {
        this.clock.clearTimeout(timer);
        this.bannerWaiter = undefined;
        resolve(identity);
      };
    });
  }

  private async askVersion(): Promise<Identity> {
    for (let attempt = 1; attempt <= VERSION_TRIES; attempt++) {
      try {
        const data = await this.send({ op: 'version' }, undefined, true);
        const identity = parseIdentity(data);
        if (!identity) throw new BenchError('bad-reply', `the board's version reply is malformed: '${data}'`, 'check that the board runs resetbot firmware');
        return identity;
      } catch (err) {
        if (!(err instanceof BenchError && err.code === 'no-reply')) throw err;
      }
    }
    throw this.silentBoard();
  }

  private silentBoard(): BenchError {
    const wait = this.bannerWaitMs > 0 ? `no banner within ${this.bannerWaitMs} ms and ` : '';
    const heard = this.heard.length > 0 ? `; it printed: ${this.heard.map((l) => JSON.stringify(l)).join(', ')}` : '';
    return new BenchError(
      'no-banner',
      `no answer from the board on ${this.path}: ${wait}no reply to 'version'${heard}`,
      'check that the board runs resetbot firmware (flash firmware/resetbot.hex: see hardware.md) and that this is its port',
    );
  }

  // ---- commands -----------------------------------------------------------------------------------------------------

  /**
   * Queues a command. While a lost port is being reopened, a command waits for it (`internal`: the handshake's own
   * commands, which do not); if the port does not come back it rejects with the loss.
   */
  private async send(body: CommandBody, onId?: (id: number) => void, internal = false): Promise<string> {
    if (this.reconnecting && !internal && !(await this.reconnecting)) throw this.lostError!;
    if (this.phase === 'lost') throw this.lostError!;
    if (this.phase === 'closed') {
      throw new BenchError('not-open', `serial bench ${this.path}: command sent before open()`, 'open the driver before using it');
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ body, resolve, reject, ...(onId ? { onId } : {}) });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inflight || !this.port) return;
    const next = this.queue.shift();
    if (!next) return;
    const id = this.ids.next();
    let line: string;
    try {
      line = encodeCommand({ ...next.body, id } as Command);
    } catch (err) {
      next.reject(err as Error);
      this.pump();
      return;
    }
    next.onId?.(id);
    const timer = this.clock.setTimeout(() => this.replyTimedOut(id), this.replyTimeoutMs);
    this.inflight = { ...next, id, line: line.trimEnd(), timer };
    this.writeRaw(line);
  }

  private replyTimedOut(id: number): void {
    const f = this.inflight;
    if (!f || f.id !== id) return;
    this.inflight = undefined;
    // A reply lost to a board reset reports the reset, which is the cause.
    const fault = this.resetInFlight?.id === id ? this.resetInFlight.err : undefined;
    this.resetInFlight = undefined;
    f.reject(
      fault ??
        new BenchError(
          'no-reply',
          `the board on ${this.path} did not answer '${f.line}' within ${this.replyTimeoutMs} ms`,
          'check that the board is powered and runs resetbot firmware; unplug and replug its USB cable',
        ),
    );
    this.pump();
  }

  private writeRaw(data: string | Uint8Array): void {
    const port = this.port;
    if (!port) return;
    this.lastSentAt = this.clock.now();
    port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (err) => {
      if (err && this.port === port) this.linkLost(`write failed: ${err.message}`);
    });
  }

  /** Stop byte, then `power off`; `release all` as well if the board did not confirm the stop. */
  private async safeState(): Promise<void> {
    this.held.clear();
    this.stopSeen = false;
    this.writeRaw(encodeStop());
    try {
      await this.send({ op: 'power', on: false }, undefined, true);
      if (!this.stopSeen) await this.send({ op: 'release', channels: 'all' }, undefined, true);
    } catch (err) {
      // The board reset while this was on its way (never answered): the board that came back must hear it, once.
      if (!(err instanceof BenchError && err.code === 'board-reset') || this.phase !== 'ready') throw err;
      this.writeRaw(encodeStop());
      await this.send({ op: 'power', on: false }, undefined, true);
      await this.send({ op: 'release', channels: 'all' }, undefined, true);
    }
  }

  // ---- what the board says ------------------------------------------------------------------------------------------

  private onLine(text: string): void {
    const line = parseLine(text);
    switch (line.kind) {
      case 'banner':
        this.onBanner(line);
        return;
      case 'ok':
      case 'err':
        this.onReply(line);
        return;
      case 'event':
        this.onEventLine(line.event);
        return;
      default:
        if (this.phase === 'opening' && this.heard.length < 3 && line.raw.trim() !== '') this.heard.push(line.raw);
    }
  }

  private onBanner(line: Extract<BoardLine, { kind: 'banner' }>): void {
    if (this.phase === 'opening') {
      this.bannerWaiter?.(line.identity);
      return;
    }
    if (this.phase !== 'ready') return;
    // The board reset in the middle of the session: outputs and relay are off, presses are gone.
    this.emit({ kind: 'board-reset', banner: line.raw });
    this.held.clear();
    let fw: FirmwareInfo;
    try {
      fw = checkIdentity(line.identity);
    } catch (err) {
      this.linkLost(`the board reset and came back as something else (${(err as Error).message})`);
      return;
    }
    this.fw = fw;
    const err = new BenchError(
      'board-reset',
      `the board on ${this.path} reset during the run (it printed its banner again): every solenoid and the relay went off`,
      'check the board\'s supply: solenoids on a weak supply brown it out (hardware.md, power budget); check the USB cable',
    );
    // Presses the board had accepted are gone with the reset. A command in flight may have reached the old board (its
    // reply is lost: it times out, reporting this) or the new one (it is answered): it is left to run its course.
    // Nothing else reports it: the event has, and the next command goes to the board as it is now.
    const presses = [...this.presses.values()];
    this.presses.clear();
    for (const wait of presses) wait.reject(err);
    if (this.inflight) this.resetInFlight = { id: this.inflight.id, err };
  }

  private onReply(line: Extract<BoardLine, { kind: 'ok' | 'err' }>): void {
    const f = this.inflight;
    if (!f || f.id !== line.id) return; // a stale reply (to a command that timed out, or of an earlier session)
    this.clock.clearTimeout(f.timer);
    this.inflight = undefined;
    if (line.kind === 'ok') f.resolve(line.data);
    else if (!f.resent && line.name !== undefined && GARBLED_LINE.has(line.name)) {
      // Garbled on the way: the same command again, first in the queue (it keeps its place in the order).
      this.garbledLines++;
      this.presses.delete(f.id); // a press refused never started: its wait moves to the id sent next
      const { id: _id, line: _line, timer: _timer, ...again } = f;
      this.queue.unshift({ ...again, resent: true });
    } else f.reject(this.refused(f, line));
    this.pump();
  }

  private refused(f: InFlight, line: Extract<BoardLine, { kind: 'err' }>): ResetbotError {
    const what = `the board refused '${f.line}'${f.resent ? ' (sent twice)' : ''}: ${line.message} (error ${line.code})`;
    if (line.name === 'channel-out-of-range') {
      return new ConfigError('channel-out-of-range', what, `the board drives channels 0 to ${(this.fw?.channels ?? 1) - 1}: fix the fixture`);
    }
    // The board holds what resetbot believes off (its state drifted from the host's after a fault on the line, e.g. a
    // banner that was noise): a bench failure, which the retry's release puts right. Refusing what resetbot itself
    // holds is resetbot's bug.
    const busyOn = (f.body.op === 'press' || f.body.op === 'hold') && Array.isArray(f.body.channels) ? f.body.channels : [];
    const believedOn = new Set([...this.held, ...[...this.presses.values()].flatMap((p) => p.channels)]);
    const drifted =
      (line.name === 'busy' && busyOn.length > 0 && busyOn.every((c) => !believedOn.has(c))) || (line.name === 'too-many-presses' && this.presses.size === 0);
    if (drifted) {
      return new BenchError('board-state-drift', `${what}, which resetbot believed free`, 'the board and resetbot disagree after a fault on the serial line: release everything and start again');
    }
    return new ResetbotError('bug', `board-${line.name ?? `error-${line.code}`}`, what, 'this is a resetbot bug: please report it with the --json record');
  }

  private onEventLine(event: Extract<BoardLine, { kind: 'event' }>['event']): void {
    switch (event.type) {
      case 'done': {
        const wait = this.presses.get(event.id);
        if (!wait) return;
        this.presses.delete(event.id);
        if (event.reason === 'watchdog') wait.reject(this.watchdogError());
        else wait.resolve(event.reason);
        return;
      }
      case 'limit':
        for (const c of event.channels) this.held.delete(c);
        this.emit({ kind: 'hold-limit', channels: event.channels });
        return;
      case 'watchdog':
        for (const c of event.channels) this.held.delete(c);
        // Reported once, as this event (a press cut by it rejects too: its `! done ... watchdog` follows).
        this.emit({ kind: 'watchdog' });
        return;
      case 'stop':
        this.stopSeen = true;
        this.held.clear();
        return;
      default:
        return; // an event of a newer firmware
    }
  }

  private watchdogError(): BenchError {
    return new BenchError(
      'watchdog',
      `the board on ${this.path} released every solenoid: it heard nothing from resetbot for its watchdog time`,
      'the host stalled (an overloaded machine, a suspended process): run again',
    );
  }

  // ---- link loss and teardown ---------------------------------------------------------------------------------------

  private linkLost(reason: string): void {
    if (this.phase === 'lost' || this.phase === 'closed') return;
    this.lostError = new BenchError('link-lost', `serial link to ${this.path} lost: ${reason}`, 'check the USB cable and the board, then run again');
    const wasReady = this.phase === 'ready';
    this.phase = 'lost';
    this.failWaiting(this.lostError);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => {});
    if (wasReady) {
      if (this.reconnectMs > 0) this.reconnecting = this.reconnect();
      this.emit({ kind: 'link-lost', reason });
    }
  }

  /** Rejects everything that waits on the board: the command in flight, presses, and the commands queued. */
  private failWaiting(err: Error): void {
    const f = this.inflight;
    if (f) {
      this.clock.clearTimeout(f.timer);
      this.inflight = undefined;
      f.reject(err);
    }
    for (const wait of this.presses.values()) wait.reject(err);
    this.presses.clear();
    for (const q of this.queue.splice(0)) q.reject(err);
    this.held.clear();
    this.clock.clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.clock.clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  /** While anything is energised, a line at least every third of the board's watchdog time. */
  private armKeepalive(): void {
    if (this.keepaliveTimer !== undefined) return;
    if (this.presses.size === 0 && this.held.size === 0) return;
    const every = Math.max(50, Math.floor((this.fw?.watchdogMs ?? 3000) / 3));
    this.keepaliveTimer = this.clock.setTimeout(
      () => {
        this.keepaliveTimer = undefined;
        if (this.phase !== 'ready') return;
        if (!this.inflight && this.queue.length === 0 && this.clock.now() - this.lastSentAt >= every - 1) {
          // The driver's own: a failure of it shows on the next real command.
          this.send({ op: 'ping' }, undefined, true).catch(() => {});
        }
        this.armKeepalive();
      },
      Math.max(1, this.lastSentAt + every - this.clock.now()),
    );
  }

  private emit(event: DriverEvent): void {
    this.listeners.emit(event);
  }
}
