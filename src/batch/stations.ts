import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createBench } from '../bench/bench.js';
import { loadFixture, type Fixture } from '../bench/fixture.js';
import { defaultFixturePath, fixtureFor } from '../bench/jigs.js';
import type { Bench, BenchDriver, DriverInfo } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import type { Point, Quad } from '../image/raster.js';
import { parseCorners } from '../observe/camera/calibration.js';
import { noteOcrLoaded } from '../observe/ocr-loaded.js';
import { ConfigError, classify, nearest } from '../errors/errors.js';
import { simUnitIds } from '../sim/driver.js';
import { getCatalog } from '../catalog/catalog.js';
import { benchNeeds, fixtureProblems } from '../machines/needs.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import type { Job } from './jobs.js';
import type { RunPlan } from '../machines/run-reset.js';
import { Redactor } from './redact.js';
import type { BatchRecord } from './phone-record.js';
import { simStationSchema, type SimStationOptions } from './sim-options.js';
import type { NetworkSource } from '../observe/network/proof.js';
import { resolveStationNetwork, stationNetworkSchema, type StationNetwork } from '../observe/network/config.js';
import { NetworkObserver } from '../observe/network/observer.js';
import { simStation } from './sim-station.js';

/*
 * Stations: one jig each, with its board (driver and port) and its fixture. A station file names them:
 *
 *   { "stations": [
 *       { "name": "left",  "driver": "serial", "port": "/dev/ttyUSB0", "fixture": "vvx-jig", "firmware": "1.0.0" },
 *       { "name": "sim-a", "driver": "sim", "fixture": "fixtures/soundpoint-jig.json", "sim": { "seed": 7 } } ] }
 *
 * `fixture` is a built-in jig's name (fixtures/<name>.json) or a path relative to the station file. Drivers plug in
 * per `driver` value: `sim` (a simulated board, jig and phone), and the real boards `serial` (resetbot's firmware,
 * src/bench/serial.ts) and `firmata` (StandardFirmata, src/bench/firmata.ts), each a BenchDriverFactory.
 *
 * Without a station file, the batch runs on simulated stations that have no fixed fixture: each seats its phone in
 * the jig made for the job's model and procedure (src/bench/jigs.ts), as `resetbot reset` does.
 */

export interface StationSpec {
  name: string;
  driver: string;
  /** Serial port of the board (real drivers). */
  port?: string;
  /** The station's jig; undefined for a simulated station that seats each phone in its model's jig (fixtureOf). */
  fixture?: Fixture;
  /** The firmware version the board must report, when the station file pins one. */
  firmware?: string;
  /** Simulator settings (driver `sim`). */
  sim?: SimStationOptions;
  /** The station's own network (its interface or VLAN, the bench's address): the network observer's. */
  network?: StationNetwork;
  /** The camera over the phone's display (real stations): its source and calibration. */
  camera?: StationCamera;
  /** Driver-specific settings, passed to the driver factory as given. */
  options: Record<string, unknown>;
}

/** A station's camera: where frames come from and where the display and LEDs are on them. */
export interface StationCamera {
  /** /dev/videoN, an rtsp:// or http:// URL, or a folder of frames. */
  source: string;
  /** The display's corners on the frame, clockwise from the top-left. */
  corners?: Quad;
  /** Softkey cells at the bottom of the display (default 4). */
  softkeys?: number;
  /** LED centres on the frame. */
  leds?: Record<string, Point>;
  /** Frames a second (default 4). */
  fps?: number;
}

/** One phone in a station's jig: the bench to run it on, and what to do once its run ends. */
export interface PhoneSlot {
  bench: Bench;
  /** The station's network observer, watching this phone (identity before typing, proof of reset). */
  network?: NetworkSource;
  /** Called once the phone's run has ended (any outcome), before its record is journaled. */
  finish(record: BatchRecord): Promise<void>;
}

/** A station as the batch runner drives it. */
export interface StationPort {
  /** Opens the link and checks the board; resolves to what the driver reports; rejects with a BenchError. */
  open(): Promise<DriverInfo>;
  /** The bench with this job's phone in the jig. */
  load(job: Job, run: number): Promise<PhoneSlot>;
  /** Every solenoid off, the relay to its safe state. Safe at any time. */
  releaseAll(): Promise<void>;
  /** Why the station's link is known to be down (the driver said so since it was opened), or undefined. */
  lost(): string | undefined;
  close(): Promise<void>;
}

