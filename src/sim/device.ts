/**
 * What the virtual jig and the observer need of a simulated unit (SimPhone, and the units of devices.ts), and the base
 * class with the plumbing every unit shares (SimPhone included): power, keys as the jig presses them (with the misfire,
 * bounce and slow-boot faults), state timers on the Clock, the screen and its LEDs, the event log.
 */
import type { Key } from '../bench/keys.js';
import type { ScreenObservation } from '../bench/types.js';
import type { Clock, TimerId } from '../clock/clock.js';
import { ConfigError } from '../errors/errors.js';
import { Rng, type Range } from './rng.js';
import type { SetupMenu, SetupTruth } from './setup-menu.js';

export interface SimEvent {
  t: number;
  what: string;
}

/** The simulator's account of a unit. Never shown to the controller. */
export interface SimDeviceTruth {
  modelId: string;
  mac: string;
  /** Whether the unit is at factory defaults (the reset it was asked for completed). */
  factoryDefaults: boolean;
  state: string;
  /** Resets completed. */
  resets: number;
  /** Reboots by key combo (seed 001 "Rebooting the Phone"). */
  reboots: number;
  /** The provisioning settings, on a phone with a Setup menu (SimPhone; setup-menu.ts). */
  setup?: SetupTruth;
  events: SimEvent[];
}

export interface SimDevice {
  readonly modelId: string;
  /** The unit's state name (for tests and the CLI's simulator account). */
  readonly state: string;
  /** The boot-time Setup menu, on a phone that has one (SimPhone; setup-menu.ts). */
  readonly setup?: SetupMenu | undefined;
  setPower(on: boolean): void;
  keyDown(key: Key): void;
  keyUp(key: Key): void;
  /** What a camera would see now (a copy). */
  screen(): ScreenObservation;
  /**
   * What a camera would see now, as the one frozen object every listener of this screen got: read it, do not keep
   * expecting it to change (the next screen is a new object). Cheaper than `screen()`; nothing can change it.
   */
  view(): Readonly<ScreenObservation>;
  /** Calls `listener` with every new screen; returns the unsubscribe function. */
  onScreen(listener: (screen: ScreenObservation) => void): () => void;
  /** Keys physically down on the unit now (the jig's effect). */
  keysDown(): Key[];
  truth(): SimDeviceTruth;
  /** Calls `listener` with each event the unit logs; returns the unsubscribe function. */
  onEvent(listener: (e: SimEvent) => void): () => void;
}

/** Faults every unit can show (SimPhone has these, and more). */
export interface SimDeviceFaults {
  /** Boot timings multiplied by this (>= 1). */
  slowBoot?: number;
  /** Keys whose key-downs are lost with probability p (the key-up is then ignored too). */
  misfire?: { key: Key; p: number }[];
  /** Probability that a key-down registers twice (a bounce). */
  bounce?: number;
}

export interface SimDeviceConfig {
  modelId: string;
  /** 12 lower-case hex digits. */
  mac: string;
  clock: Clock;
  seed: number | string;
  faults?: SimDeviceFaults;
  /**
   * A test bench's phone whose boot waits pass this many times faster (0 < k <= 1): the Updater, the Cancel delay, the
   * application start and the reset's own screens. Never a window, the countdown or the keypad: what the controller
   * must catch in time stays as it is; nor a dark screen, which is how a camera sees a reboot. For tests that emulate every cycle of a board (StandardFirmata in
   * avr8js), where minutes of boot are minutes of CPU.
   */
  quickBoot?: number;
}

const MAC_RE = /^[0-9a-f]{12}$/;

function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new ConfigError('bad-fault', `${what}: probability ${p} is not between 0 and 1`, 'give a probability from 0 to 1');
}

