/**
 * VirtualJig: the mechanical jig around a SimPhone. A fixture (src/bench/fixture.ts) says which channel's solenoid
 * sits over which logical key; energising a channel presses that key, de-energising releases it. A channel with
 * nothing mapped moves a solenoid over nothing. The relay switches the phone's power when the fixture routes power
 * through it (`relay: true`); otherwise the phone sits on its own supply and is powered from the start.
 *
 * Every channel and relay change is traced with its clock time, for tests and `--trace`.
 */
import type { Clock } from '../clock/clock.js';
import { keyOnChannel, type Fixture } from '../bench/fixture.js';
import type { Key } from '../bench/keys.js';
import { BenchError } from '../errors/errors.js';
import type { SimDevice } from './device.js';

export interface VirtualJigFaults {
  /** Channels whose solenoid never moves (stuck off): the command is traced, the key is never pressed. */
  stuckOff?: number[];
}

export interface JigTraceEntry {
  t: number;
  /** A solenoid channel, or the power relay. */
  channel: number | 'relay';
  /** The key under the channel; null for the relay or an unmapped channel. */
  key: Key | null;
  on: boolean;
  /** Present when the channel is stuck off: the key did not move. */
  stuck?: true;
}

export interface VirtualJigConfig {
  fixture: Fixture;
  phone: SimDevice;
  clock: Clock;
  faults?: VirtualJigFaults;
}

export class VirtualJig {
  readonly fixture: Fixture;
  readonly phone: SimDevice;
  private readonly clock: Clock;
  private readonly stuck: Set<number>;
  private readonly on = new Set<number>();
  private relay = false;
  private readonly log: JigTraceEntry[] = [];

  constructor(config: VirtualJigConfig) {
    this.fixture = config.fixture;
    this.phone = config.phone;
    this.clock = config.clock;
    this.stuck = new Set(config.faults?.stuckOff ?? []);
    // Without the relay in the power path the phone is on its own supply.
    if (!this.fixture.relay) this.phone.setPower(true);
  }

  /** Switches one channel. */
  setChannel(channel: number, on: boolean): void {
    this.setChannels([channel], on);
  }

  /** Switches channels together (one latch edge: the same clock time for all). Unchanged channels are not traced. */
  setChannels(channels: number[], on: boolean): void {
    for (const c of channels) this.checkChannel(c);
    const changed = [...new Set(channels)].filter((c) => this.on.has(c) !== on);
    const t = this.clock.now();
    for (const c of changed) {
      if (on) this.on.add(c);
      else this.on.delete(c);
      const key = keyOnChannel(this.fixture, c) ?? null;
      const entry: JigTraceEntry = { t, channel: c, key, on };
      if (this.stuck.has(c)) entry.stuck = true;
      this.log.push(entry);
    }
    for (const c of changed) {
      const key = keyOnChannel(this.fixture, c);
      if (key === undefined || this.stuck.has(c)) continue;
      if (on) this.phone.keyDown(key);
      else this.phone.keyUp(key);
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
    if (this.fixture.relay) this.phone.setPower(on);
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
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.fixture.channels) {
      throw new BenchError(
        'bad-channel',
        `channel ${channel} does not exist on jig ${this.fixture.name} (channels 0 to ${this.fixture.channels - 1})`,
        'check the fixture file',
      );
    }
  }
}
