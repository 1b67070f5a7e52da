/**
 * The in-process bench: SimDriver (the BenchDriver over a VirtualJig, timed on the Clock), SimObserver (the phone's
 * screen, as a camera would see it) and createSimBench, which wires a simulated phone, jig and driver together.
 *
 * The driver behaves like the real firmware where the controller can tell:
 * - commands before open() reject (BenchError 'not-open');
 * - no solenoid stays energised longer than `maxHoldMs` (default 20 s): the channels are cut and a 'hold-limit' event
 *   is emitted, whether they were energised by hold() or by a press() longer than the limit;
 * - a dropped serial line (dropLink(), or the linkLostAfterCommands / linkLostAtMs faults) emits 'link-lost', the
 *   board's watchdog releases every solenoid, in-flight presses and every later command reject with BenchError
 *   'link-lost'; open() reconnects, which resets the board like opening a real Uno's port: solenoids and relay off;
 * - releaseAll() always works (solenoids off, relay off), even with the link down.
 */
import type { Clock } from '../clock/clock.js';
import { createBench } from '../bench/bench.js';
import type { Fixture } from '../bench/fixture.js';
import { Listeners } from '../bench/listeners.js';
import { checkPressMs, HoldLimit, interruptibleSleep } from '../bench/press-timing.js';
import type { Bench, BenchDriver, DriverEvent, DriverInfo, Observer, ScreenObservation } from '../bench/types.js';
import { BenchError, ConfigError, nearest } from '../errors/errors.js';
import { VirtualJig, type VirtualJigFaults } from './jig.js';
import type { JigWiring } from './jig-wiring.js';
import type { SimDevice } from './device.js';
import { SIM_DEVICES } from './devices.js';
import { SimPhone, type SimPhoneFaults, type SimPhoneOptions } from './phone.js';
import { SIM_MODELS, simModelIds } from './phones.js';

/** The firmware's longest energised time per solenoid, mirrored by the simulator by default. */
export const SIM_MAX_HOLD_MS = 20_000;

export interface SimDriverFaults {
  /** After this many commands succeed, the line drops: the next command rejects with 'link-lost'. */
  linkLostAfterCommands?: number;
  /** The line drops at this clock time (ms). */
  linkLostAtMs?: number;
}

export interface SimDriverConfig {
  jig: VirtualJig;
  clock: Clock;
  maxHoldMs?: number;
  faults?: SimDriverFaults;
}

export class SimDriver implements BenchDriver {
  readonly info: DriverInfo;
  readonly jig: VirtualJig;
  private readonly clock: Clock;
  private readonly faults: SimDriverFaults;
  private opened = false;
  private link = true;
  private lostReason = '';
  private autoDropped = false;
  private commands = 0;
  private readonly listeners = new Listeners<[DriverEvent]>();
  private readonly limit: HoldLimit;
  /** Presses in flight hear of a dropped link through this. */
  private readonly interrupts = new Listeners<[Error]>();

  constructor(config: SimDriverConfig) {
    this.jig = config.jig;
    this.clock = config.clock;
    this.faults = config.faults ?? {};
    const maxHoldMs = config.maxHoldMs ?? SIM_MAX_HOLD_MS;
    if (!(maxHoldMs > 0)) throw new ConfigError('bad-hold-limit', `hold limit ${maxHoldMs} ms`, 'give a positive hold limit in ms');
    const n = this.faults.linkLostAfterCommands;
    if (n !== undefined && !(Number.isInteger(n) && n >= 0)) {
      throw new ConfigError('bad-fault', `link lost after ${n} commands`, 'give a whole number of commands, 0 or more');
    }
    this.info = { driver: 'sim', channels: this.jig.channels, maxHoldMs, port: 'sim' };
    this.limit = new HoldLimit(this.clock, maxHoldMs, (cut) => {
      this.deenergise(cut);
      this.listeners.emit({ kind: 'hold-limit', channels: cut.sort((a, b) => a - b) });
    });
    const at = this.faults.linkLostAtMs;
    if (at !== undefined) {
      this.clock.setTimeout(() => this.dropLink(`serial line dropped at ${at} ms (fault)`), Math.max(0, at - this.clock.now()));
    }
  }

  /** Whether the serial line is up. */
  get linkUp(): boolean {
    return this.link;
  }