/** A unit whose state names are `State` (and 'off', the state before power and after it is cut). */
export abstract class SimDeviceBase<State extends string = string> implements SimDevice {
  readonly modelId: string;
  readonly mac: string;
  protected readonly clock: Clock;
  /** Per-instance draws (fixed for the unit's life). */
  protected readonly instance: Rng;
  /** Per-boot draws. */
  protected readonly timing: Rng;
  private readonly dice: Rng;
  /** Per-instance variant draws (variants.ts), a stream of their own so they never move the other draws. */
  protected readonly variants: Rng;
  protected readonly faults: SimDeviceFaults;
  /**
   * A power cut shorter than this does not reach the unit: its supply rides through (a variant; the seeds power off
   * "count to 10"). Drawn per unit; a subclass may set its own.
   */
  protected minPowerOffMs: number;
  private rideThrough: TimerId | undefined;

  protected powered = false;
  protected st: State | 'off' = 'off';
  protected atDefaults = false;
  protected resets = 0;
  protected reboots = 0;
  /** Keys physically down (powered or not). */
  protected readonly physical = new Set<Key>();
  private readonly dropped = new Set<Key>();
  private readonly log: SimEvent[] = [];
  private readonly timers = new Set<TimerId>();
  /** quickBoot's factor (1: the phone's own timeline). */
  private readonly quick: number;
  /** The screen showing now, frozen (arrays and LEDs too): one object a screen, shared by every listener. */
  private scr: ScreenObservation = frozenScreen([], [], {}, false);
  private readonly listeners = new Set<(screen: ScreenObservation) => void>();
  private readonly eventListeners = new Set<(e: SimEvent) => void>();

  constructor(config: SimDeviceConfig) {
    if (!MAC_RE.test(config.mac)) {
      throw new ConfigError('bad-mac', `simulated unit: MAC '${config.mac}' is not 12 lower-case hex digits`, 'give the MAC like 0004f2aa814c');
    }
    this.modelId = config.modelId;
    this.mac = config.mac;
    this.clock = config.clock;
    this.faults = config.faults ?? {};
    this.quick = config.quickBoot ?? 1;
    if (!(this.quick > 0 && this.quick <= 1)) {
      throw new ConfigError('bad-quick-boot', `quick boot factor ${config.quickBoot} is not above 0 and at most 1`, 'give a factor such as 0.25');
    }
    const f = this.faults;
    if (f.slowBoot !== undefined && !(f.slowBoot >= 1)) {
      throw new ConfigError('bad-fault', `slow boot factor ${f.slowBoot} is below 1`, 'give a factor of 1 or more, e.g. 2');
    }
    for (const m of f.misfire ?? []) checkProbability(m.p, `misfire of key ${m.key}`);
    if (f.bounce !== undefined) checkProbability(f.bounce, 'key bounce');
    const rng = new Rng(config.seed);
    this.instance = rng.fork('instance');
    this.timing = rng.fork('timing');
    this.dice = rng.fork('faults');
    this.variants = rng.fork('variant');
    // Assumption: a desk phone's or base's supply rides through a cut of up to 0.2 to 4 s.
    this.minPowerOffMs = this.variants.int(200, 4_000);
  }

  // ---- what each unit defines ---------------------------------------------------------------------------------

  /** Power applied: start the boot timeline. */
  protected abstract boot(): void;
  /** A key registered (powered, not lost to a misfire). */
  protected abstract pressed(key: Key): void;
  /** A key released (after `physical` is updated). */
  protected abstract released(key: Key): void;

  /**
   * After every key-down and key-up that changed `physical` (powered or not; after a bounce's second press): for a
   * unit that watches which keys are down together rather than each press. Default: nothing.
   */
  protected keysChanged(): void {}

  /** Power was cut in state `was` (the unit is already dark and 'off'): a cut during a reset's work interrupts it. */
  protected poweredOff(was: State | 'off'): void {
    if (was === 'resetting' || was === 'restoring') this.event('reset-interrupted');
  }

  /** The softkey labels of a screen shown without any: none by default; SimPhone shows its four, unlabelled. */
  protected blankSoftkeys(): string[] {
    return [];
  }