export interface StationEnv {
  clock: Clock;
  /** The batch's own seed, mixed into simulated stations' seeds. */
  seed: number;
  /** Where simulated stations write the simulator's account of each phone, if anywhere. */
  simTruth?: (line: Record<string, unknown>) => void;
}

export type StationFactory = (spec: StationSpec, env: StationEnv) => StationPort;

/** Makes the BenchDriver for a real board (serial firmware, StandardFirmata) at the station's port. */
export type BenchDriverFactory = (spec: StationSpec, clock: Clock) => BenchDriver | Promise<BenchDriver>;

const FACTORIES = new Map<string, StationFactory>([['sim', simStation]]);

/** Plugs in a station type. */
export function registerStationFactory(driver: string, factory: StationFactory): void {
  FACTORIES.set(driver, factory);
}

/**
 * Plugs in a real board's driver: one BenchDriver per station, made and opened at the health check, used for every
 * phone the station runs. A station with a `camera` section sees the screen (its runs can end `pass`); without one,
 * its runs end `unverified` at best.
 */
export function registerBenchDriver(driver: string, make: BenchDriverFactory): void {
  registerStationFactory(driver, (spec, env) => {
    let made: BenchDriver | undefined;
    let lost: string | undefined;
    // A station with a `network` section runs its own DHCP and provisioning server on its interface for as long as
    // the station is open (a phone's identity before typing, the proof of its reset).
    let network: NetworkObserver | undefined;
    const driverFor = async (): Promise<BenchDriver> => {
      if (made) return made;
      const d = await make(spec, env.clock);
      d.onEvent((e) => {
        if (e.kind === 'link-lost') lost ??= `serial link lost: ${e.reason}`;
        if (e.kind === 'board-reset') lost ??= `the board reset during the batch (${e.banner})`;
      });
      made = d;
      return d;
    };
    return {
      open: async () => {
        const d = await driverFor();
        lost = undefined;
        await d.open();
        if (spec.network && !network) {
          const n = spec.network;
          const observer = new NetworkObserver({
            clock: env.clock,
            interface: n.interface,
            address: n.address,
            range: { ...n.range, netmask: n.netmask },
            name: `network:${spec.name}`,
          });
          await observer.start();
          network = observer;
        }
        return d.info;
      },
      load: async () => {
        const bench = createBench(await driverFor(), requiredFixture(spec));
        const net = network ? { network } : {};
        if (!spec.camera) return { bench, ...net, finish: async () => {} };
        // The camera is started for each phone and stopped after it: a stalled camera fails that phone's run only.
        // Its code (ffmpeg capture, the OCR reader) is loaded here, by the stations that have one.
        noteOcrLoaded();
        const [{ CameraObserver }, { FfmpegCamera }, { benchWithCamera }] = await Promise.all([
          import('../observe/camera/observer.js'),
          import('../observe/camera/capture.js'),
          import('../observe/camera/bench.js'),
        ]);
        const camera = new CameraObserver({
          frames: new FfmpegCamera({ source: spec.camera.source, clock: env.clock, ...(spec.camera.fps ? { fps: spec.camera.fps } : {}) }),
          clock: env.clock,
          calibration: { corners: spec.camera.corners, softkeys: spec.camera.softkeys ?? 4, leds: spec.camera.leds },
        });
        await camera.start();
        return { bench: benchWithCamera(bench, camera), ...net, finish: () => camera.stop() };
      },
      releaseAll: async () => {
        await made?.releaseAll();
      },
      lost: () => lost,
      close: async () => {
        await network?.stop().catch(() => undefined);
        network = undefined;
        await made?.close();
      },
    };
  });
}

// The real boards' drivers, loaded only when a station uses them (they bring serialport, firmata-io, johnny-five).
registerBenchDriver('serial', async (spec, clock) => {
  const { SerialDriver } = await import('../bench/serial.js');
  return new SerialDriver({ path: spec.port!, clock, ...(spec.firmware !== undefined ? { firmwareVersion: spec.firmware } : {}) });
});
registerBenchDriver('firmata', async (spec, clock) => {
  const { createFirmataDriver } = await import('../bench/firmata.js');
  return createFirmataDriver({ port: spec.port!, clock, fixture: requiredFixture(spec) });
});

