/**
 * The observers' one interface (DESIGN.md "observe/"): every observer (camera, network, light sensor, and the
 * simulator's perfect screen) turns raw signals into typed observations, each with its source, a confidence and a
 * time on the run's clock. The machines consume observations; they never know which observer made one, nor whether it
 * is real or simulated.
 *
 * Screens keep the ScreenObservation shape the machines already read (bench/types.ts). A screen observer also answers
 * `current()` (the screen believed now), so a machine entering a state can test it at once.
 */
import type { ScreenObservation } from '../bench/types.js';

export type { ScreenObservation } from '../bench/types.js';

/** Where an observation came from: the observer's kind and, when useful, which instance (`camera:/dev/video0`). */
export type ObserverKind = 'screen' | 'camera' | 'network' | 'light';

interface Seen {
  /** The observer that made it, e.g. `camera`, `sim-screen`, `network:dhcp`, `network:http`, `network:probe`. */
  source: string;
  /** 0..1: how sure the observer is (a perfect simulated screen says 1). */
  confidence: number;
  /** Clock time (ms) of the raw signal it was made from (a frame's capture time, a packet's arrival). */
  t: number;
}

/** What the display shows, believed (a camera believes a state only after consecutive frames agree). */
export interface ScreenSeen extends Seen {
  kind: 'screen';
  screen: ScreenObservation;
}

/** Who the phone is, as it said so itself (DHCP option 60 / client id, a provisioning request's User-Agent). */
export interface IdentitySeen extends Seen {
  kind: 'identity';
  /** 12 lower-case hex digits. */
  mac: string;
  /** The model as the phone names itself (`VVX_410`, `SPIP_335`), when it did. */
  model?: string;
  partNumber?: string;
  /** Application (UC Software / SIP) version, when the phone said it. */
  software?: string;
  bootrom?: string;
  /** The boot stage that spoke: the Updater (BootROM) or the application. */
  stage?: 'updater' | 'application';
}

/** The phone started a boot stage (a DHCP request after a silence, a provisioning request of a new stage). */
export interface BootSeen extends Seen {
  kind: 'boot';
  mac: string;
  stage: 'updater' | 'application' | 'unknown';
}

/** One provisioning request the bench's server answered. */
export interface RequestSeen extends Seen {
  kind: 'request';
  mac?: string;
  method: string;
  path: string;
  userAgent: string;
  model?: string;
  software?: string;
  stage?: 'updater' | 'application';
}

/** The default-login probe's verdict on the phone's web server / REST API. */
export interface ProbeSeen extends Seen {
  kind: 'probe';
  mac: string;
  /**
   * `factory-defaults`: the factory admin password was accepted (or the phone asks for a new admin password, as UC
   * Software 5+ does after a reset); `locked`: it was refused; `no-answer`: nothing answered.
   */
  verdict: 'factory-defaults' | 'locked' | 'no-answer';
  detail: string;
}

/** The light sensor over the display. */
export interface LightSeen extends Seen {
  kind: 'light';
  lit: boolean;
  /** Raw reading, 0..1023. */
  level: number;
}

export type Observation = ScreenSeen | IdentitySeen | BootSeen | RequestSeen | ProbeSeen | LightSeen;
export type ObservationKind = Observation['kind'];

/** One observer: a pipeline from a source to observations. */
export interface ObservationSource {
  /** e.g. `camera`, `sim-screen`, `network`. */
  readonly name: string;
  /** The kinds of observation it can make. */
  readonly provides: ReadonlySet<ObservationKind>;
  /** Starts watching (spawns ffmpeg, binds the DHCP server...). Rejects with a BenchError when it cannot. */
  start(): Promise<void>;
  /** Stops watching and frees what it holds. Safe to call twice. */
  stop(): Promise<void>;
  /** Calls `listener` with each observation; returns the unsubscribe function. */
  subscribe(listener: (o: Observation) => void): () => void;
  /** The screen believed now (screen observers only). */
  current?(): ScreenObservation | undefined;
  /**
   * Reads the screen afresh on the next frame, forgetting what was read of a picture that has not changed (screen
   * observers that read, such as a camera): for a machine that has waited for a screen longer than it should take.
   */
  lookAgain?(): void;
  /** Runs the default-login probe against the phone with this MAC now (network observers only). */
  probe?(mac: string, signal?: AbortSignal): Promise<ProbeSeen>;
}