  // ---- the outside world --------------------------------------------------------------------------------------

  setPower(on: boolean): void {
    if (!on && this.powered && this.rideThrough === undefined && this.minPowerOffMs > 0) {
      // The supply rides through a short cut: nothing happens unless it lasts minPowerOffMs.
      this.rideThrough = this.clock.setTimeout(() => {
        this.rideThrough = undefined;
        this.event(`supply-drained after ${this.minPowerOffMs} ms`);
        this.cutPower();
      }, this.minPowerOffMs);
      return;
    }
    if (on && this.rideThrough !== undefined) {
      this.clock.clearTimeout(this.rideThrough);
      this.rideThrough = undefined;
      this.event(`power-cut too short to reboot (under ${this.minPowerOffMs} ms)`);
      return;
    }
    if (on === this.powered || this.rideThrough !== undefined) return;
    if (!on) {
      this.cutPower();
      return;
    }
    this.powered = true;
    this.event('power-on');
    this.boot();
  }

  private cutPower(): void {
    this.powered = false;
    const was = this.st;
    this.enter('off');
    this.show([], [], {}, false);
    this.event('power-off');
    // Power cut during a reset leaves the unit not reset: its truth changes only once the reset's work is done.
    this.poweredOff(was);
  }

  keyDown(key: Key): void {
    if (this.physical.has(key) || this.dropped.has(key)) return;
    const misfire = this.faults.misfire?.find((m) => m.key === key);
    if (misfire && this.dice.chance(misfire.p)) {
      this.dropped.add(key);
      this.event(`key-dropped ${key}`);
      return;
    }
    this.physical.add(key);
    if (this.powered) {
      this.pressed(key);
      if (this.faults.bounce !== undefined && this.dice.chance(this.faults.bounce)) {
        this.event(`key-bounced ${key}`);
        this.physical.delete(key);
        this.released(key);
        this.physical.add(key);
        this.pressed(key);
      }
    }
    this.keysChanged();
  }

  keyUp(key: Key): void {
    if (this.dropped.delete(key)) return;
    if (!this.physical.delete(key)) return;
    if (this.powered) this.released(key);
    this.keysChanged();
  }

  screen(): ScreenObservation {
    return { lines: [...this.scr.lines], softkeys: [...this.scr.softkeys], leds: { ...this.scr.leds }, lit: this.scr.lit };
  }

  view(): Readonly<ScreenObservation> {
    return this.scr;
  }