/** A real board's jig: always given (the station file requires it). */
function requiredFixture(spec: StationSpec): Fixture {
  if (!spec.fixture) throw new ConfigError('no-fixture', `station ${spec.name} (driver ${spec.driver}) has no fixture`, 'give its "fixture" in the station file');
  return spec.fixture;
}

/** Drivers a station file may name (each registered above). */
const DRIVER_NAMES = ['sim', 'serial', 'firmata'] as const;

export function createStationPort(spec: StationSpec, env: StationEnv): StationPort {
  const factory = FACTORIES.get(spec.driver);
  if (!factory) {
    throw new ConfigError(
      'driver-unavailable',
      `station ${spec.name}: driver '${spec.driver}' is not available in this build`,
      `use one of: ${[...FACTORIES.keys()].join(', ')}`,
    );
  }
  return factory(spec, env);
}

// ---- the station file -------------------------------------------------------------------------------------------

const stationSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes or underscores, e.g. "left-1"'),
  driver: z.enum(DRIVER_NAMES, { message: `must be one of ${DRIVER_NAMES.join(', ')}` }),
  port: z.string().min(1).optional(),
  fixture: z.string().min(1, 'must name a fixture file or a built-in jig (vvx-jig, soundpoint-jig)'),
  firmware: z.string().min(1).optional(),
  sim: simStationSchema.optional(),
  network: stationNetworkSchema.optional(),
  camera: z
    .strictObject({
      source: z.string().min(1, 'must name a camera: /dev/video0, an rtsp:// or http:// URL, or a folder of frames'),
      corners: z
        .array(z.number().nonnegative())
        .length(8, 'must be the 8 pixel coordinates of the display corners, clockwise from the top-left')
        .optional(),
      softkeys: z.number().int().min(0).max(8).optional(),
      leds: z.record(z.string(), z.tuple([z.number().nonnegative(), z.number().nonnegative()])).optional(),
      fps: z.number().positive().max(60).optional(),
    })
    .optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

const fileSchema = z.strictObject({ stations: z.array(stationSchema).min(1, 'must list at least one station') });

const BUILT_IN_FIXTURES = new URL('../../fixtures/', import.meta.url);

/** A fixture by built-in name (`vvx-jig`) or by path (relative to `baseDir`). */
export function resolveFixture(ref: string, baseDir: string): Fixture {
  if (/^[a-z0-9-]+$/.test(ref)) {
    const builtIn = fileURLToPath(new URL(`${ref}.json`, BUILT_IN_FIXTURES));
    if (existsSync(builtIn)) return loadFixture(builtIn);
  }
  return loadFixture(isAbsolute(ref) ? ref : resolve(baseDir, ref));
}

export function loadStationFile(path: string): StationSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    const unreadable = (e as NodeJS.ErrnoException).code !== undefined;
    throw new ConfigError(
      'bad-stations',
      unreadable ? `cannot read station file ${path}` : `station file ${path} is not valid JSON (${(e as Error).message})`,
      unreadable ? 'check the path given to --stations' : 'fix the JSON syntax',
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    const what =
      issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
    throw new ConfigError('bad-stations', `station file ${path}: ${where}: ${what}`, 'see fixtures/stations/ for examples');
  }
  const names = new Set<string>();
  return parsed.data.stations.map((s, i) => {
    if (names.has(s.name)) throw new ConfigError('bad-stations', `station file ${path}: two stations are named '${s.name}'`, 'give each station its own name');
    names.add(s.name);
    if (s.driver !== 'sim' && s.port === undefined) {
      throw new ConfigError('bad-stations', `station file ${path}: station ${s.name} (driver ${s.driver}) has no "port"`, 'give the serial port, e.g. "/dev/ttyUSB0"');
    }
    if (s.driver !== 'sim' && s.sim !== undefined) {
      throw new ConfigError('bad-stations', `station file ${path}: station ${s.name} has "sim" settings but driver ${s.driver}`, 'remove "sim", or use "driver": "sim"');
    }
    if (s.sim?.model !== undefined && !simUnitIds().includes(s.sim.model)) {
      throw new ConfigError('bad-stations', `station file ${path}: station ${s.name} seats "model" ${s.sim.model}, which the simulator has no unit for`, `give one of its model ids (nearest: ${nearest(s.sim.model, simUnitIds()).join(', ')})`);
    }
    let fixture: Fixture;
    try {
      fixture = resolveFixture(s.fixture, dirname(path));
    } catch (e) {
      const c = classify(e);
      throw new ConfigError('bad-stations', `station file ${path}: stations.${i} (${s.name}): ${c.reason}`, 'fix the "fixture" path or the fixture file');
    }
    let network: StationNetwork | undefined;
    if (s.network !== undefined) {
      try {
        network = resolveStationNetwork(s.network);
      } catch (e) {
        throw new ConfigError('bad-stations', `station file ${path}: stations.${i} (${s.name}): ${classify(e).reason}`, 'fix the station\'s "network" section');
      }
    }
    return {
      name: s.name,
      driver: s.driver,
      ...(s.port !== undefined ? { port: s.port } : {}),
      ...(network !== undefined ? { network } : {}),
      fixture,
      ...(s.firmware !== undefined ? { firmware: s.firmware } : {}),
      ...(s.sim !== undefined ? { sim: s.sim } : {}),
      ...(s.camera !== undefined ? { camera: stationCamera(path, s.name, s.camera) } : {}),
      options: s.options ?? {},
    };
  });
}

