import type { Key } from './keys.js';
import type { Fixture } from './fixture.js';

/** What a driver reports about itself after the handshake. */
export interface DriverInfo {
  driver: 'serial' | 'firmata' | 'sim';
  /** Firmware name and version as the board's banner gives them (absent for the in-process simulator). */
  firmware?: { name: string; version: string; protocol: number };
  /** Solenoid channels the board drives. */
  channels: number;
  /** Longest time the board (or, for firmata, the host) lets one solenoid stay energised. */
  maxHoldMs: number;
  /** Where the driver is connected: a port path, or `sim`. */
  port: string;
}

/** Unprompted news from a driver: the board reset mid-run, a hold cut at its limit, the link lost. */
export type DriverEvent =
  | { kind: 'board-reset'; banner: string }
  | { kind: 'hold-limit'; channels: number[] }
  | { kind: 'watchdog'; }
  | { kind: 'link-lost'; reason: string }
  /** A lost link is back: the driver reopened the port and did the handshake again (the board is in its safe state). */
  | { kind: 'reconnected'; port: string }
  | { kind: 'sensor'; value: number };

/**
 * Channel-level actuators: what every driver (serial firmware, StandardFirmata, simulator) implements.
 * Every method rejects with a BenchError when the bench fails.
 */
export interface BenchDriver {
  readonly info: DriverInfo;
  /** Opens the link and checks the board (banner, versions). Idempotent. */
  open(): Promise<void>;
  /** Energises the channels together (one latch edge) for `ms`, timed on the board; resolves once released. */
  press(channels: number[], ms: number, signal?: AbortSignal): Promise<void>;
  /** Energises the channels together until release() or the hold limit. Resolves once they are energised. */
  hold(channels: number[]): Promise<void>;
  /** De-energises the channels. */
  release(channels: number[]): Promise<void>;
  /** Switches the phone's power relay. */
  setPower(on: boolean): Promise<void>;
  /** Every solenoid off at once and the relay to its safe state (off). Must be safe to call at any time, twice. */
  releaseAll(): Promise<void>;
  /** The analog sensor (0..1023), when the bench has one. */
  readSensor(): Promise<number | undefined>;
  /** Subscribes to unprompted events; returns the unsubscribe function. */
  onEvent(listener: (event: DriverEvent) => void): () => void;
  /** Releases everything and closes the link. */
  close(): Promise<void>;
}

/** What a camera (or the simulator standing in for one) sees on the phone. */
export interface ScreenObservation {
  /** Lines of text on the display, top to bottom. Empty when the display is dark. */
  lines: string[];
  /** Softkey labels left to right ('' where a softkey has no label). */
  softkeys: string[];
  /** Indicator LEDs by name (`mwi`, `mute`, `handsfree`, `headset`): 'off', 'on', 'blink', or a colour. */
  leds: Record<string, string>;
  /** Whether the display is lit. */
  lit: boolean;
}

/** Something that watches the phone. Absent on a blind bench: then a run that completes is `unverified`. */
export interface Observer {
  readonly kind: 'screen';
  /** Which observer it is, for the record's evidence: `sim-screen`, `camera`. */
  readonly name?: string;
  current(): ScreenObservation;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (screen: ScreenObservation) => void): () => void;
  /**
   * Reads the screen afresh (a camera: the next frame read whole by OCR, nothing kept from the frames before). A
   * reading can be wrong on a picture that then stays the same, and one the observer would otherwise never read
   * again; a machine that has waited longer than the screen should take asks for a fresh look. No-op for the
   * simulator's perfect screen.
   */
  lookAgain?(): void;
}

/**
 * The bench as the machines see it: logical keys (through the fixture), power, observations.
 */
export interface Bench {
  readonly driver: BenchDriver;
  readonly fixture: Fixture;
  readonly observer: Observer | undefined;
  press(keys: Key[], ms: number, signal?: AbortSignal): Promise<void>;
  hold(keys: Key[]): Promise<void>;
  release(keys: Key[]): Promise<void>;
  power(on: boolean): Promise<void>;
  releaseAll(): Promise<void>;
}