  onScreen(listener: (screen: ScreenObservation) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  keysDown(): Key[] {
    return [...this.physical];
  }

  /**
   * Calls `listener` with each event the unit logs from now on (after it is logged): for the simulator's own parts that
   * follow the unit's life, such as its network stack (sim/net). Returns the unsubscribe function.
   */
  onEvent(listener: (e: SimEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  truth(): SimDeviceTruth {
    return {
      modelId: this.modelId,
      mac: this.mac,
      factoryDefaults: this.atDefaults,
      state: this.st,
      resets: this.resets,
      reboots: this.reboots,
      events: this.log.map((e) => ({ ...e })),
    };
  }

  get state(): State | 'off' {
    return this.st;
  }

  // ---- plumbing -------------------------------------------------------------------------------------------------

  /** Enters a state: every timer of the previous state is cancelled. */
  protected enter(state: State | 'off'): void {
    for (const id of this.timers) this.clock.clearTimeout(id);
    this.timers.clear();
    this.st = state;
  }

  protected after(ms: number, fn: () => void): TimerId {
    const id = this.clock.setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
    return id;
  }

  protected cancel(id: TimerId | undefined): void {
    if (id === undefined) return;
    this.clock.clearTimeout(id);
    this.timers.delete(id);
  }

  /** A boot figure, stretched by the slow-boot fault (and shortened on a quick-boot test phone). */
  protected bootMs(range: Range): number {
    const k = (this.faults.slowBoot ?? 1) * this.quick;
    return this.timing.jitter({ min: range.min * k, max: range.max * k });
  }

  /** How long the display stays dark as the unit (re)boots: stretched by the slow-boot fault, never shortened. */
  protected darkMs(range: Range): number {
    const k = this.faults.slowBoot ?? 1;
    return this.timing.jitter({ min: range.min * k, max: range.max * k });
  }

  /** A wait of the reset's own (its screens, the run before the second reboot): shortened on a quick-boot phone. */
  protected resetWaitMs(range: Range): number {
    return this.timing.jitter({ min: range.min * this.quick, max: range.max * this.quick });
  }

  protected show(lines: string[], softkeys: string[] = this.blankSoftkeys(), leds: Record<string, string> = {}, lit = true): void {
    if (sameScreen(lines, softkeys, leds, lit, this.scr)) return;
    // One frozen copy for every listener (and view()): none can change what the next one sees, and a reader that
    // remembers what it made of a screen object (observe/meaning.ts readScreen) sees the same object again.
    const next = frozenScreen(lines, softkeys, leds, lit);
    this.scr = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  /** The screen showing now (not a copy: read it, do not change it). */
  protected get shown(): Readonly<ScreenObservation> {
    return this.scr;
  }

  /** The screen as it is, with some LEDs changed. */
  protected setLeds(leds: Record<string, string>): void {
    this.show(this.scr.lines, this.scr.softkeys, { ...this.scr.leds, ...leds }, this.scr.lit);
  }

  protected event(what: string): void {
    const e = { t: this.clock.now(), what };
    this.log.push(e);
    for (const listener of [...this.eventListeners]) listener({ ...e });
  }

  /**
   * The reset's work is done: the truth is settled (before anything shows it), then the unit restarts: dark (the LEDs
   * given), and `restart` runs after `darkMs`. For the units of devices.ts, whose states are any names ('restart').
   */
  protected resetDone(this: SimDeviceBase, leds: Record<string, string>, darkMs: number, restart: () => void): void {
    this.atDefaults = true;
    this.resets++;
    this.event('factory-defaults');
    this.event('restarting');
    this.enter('restart');
    this.show([], [], leds, false);
    this.after(darkMs, restart);
  }

  protected allDown(keys: readonly Key[]): boolean {
    return keys.every((k) => this.physical.has(k));
  }
}

/** A screen as its own frozen copy (the caller's arrays and LEDs may be its constants, or change later). */
function frozenScreen(lines: readonly string[], softkeys: readonly string[], leds: Readonly<Record<string, string>>, lit: boolean): ScreenObservation {
  return Object.freeze({
    lines: Object.freeze([...lines]) as string[],
    softkeys: Object.freeze([...softkeys]) as string[],
    leds: Object.freeze({ ...leds }),
    lit,
  });
}

/** Whether a screen shows the same as `b` (compared field by field: a JSON.stringify a screen update cost more). */
function sameScreen(lines: readonly string[], softkeys: readonly string[], leds: Readonly<Record<string, string>>, lit: boolean, b: ScreenObservation): boolean {
  const a = { lines, softkeys, leds, lit };
  if (a.lit !== b.lit || a.lines.length !== b.lines.length || a.softkeys.length !== b.softkeys.length) return false;
  for (let i = 0; i < a.lines.length; i++) if (a.lines[i] !== b.lines[i]) return false;
  for (let i = 0; i < a.softkeys.length; i++) if (a.softkeys[i] !== b.softkeys[i]) return false;
  const ak = Object.keys(a.leds);
  if (ak.length !== Object.keys(b.leds).length) return false;
  // The order of the LEDs is part of the screen as JSON compared it: same keys, same order, same colours.
  const bk = Object.keys(b.leds);
  for (let i = 0; i < ak.length; i++) if (ak[i] !== bk[i] || a.leds[ak[i]!] !== b.leds[ak[i]!]) return false;
  return true;
}