function stationCamera(
  path: string,
  name: string,
  c: { source: string; corners?: number[] | undefined; softkeys?: number | undefined; leds?: Record<string, [number, number]> | undefined; fps?: number | undefined },
): StationCamera {
  let corners: Quad | undefined;
  if (c.corners) {
    try {
      corners = parseCorners(c.corners.join(','), 'camera.corners');
    } catch (e) {
      throw new ConfigError('bad-stations', `station file ${path}: station ${name}: ${(e as Error).message}`, 'list the corners top-left, top-right, bottom-right, bottom-left');
    }
  }
  return {
    source: c.source,
    ...(corners ? { corners } : {}),
    ...(c.softkeys !== undefined ? { softkeys: c.softkeys } : {}),
    ...(c.leds ? { leds: Object.fromEntries(Object.entries(c.leds).map(([n, [x, y]]) => [n, { x, y }])) } : {}),
    ...(c.fps !== undefined ? { fps: c.fps } : {}),
  };
}

/**
 * Without a station file: `count` simulated stations named sim-1, sim-2, ..., each seating every phone in the jig made
 * for its model and procedure.
 */
export function defaultSimStations(count: number): StationSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `sim-${i + 1}`, driver: 'sim', options: {} }));
}

/** The built-in jigs, read once: a batch asks for them for every job on every station. */
const jigs = new Map<string, Fixture>();

/** The jig a job's phone sits in on this station: the station's own, else the one made for the job's model. */
export function fixtureOf(spec: StationSpec, job: Job): Fixture {
  if (spec.fixture) return spec.fixture;
  // A row without a model on a simulated station: the jig made for the unit the station seats for such rows.
  const model = job.model ?? (spec.sim?.model !== undefined ? getCatalog().byId(spec.sim.model) : undefined);
  if (!model) throw new ConfigError('no-fixture', `station ${spec.name} has no jig for line ${job.line}, which names no model`, 'give the station its "fixture"');
  const path = defaultFixturePath(model);
  let jig = jigs.get(path);
  if (!jig) {
    jig = fixtureFor(model);
    jigs.set(path, jig);
  }
  return jig;
}

// ---- health ---------------------------------------------------------------------------------------------------

/**
 * A real bench: its jig holds the one phone the operator placed, so it takes only the row that names it. A simulated
 * station places a fresh simulated phone for each job it takes.
 */
export function holdsOnePhone(spec: StationSpec): boolean {
  return spec.driver !== 'sim';
}

/**
 * What the station lacks to run the job, one sentence each (empty: it can): its fixture's keys, relay and hold limit
 * (as `resetbot reset` checks them, src/machines/needs.ts), a camera for a procedure that reads the screen (a real
 * bench has none; nor has a `blind` simulated station), and on a simulated station a simulated unit of the model.
 */