  async open(): Promise<void> {
    if (!this.link) {
      // Reopening the port resets the board: everything to its safe state.
      this.cutAll();
      this.jig.setRelay(false);
      this.link = true;
    }
    this.opened = true;
  }

  async press(channels: number[], ms: number, signal?: AbortSignal): Promise<void> {
    this.command();
    checkPressMs(ms);
    if (signal?.aborted) throw signal.reason;
    // A press within the limit ends itself; a longer one is cut by the limit timer, which is scheduled before the
    // press's own wait and so fires first at the same instant.
    this.energise(channels, ms > this.info.maxHoldMs);
    try {
      await interruptibleSleep(this.clock, Math.min(ms, this.info.maxHoldMs), signal, this.interrupts);
    } finally {
      this.deenergise(channels);
    }
  }

  async hold(channels: number[]): Promise<void> {
    this.command();
    this.energise(channels, true);
  }

  async release(channels: number[]): Promise<void> {
    this.command();
    this.deenergise(channels);
  }

  async setPower(on: boolean): Promise<void> {
    this.command();
    this.jig.setRelay(on);
  }

  async releaseAll(): Promise<void> {
    this.cutAll();
    this.jig.setRelay(false);
  }

  async readSensor(): Promise<number | undefined> {
    this.command();
    return undefined;
  }

