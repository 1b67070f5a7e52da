/**
 * VirtualJig: the mechanical jig around a simulated unit, AS BUILT (jig-wiring.ts): energising a channel presses the
 * key its solenoid really sits over, de-energising releases it. A channel with nothing under it moves a solenoid over
 * nothing. The relay switches the phone's power when the jig really routes power through it; otherwise the phone sits
 * on its own supply and is powered from the start.
 *
 * The jig is the simulator's, not the controller's: it is built from its own wiring record (by the jig's name), or
 * from a description a test gives it; the controller's fixture file may describe it wrongly (the `miswire` fault).
 * Mechanical faults: a solenoid stuck off (never moves), one stuck on (its key down from the start, whatever the
 * board does), one that also presses its neighbour's key some of the time.
 *
 * Every channel and relay change is traced with its clock time, for tests and `--trace`.
 */
import type { Clock } from '../clock/clock.js';
import type { Key } from '../bench/keys.js';
import { BenchError } from '../errors/errors.js';
import type { SimDevice } from './device.js';
import { BUILT_JIGS, builtTo, miswired, type JigWiring } from './jig-wiring.js';
import { Rng } from './rng.js';

export interface VirtualJigFaults {
  /** Channels whose solenoid never moves (stuck off): the command is traced, the key is never pressed. */
  stuckOff?: number[];
  /** Channels whose solenoid is stuck down: its key is held from the start, whatever the board does. */
  stuckOn?: number[];
  /** A solenoid that also catches the key of the next channel's solenoid, with probability p per press. */
  neighbour?: { channel: number; p: number }[];
  /** Pairs of channels whose wires are swapped on the built jig (the fixture file does not know). */
  miswire?: Array<[number, number]>;
}

export interface JigTraceEntry {
  t: number;
  /** A solenoid channel, or the power relay. */
  channel: number | 'relay';
  /** The key really under the channel; null for the relay or a channel over nothing. */
  key: Key | null;
  on: boolean;
  /** Present when the channel is stuck off: the key did not move. */
  stuck?: true;
  /** Present when the solenoid also caught this neighbouring key. */
  neighbour?: Key;
}

/** What a test may describe a jig by: a fixture-shaped object (its name finds the built jig, if there is one). */
export interface JigDescription {
  name: string;
  channels: number;
  relay: boolean;
  keys: Readonly<Record<string, number>>;
}

export interface VirtualJigConfig {
  /** The jig as built; default: the built jig of `fixture.name`, else one built exactly to `fixture`. */
  wiring?: JigWiring;
  fixture?: JigDescription;
  phone: SimDevice;
  clock: Clock;
  /** Seeds the mechanical dice (the neighbour fault). */
  seed?: number | string;
  faults?: VirtualJigFaults;
}

/** The built jig a description names (or one built exactly to it), with the miswire fault applied. */
export function jigWiringFor(config: Pick<VirtualJigConfig, 'wiring' | 'fixture'>, miswire?: Array<[number, number]>): JigWiring {
  const base =
    config.wiring ??
    (config.fixture
      ? (BUILT_JIGS.get(config.fixture.name) ?? builtTo(config.fixture.name, config.fixture.channels, config.fixture.relay, config.fixture.keys))
      : undefined);
  if (!base) throw new Error('VirtualJig needs a wiring or a fixture');
  return miswire && miswire.length > 0 ? miswired(base, miswire) : base;
}

export class VirtualJig {
  readonly wiring: JigWiring;
  readonly phone: SimDevice;
  private readonly clock: Clock;
  private readonly stuck: Set<number>;
  private readonly stuckOn: Set<number>;
  private readonly neighbourP: Map<number, number>;
  private readonly dice: Rng;
  private readonly on = new Set<number>();
  /** Neighbour keys a channel's press also caught, released with it. */
  private readonly caught = new Map<number, Key>();
  private relay = false;
  private readonly log: JigTraceEntry[] = [];

  constructor(config: VirtualJigConfig) {
    const f = config.faults ?? {};
    this.wiring = jigWiringFor(config, f.miswire);
    this.phone = config.phone;
    this.clock = config.clock;
    this.stuck = new Set(f.stuckOff ?? []);
    this.stuckOn = new Set(f.stuckOn ?? []);
    this.neighbourP = new Map((f.neighbour ?? []).map((n) => [n.channel, n.p]));
    this.dice = new Rng(config.seed ?? 0).fork('jig');
    // Without the relay in the power path the phone is on its own supply.
    if (!this.wiring.relay) this.phone.setPower(true);
    for (const c of this.stuckOn) {
      const key = this.wiring.keyOn.get(c);
      if (key !== undefined) this.phone.keyDown(key);
    }
  }

  /** The jig's board channels. */
  get channels(): number {
    return this.wiring.channels;
  }

  /** The key really under a channel. */
  keyOn(channel: number): Key | undefined {
    return this.wiring.keyOn.get(channel);
  }

  /** Switches one channel. */
  setChannel(channel: number, on: boolean): void {
    this.setChannels([channel], on);
  }

  /** Switches channels together (one latch edge: the same clock time for all). Unchanged channels are not traced. */
  setChannels(channels: number[], on: boolean): void {
    for (const c of channels) this.checkChannel(c);
    const changed = [...new Set(channels)].filter((c) => this.on.has(c) !== on);
    if (changed.length === 0) return;
    const t = this.clock.now();
    const entries: JigTraceEntry[] = [];
    for (const c of changed) {
      if (on) this.on.add(c);
      else this.on.delete(c);
      const entry: JigTraceEntry = { t, channel: c, key: this.wiring.keyOn.get(c) ?? null, on };
      if (this.stuck.has(c)) entry.stuck = true;
      if (on && !this.stuck.has(c)) {
        const p = this.neighbourP.get(c);
        const next = this.wiring.keyOn.get(c + 1);
        if (p !== undefined && next !== undefined && this.dice.chance(p)) {
          this.caught.set(c, next);
          entry.neighbour = next;
        }
      }
      entries.push(entry);
      this.log.push(entry);
    }
    for (const e of entries) {
      const c = e.channel as number;
      if (e.key === null || this.stuck.has(c) || this.stuckOn.has(c)) continue;
      if (on) this.phone.keyDown(e.key);
      else this.phone.keyUp(e.key);
    }
    for (const e of entries) {
      const c = e.channel as number;
      if (on && e.neighbour !== undefined) this.phone.keyDown(e.neighbour);
      const caught = this.caught.get(c);
      if (!on && caught !== undefined) {
        this.caught.delete(c);
        this.phone.keyUp(caught);
      }
    }
  }

  /** Every solenoid off at once (the relay is left as it is). */
  releaseChannels(): void {
    this.setChannels([...this.on], false);
  }

  setRelay(on: boolean): void {
    if (on === this.relay) return;
    this.relay = on;
    this.log.push({ t: this.clock.now(), channel: 'relay', key: null, on });
    if (this.wiring.relay) this.phone.setPower(on);
  }

  relayOn(): boolean {
    return this.relay;
  }

  channelOn(channel: number): boolean {
    return this.on.has(channel);
  }

  /** Energised channels, ascending. */
  energised(): number[] {
    return [...this.on].sort((a, b) => a - b);
  }

  /** Every change so far, in order (a copy). */
  trace(): JigTraceEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  private checkChannel(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.wiring.channels) {
      throw new BenchError(
        'bad-channel',
        `channel ${channel} does not exist on jig ${this.wiring.name} (channels 0 to ${this.wiring.channels - 1})`,
        'check the fixture file',
      );
    }
  }
}