export function stationProblems(spec: StationSpec, job: Job, plan: RunPlan | undefined = job.plan): string[] {
  const sim = spec.driver === 'sim';
  if (!job.model || !plan) {
    // A row without a model: the station's network names it; its jig is checked once it has (runPlanWithNetwork).
    if (sim ? !spec.sim?.network : !spec.network) return ['the row names no model, and the station does not watch its network to hear it'];
    if (sim && !spec.sim?.model) return ['the row names no model, and the simulated station seats no phone for such rows (its "sim": { "model" })'];
    if (!sim && !spec.fixture) return ['the row names no model, and the station has no jig of its own'];
    return [];
  }
  const fixture = fixtureOf(spec, job);
  // A simulated board's hold limit is the station's sim.maxHoldMs, else the fixture's.
  const limited = sim && spec.sim?.maxHoldMs !== undefined ? { ...fixture, maxHoldMs: spec.sim.maxHoldMs } : fixture;
  const problems = fixtureProblems(plan, limited).map((p) => `fixture ${fixture.name} ${p}`);
  if (benchNeeds(plan).observer && (!sim || spec.sim?.blind === true)) {
    problems.push(`the station has no camera, and the ${job.model.name} ${plan.label} finds its way by what the screen shows`);
  }
  if (sim && job.simModel === undefined) problems.push(`the simulator has no unit for the ${job.model.name} (a profiles-file model without "extends")`);
  return problems;
}

/** Whether the station can run the job (stationProblems is empty). */
export function fits(spec: StationSpec, job: Job): boolean {
  return stationProblems(spec, job).length === 0;
}

export type Health = { ok: true; info: DriverInfo } | { ok: false; reason: string; info?: DriverInfo };

/**
 * The check before a batch: the board answers (open), its firmware and protocol versions match, the fixture's
 * channels exist on the board, the fixture fits every model the station is given by name, and every solenoid and the
 * relay go to their safe state.
 */
export async function checkStation(spec: StationSpec, port: StationPort, pinned: Job[]): Promise<Health> {
  let info: DriverInfo;
  try {
    info = await port.open();
  } catch (err) {
    return { ok: false, reason: `the board does not answer: ${classify(err).reason}` };
  }
  const fw = info.firmware;
  if (fw && fw.protocol !== PROTOCOL_VERSION) {
    return { ok: false, info, reason: `the board speaks protocol ${fw.protocol}, this resetbot speaks ${PROTOCOL_VERSION}: flash the firmware that comes with this resetbot` };
  }
  if (spec.firmware !== undefined && fw?.version !== spec.firmware) {
    return { ok: false, info, reason: `the board runs firmware ${fw ? fw.version : '(none reported)'}, the station file asks for ${spec.firmware}` };
  }
  if (spec.fixture && spec.fixture.channels > info.channels) {
    return { ok: false, info, reason: `fixture ${spec.fixture.name} wires ${spec.fixture.channels} channels, the board drives ${info.channels}` };
  }
  for (const job of pinned) {
    const problems = stationProblems(spec, job);
    if (problems.length > 0) return { ok: false, info, reason: `${problems.join('; ')} (line ${job.line})` };
  }
  try {
    await port.releaseAll();
  } catch (err) {
    return { ok: false, info, reason: `the board cannot release its solenoids: ${classify(err).reason}` };
  }
  return { ok: true, info };
}

/**
 * A station as its records describe it (secrets redacted). With a job: the fixture its phone sat in (a station without
 * a fixed fixture seats each phone in its model's jig).
 */
export function stationConfig(spec: StationSpec, job?: Job): Record<string, unknown> {
  const fixture = spec.fixture ?? (job ? fixtureOf(spec, job) : undefined);
  return new Redactor().value({
    name: spec.name,
    driver: spec.driver,
    ...(spec.port !== undefined ? { port: spec.port } : {}),
    fixture: fixture ? { name: fixture.name, source: fixture.source } : "each model's own jig",
    ...(spec.firmware !== undefined ? { firmware: spec.firmware } : {}),
    ...(spec.sim !== undefined ? { sim: spec.sim } : {}),
    ...(spec.network !== undefined ? { network: { interface: spec.network.interface, address: `${spec.network.address}/${spec.network.prefix}` } } : {}),
    ...(spec.camera !== undefined ? { camera: spec.camera } : {}),
    ...(Object.keys(spec.options).length > 0 ? { options: spec.options } : {}),
  });
}