  onEvent(listener: (event: DriverEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    await this.releaseAll();
    this.opened = false;
  }

  /** Fault injection: the serial line drops now. */
  dropLink(reason = 'serial line dropped'): void {
    if (!this.link) return;
    this.link = false;
    this.lostReason = reason;
    this.cutAll(); // the board's watchdog releases every solenoid when the host falls silent
    this.interrupts.emit(this.lostError());
    this.listeners.emit({ kind: 'link-lost', reason });
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private command(): void {
    if (!this.opened) throw new BenchError('not-open', 'sim bench: command sent before open()', 'open the driver before using it');
    const after = this.faults.linkLostAfterCommands;
    if (this.link && !this.autoDropped && after !== undefined && this.commands >= after) {
      this.autoDropped = true;
      this.dropLink(`serial line dropped after ${after} commands (fault)`);
    }
    if (!this.link) throw this.lostError();
    this.commands++;
  }

  private lostError(): BenchError {
    return new BenchError('link-lost', `serial link lost: ${this.lostReason}`, 'check the USB cable and the board, then run again');
  }

  /** Switches channels on; with `limited`, the ones newly on share a hold-limit timer. */
  private energise(channels: number[], limited: boolean): void {
    const fresh = [...new Set(channels)].filter((c) => !this.jig.channelOn(c));
    this.jig.setChannels(channels, true); // validates every channel first
    if (limited) this.limit.arm(fresh);
  }

  private deenergise(channels: number[]): void {
    const on = channels.filter((c) => this.jig.channelOn(c));
    this.jig.setChannels(on, false);
    this.limit.released(on);
  }

  private cutAll(): void {
    this.deenergise(this.jig.energised());
  }
}

/**
 * The phone's screen as a perfect camera would report it: every screen exactly, `latencyMs` after the phone shows it
 * (the observer-latency fault; 0 by default). `current()` is what the camera has delivered so far.
 */
export class SimObserver implements Observer {
  readonly kind = 'screen' as const;
  readonly name = 'sim-screen';
  private readonly phone: SimDevice;
  private readonly clock: Clock | undefined;
  private readonly latencyMs: number;
  private delivered: ScreenObservation;
  private readonly listeners = new Listeners<[ScreenObservation]>();
  private unsubscribe: (() => void) | undefined;

  constructor(phone: SimDevice, options: { clock?: Clock; latencyMs?: number } = {}) {
    this.phone = phone;
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 0;
    if (this.latencyMs > 0 && !this.clock) throw new ConfigError('bad-fault', 'observer latency needs the clock', 'pass the clock');
    this.delivered = phone.view();
  }

  /** The screen as delivered: the phone's own frozen object (the same one each listener got), never a copy. */
  current(): ScreenObservation {
    return this.latencyMs > 0 ? this.delivered : this.phone.view();
  }

  subscribe(listener: (screen: ScreenObservation) => void): () => void {
    if (this.latencyMs === 0) return this.phone.onScreen(listener);
    this.unsubscribe ??= this.phone.onScreen((screen) => {
      this.clock!.setTimeout(() => {
        this.delivered = screen;
        this.listeners.emit(screen);
      }, this.latencyMs);
    });
    return this.listeners.add(listener);
  }
}

/** Every fault the simulated bench can show, flat (phone, jig and driver faults together). */
export interface SimFaults extends SimPhoneFaults, VirtualJigFaults, SimDriverFaults {
  /** The camera delivers each screen this long after the phone shows it. */
  observerLatencyMs?: number;
}

export interface SimBenchConfig {
  modelId: string;
  /** The MAC the job gives (any common spelling). */
  mac: string;
  /** The phone's real MAC when it differs from the job's (a wrong label); default: `mac`. */
  realMac?: string;
  fixture: Fixture;
  clock: Clock;
  seed: number | string;
  faults?: SimFaults;
  options?: SimPhoneOptions;
  /** The driver's hold limit, ms (default: the fixture's maxHoldMs, else SIM_MAX_HOLD_MS). */
  maxHoldMs?: number;
  /** A blind bench: no observer. */
  blind?: boolean;
  /** The jig as built, when a test builds its own (default: the built jig the fixture names; see jig.ts). */
  wiring?: JigWiring;
}

export interface SimBench {
  bench: Bench;
  /** The simulated unit: a SimPhone (keypad phones), or one of devices.ts. */
  phone: SimDevice;
  jig: VirtualJig;
  driver: SimDriver;
  observer: SimObserver | undefined;
}

/** A MAC in any common spelling (`00-04-F2-AA-81-4C`, `0004.f2aa.814c`, `0004F2AA814C`) as 12 lower-case hex. */
export function normalizeSimMac(raw: string): string {
  const mac = raw.replace(/[-:.\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(mac)) {
    throw new ConfigError('bad-mac', `MAC '${raw}' is not 12 hex digits`, 'give the MAC from the phone label, e.g. 00-04-F2-AA-81-4C');
  }
  return mac;
}

export function createSimBench(config: SimBenchConfig): SimBench {
  normalizeSimMac(config.mac);
  const f = config.faults ?? {};
  const phone = createSimDevice({
    modelId: config.modelId,
    mac: normalizeSimMac(config.realMac ?? config.mac),
    clock: config.clock,
    seed: config.seed,
    options: config.options,
    faults: { slowBoot: f.slowBoot, misfire: f.misfire, bounce: f.bounce, shortCancelWindowMs: f.shortCancelWindowMs },
  });
  const jig = new VirtualJig({
    fixture: config.fixture,
    ...(config.wiring ? { wiring: config.wiring } : {}),
    phone,
    clock: config.clock,
    seed: config.seed,
    faults: { stuckOff: f.stuckOff, stuckOn: f.stuckOn, neighbour: f.neighbour, miswire: f.miswire },
  });
  const driver = new SimDriver({
    jig,
    clock: config.clock,
    maxHoldMs: config.maxHoldMs ?? config.fixture.maxHoldMs,
    faults: { linkLostAfterCommands: f.linkLostAfterCommands, linkLostAtMs: f.linkLostAtMs },
  });
  const observer = config.blind ? undefined : new SimObserver(phone, { clock: config.clock, latencyMs: f.observerLatencyMs ?? 0 });
  return { bench: createBench(driver, config.fixture, observer), phone, jig, driver, observer };
}

/** Every model id the simulator has a unit for: the keypad phones (phones.ts) and the units of devices.ts. */
export function simUnitIds(): string[] {
  return [...simModelIds(), ...Object.keys(SIM_DEVICES)];
}

/**
 * The simulated unit of a model id: a SimPhone for the keypad phones (phones.ts), one of devices.ts otherwise. Phone
 * options apply to SimPhones only; the Cancel-window fault too.
 */
export function createSimDevice(config: {
  modelId: string;
  mac: string;
  clock: Clock;
  seed: number | string;
  options?: SimPhoneOptions | undefined;
  faults?: SimPhoneFaults;
}): SimDevice {
  if (SIM_MODELS.has(config.modelId)) return new SimPhone(config);
  const make = SIM_DEVICES[config.modelId];
  if (!make) {
    throw new ConfigError(
      'unknown-model',
      `the simulator has no unit '${config.modelId}'`,
      `use one of its model ids (nearest: ${nearest(config.modelId, simUnitIds()).join(', ')})`,
    );
  }
  const { shortCancelWindowMs: _unused, ...faults } = config.faults ?? {};
  return make({ modelId: config.modelId, mac: config.mac, clock: config.clock, seed: config.seed, faults });
}
