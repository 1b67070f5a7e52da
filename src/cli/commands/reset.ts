import { writeFileSync } from 'node:fs';
import type { ResetRecord } from '../../batch/record.js';
import type { SimDeviceTruth } from '../../sim/device.js';
import { Option, type Command } from 'commander';
import type { InspectionEvent } from 'xstate';
import { createBench } from '../../bench/bench.js';
import type { Fixture } from '../../bench/fixture.js';
import { fixtureFor } from '../../bench/jigs.js';
import { createPortDriver, parseDriverName, type PortDriverName } from '../../bench/open.js';
import { RealClock, VirtualClock, type Clock } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { requireFit } from '../../machines/needs.js';
import { resolveRun, runPlan, type RunPlan } from '../../machines/run-reset.js';
import type { RunOn } from '../../machines/runner.js';
import type { PhoneModel } from '../../catalog/types.js';
import { createSimBench, type SimBench, type SimBenchConfig } from '../../sim/driver.js';
import { DEGRADATIONS, type Degradation } from '../../sim/render/camera.js';
import { simCameraBench } from '../../observe/camera/sim.js';
import { stopSharedOcr } from '../../observe/camera/ocr.js';
import { holdClock } from '../../clock/clock.js';
import { benchWithCamera } from '../../observe/camera/bench.js';
import { parseCorners, parseLedPoint, parseSoftkeys } from '../../observe/camera/calibration.js';
import { FfmpegCamera } from '../../observe/camera/capture.js';
import { softkeyCount } from '../../observe/camera/models.js';
import { CameraObserver } from '../../observe/camera/observer.js';
import { parseMac } from '../../text-entry/mac.js';
import { exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { seconds, writeJson } from '../output.js';
import { onInterrupt } from '../interrupt.js';
import { addProfilesOption, chooseModel, simModelFor } from '../profiles-option.js';

/** The options of every command on one phone (reset, reboot, provision): the model, where it runs, how it reports. */
export interface OnePhoneOpts {
  model: string;
  profiles?: string;
  sim?: boolean;
  port?: string;
  fixture?: string;
  json?: boolean;
  realtime?: boolean;
  simSeed?: number;
  simMac?: string;
  simModel?: string;
  simAdminPassword?: string;
  /** --sim-camera [level]: the simulator seen through the rendered camera path (true: the default level). */
  simCamera?: Degradation | true;
  inspect?: string;
}

export interface ResetOpts extends OnePhoneOpts {
  mac: string;
  driver?: PortDriverName;
  procedure?: string;
  menuReset?: string;
  adminPassword?: string;
  software?: string;
  simCase?: 'lower' | 'upper' | 'either';
  simSoftware?: string;
  simBlind?: boolean;
  camera?: string;
  screen?: string;
  softkeys?: string;
  led?: string[];
}

/** --sim-camera's level. */
function parseDegradation(value: string): Degradation {
  if ((DEGRADATIONS as readonly string[]).includes(value)) return value as Degradation;
  throw new ConfigError('bad-degradation', `--sim-camera '${value}' is not a degradation level`, `give one of ${DEGRADATIONS.join(', ')}`);
}

/** A software version as x.y.z, or ConfigError. */
function parseSoftware(flag: string): (value: string) => string {
  return (value) => {
    if (!/^\d+\.\d+\.\d+$/.test(value)) throw new ConfigError('bad-software', `${flag} '${value}' is not a version x.y.z`, 'give it as on the phone\'s boot screen, e.g. 3.2.7 or 4.0.15');
    return value;
  };
}

function parseCaseRule(value: string): 'lower' | 'upper' | 'either' {
  if (value === 'lower' || value === 'upper' || value === 'either') return value;
  throw new ConfigError('bad-case-rule', `--sim-case '${value}'`, "give lower, upper or either");
}

export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new ConfigError('bad-seed', `--sim-seed '${value}' is not a whole number`, 'give a number such as 42');
  }
  return Number(value);
}

/** Where a command on one phone runs and how it reports: --sim, --port, --fixture, --json, --realtime, --sim-seed, --sim-model. */
export function addPlaceOptions(cmd: Command, portHelp: string): Command {
  return cmd
    .addOption(new Option('--sim', 'run on the built-in simulator (the default without --port)').conflicts('port'))
    .option('--port <path>', portHelp)
    .option('--fixture <file>', 'fixture file of the jig (default: the model family\'s jig in fixtures/)')
    .option('--json', 'one JSON object on stdout')
    .option('--realtime', 'on the simulator, run in real time instead of virtual time')
    .option('--sim-seed <n>', 'seed of the simulator\'s randomness', parseSeed)
    .option('--sim-model <id>', 'the simulated phone model (default: the model, or the built-in model a --profiles model extends)')
    .option(
      '--sim-camera [level]',
      "on the simulator, see the phone through a camera: its display rendered, photographed (degradation none, mild, moderate or severe; default mild) and read by OCR, instead of the perfect screen",
      parseDegradation,
    );
}

/** The options of every command that runs a procedure on one phone (reset, reboot). */
export function addRunOptions(cmd: Command): Command {
  return addPlaceOptions(
    cmd
      .requiredOption('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"')
      .requiredOption('--mac <mac>', 'the MAC address on the label, e.g. 0004F2AA814C'),
    'serial port of the bench board, e.g. /dev/ttyUSB0 (or the pty of `resetbot sim serve`)',
  )
    .option('--driver <name>', 'with --port: serial (resetbot firmware, the default) or firmata (StandardFirmata)', parseDriverName)
    .option('--camera <source>', 'with --port: the camera over the display: /dev/videoN, an rtsp:// or http:// URL, or a folder of frames')
    .option('--screen <corners>', "with --camera: the display's corners in the camera's pixels, clockwise from the top-left: x1,y1,...,x4,y4")
    .option('--softkeys <n>', "with --camera: softkey cells at the bottom of the display (default: the model's count)")
    .option('--led <name=x,y>', 'with --camera: an LED to watch at a pixel position (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--sim-blind', 'a simulated bench without a camera: a run that completes is unverified')
    .option('--inspect <file>', 'write every XState inspection event to FILE as JSON lines');
}

export function registerReset(program: Command, ctx: CommandContext): void {
  const cmd = addRunOptions(program.command('reset').description('factory-reset one phone (on the simulator unless --port is given)'))
    .option('--sim-mac <mac>', 'the simulated phone\'s real MAC, when it differs from the label (a misread label)')
    .option('--procedure <kind>', "the procedure, when the model has more than one: 'menu-reset' (default: the model's own)")
    .option('--menu-reset <choice>', 'with --procedure menu-reset: factory (default), local, web, device, format or reboot')
    .option('--admin-password <pw>', "the phone's admin password, when known: typed instead of the MAC; the menu reset needs it")
    .option('--software <x.y.z>', "the phone's UC/SIP software version, when known (before 3.3.0: no Cancel; before 4.0.0: a device reset only)", parseSoftware('--software'))
    .option('--sim-case <rule>', "the simulated phone's MAC case rule: lower, upper or either (default: drawn from the seeds' lower and either)", parseCaseRule)
    .option('--sim-software <x.y.z>', "the simulated phone's software version", parseSoftware('--sim-software'))
    .option('--sim-admin-password <pw>', "the simulated phone's admin password (default: --admin-password, else one of seed 002's)");
  addProfilesOption(cmd).action((opts: ResetOpts) =>
    runOnePhone(
      opts,
      ctx,
      (model, mac) =>
        resolveRun(model, mac, {
          ...(opts.procedure !== undefined ? { procedure: opts.procedure } : {}),
          ...(opts.menuReset !== undefined ? { menuChoice: opts.menuReset } : {}),
          ...(opts.adminPassword !== undefined ? { adminPassword: opts.adminPassword } : {}),
          ...(opts.software !== undefined ? { software: opts.software } : {}),
        }),
      ({ model, mac, realMac, record, truth, seed }) => ({
        json: { ...record, simulator: { seed, realMac, ...truth } },
        text:
          `${model.name} ${mac}: ${record.outcome.toUpperCase()} after ${record.attempts} attempt(s), ${seconds(record.durationMs)} bench time\n` +
          `  ${record.summary}\n` +
          (record.resetKind ? `  reset performed: ${record.resetKind}\n` : '') +
          `  simulator (seed ${seed}): the phone is ${truth.factoryDefaults ? 'at factory defaults' : 'NOT at factory defaults'}\n`,
      }),
    ),
  );
}

/** A run on the simulator, as its report is made of it. */
export interface SimOutcome {
  model: PhoneModel;
  mac: string;
  realMac: string;
  record: ResetRecord;
  truth: SimDeviceTruth;
  seed: number;
}

/**
 * A command on one phone (reset, reboot): the model and the MAC, the run decided, planned and checked against the
 * fixture before anything moves; then the run on --port, or on the simulator with the command's report of it.
 */
export async function runOnePhone(
  opts: ResetOpts,
  ctx: CommandContext,
  decide: (model: PhoneModel, mac: string) => RunPlan,
  report: (run: SimOutcome) => { json: unknown; text: string },
): Promise<void> {
  const choice = chooseModel(opts.model, opts.profiles);
  const model = choice.model;
  const { mac, warnings } = parseMac(opts.mac);
  const realMac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : mac;
  for (const w of warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
  const fixture = fixtureFor(model, opts.fixture);
  const plan = decide(model, mac);
  requireFit(plan, fixture);
  if (opts.driver !== undefined && opts.port === undefined) {
    throw new ConfigError('driver-without-port', '--driver names the driver of a board on --port', 'give --port too, or drop --driver');
  }
  if (opts.port !== undefined) {
    ctx.setExit(await runOnPort(opts.port, plan, mac, fixture, opts));
    return;
  }
  const { record, truth, seed } = await runPlanOnSim(plan, { modelId: simModelFor(choice, opts.simModel), mac, realMac, fixture, opts });
  const out = report({ model, mac, realMac, record, truth, seed });
  if (opts.json) writeJson(out.json);
  else process.stdout.write(out.text);
  ctx.setExit(exitCodeForOutcome(record.outcome, record.failure?.class));
}

/**
 * A planned run on the simulator (`reset`, `reboot`), in virtual time unless --realtime: the record, the simulated
 * unit's truth afterwards, and the seed.
 */
async function runPlanOnSim(
  plan: RunPlan,
  args: { modelId: string; mac: string; realMac: string; fixture: Fixture; opts: ResetOpts },
): Promise<{ record: ResetRecord; truth: SimDeviceTruth; seed: number }> {
  const { mac, opts } = args;
  if (opts.camera !== undefined) {
    throw new ConfigError('camera-on-sim', '--camera is for a bench on --port; the simulator has its own camera', 'use --sim-camera on the simulator, or give --port');
  }
  const seed = simSeed(opts);
  const simAdmin = opts.simAdminPassword ?? opts.adminPassword;
  const { result: record, sim } = await onSimulator(
    opts,
    {
      modelId: args.modelId,
      mac: args.realMac,
      fixture: args.fixture,
      seed,
      options: {
        ...(opts.simCase ? { caseRule: opts.simCase } : {}),
        ...(opts.simSoftware ? { software: opts.simSoftware } : {}),
        ...(simAdmin !== undefined ? { adminPassword: simAdmin } : {}),
      },
      ...(opts.simBlind ? { blind: true } : {}),
    },
    (on) => runPlan(plan, { mac, ...on }),
  );
  return { record, truth: sim.phone.truth(), seed };
}

/** --sim-seed, or a seed drawn now. */
export function simSeed(opts: OnePhoneOpts): number {
  return opts.simSeed ?? Math.floor(Math.random() * 2 ** 31);
}

/**
 * Runs `run` on a simulated bench, in virtual time unless --realtime: Ctrl-C stops it (every solenoid released), the
 * bench is closed after, and the --inspect file written. `redact` cleans every line written (progress, inspection).
 */
export async function onSimulator<R>(
  opts: OnePhoneOpts,
  place: Omit<SimBenchConfig, 'clock'>,
  run: (on: RunOn) => Promise<R>,
  redact: (text: string) => string = (text) => text,
): Promise<{ result: R; sim: SimBench }> {
  const clock = opts.realtime ? new RealClock() : new VirtualClock();
  const sim = createSimBench({ ...place, clock });
  await sim.driver.open();
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => sim.driver.releaseAll());
  const inspectLines: string[] = [];
  // --sim-camera (`--sim-camera` alone parses as true: the default level).
  const level = opts.simCamera === undefined ? undefined : typeof opts.simCamera === 'string' ? opts.simCamera : 'mild';
  const seen = level === undefined || place.blind ? undefined : simCameraBench(sim, clock, { seed: place.seed, level });
  if (seen) void holdClock(clock, seen.observer.start());
  const bench = seen ? seen.bench : sim.bench;
  const running = run({ bench, clock, signal: abort.signal, ...progress(opts, clock, inspectLines, redact) });
  try {
    const result = clock instanceof VirtualClock ? await clock.runUntil(running) : await running;
    return { result, sim };
  } finally {
    stopInterrupt();
    if (seen) {
      await seen.observer.stop();
      await stopSharedOcr();
    }
    await sim.driver.close();
    if (opts.inspect) writeFileSync(opts.inspect, inspectLines.join('\n') + '\n');
  }
}

/**
 * A planned run on a bench on --port (`reset`, `reboot`): the real bench (or `sim serve`'s virtual one) in real time.
 * Without --camera a run that completes is `unverified` (exit 3), never `pass`: nothing saw the phone; with one, the
 * machines wait on what the camera reads and a completed reset ends `pass`.
 */
async function runOnPort(port: string, plan: RunPlan, mac: string, fixture: Fixture, opts: ResetOpts): Promise<number> {
  const model = plan.model;
  const simOnly = (['realtime', 'simSeed', 'simMac', 'simModel', 'simCase', 'simSoftware', 'simAdminPassword', 'simBlind', 'simCamera'] as const).filter(
    (k) => opts[k] !== undefined,
  );
  if (simOnly.length > 0) {
    const flag = `--${simOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new ConfigError('sim-option-on-port', `${flag} applies to the simulator only, not to a bench on --port`, `drop ${flag}, or drop --port`);
  }
  const clock = new RealClock();
  // With a camera, the machines see the screen: a completed reset can then end `pass`.
  const camera = cameraFor(opts, model, clock);
  const driver = await createPortDriver({ driver: opts.driver ?? 'serial', port, fixture, clock });
  await driver.open();
  let bench = createBench(driver, fixture);
  if (camera) {
    try {
      await camera.start();
    } catch (err) {
      await driver.close().catch(() => {});
      throw err;
    }
    bench = benchWithCamera(bench, camera);
  }
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => driver.releaseAll());
  const inspectLines: string[] = [];
  let record;
  try {
    record = await runPlan(plan, { mac, bench, clock, signal: abort.signal, ...progress(opts, clock, inspectLines) });
  } finally {
    stopInterrupt();
    if (camera) {
      await camera.stop();
      await stopSharedOcr();
    }
    await driver.close().catch((err: Error) => process.stderr.write(`resetbot: warning: closing the bench: ${err.message}\n`));
    if (opts.inspect) writeFileSync(opts.inspect, inspectLines.join('\n') + '\n');
  }
  if (opts.json) {
    writeJson(record);
  } else {
    const fw = record.bench.firmware;
    process.stdout.write(
      `${model.name} ${mac}: ${record.outcome.toUpperCase()} after ${record.attempts} attempt(s), ${seconds(record.durationMs)}\n` +
        `  ${record.summary}\n` +
        `  bench: ${record.bench.driver} on ${port}${fw ? ` (${fw.name} ${fw.version}, protocol ${fw.protocol})` : ''}, ${opts.camera ? `camera ${opts.camera}` : 'no camera'}\n`,
    );
  }
  return exitCodeForOutcome(record.outcome, record.failure?.class);
}

/** The camera observer of --camera (with --screen, --softkeys, --led), or undefined without --camera. */
function cameraFor(opts: ResetOpts, model: PhoneModel, clock: Clock): CameraObserver | undefined {
  if (opts.camera === undefined) {
    const stray = opts.screen !== undefined ? '--screen' : opts.softkeys !== undefined ? '--softkeys' : opts.led ? '--led' : undefined;
    if (stray) throw new ConfigError('camera-option-without-camera', `${stray} describes a camera, but no --camera was given`, 'add --camera SOURCE, or drop ' + stray);
    return undefined;
  }
  const frames = new FfmpegCamera({ source: opts.camera, clock });
  return new CameraObserver({
    frames,
    clock,
    calibration: {
      corners: opts.screen === undefined ? undefined : parseCorners(opts.screen),
      softkeys: opts.softkeys === undefined ? softkeyCount(model.family) : parseSoftkeys(opts.softkeys),
      leds: Object.fromEntries((opts.led ?? []).map(parseLedPoint)),
    },
  });
}

/** Live progress on stderr (not with --json), and the --inspect lines collected. */
function progress(opts: OnePhoneOpts, clock: Clock, inspectLines: string[], redact: (text: string) => string = (text) => text): Pick<RunOn, 'onState' | 'inspect'> {
  return {
    ...(opts.inspect ? { inspect: (e: InspectionEvent) => inspectLines.push(redact(inspectionLine(e, clock.now()))) } : {}),
    ...(opts.json
      ? {}
      : { onState: (state: string, attempt: number) => process.stderr.write(redact(`${seconds(clock.now()).padStart(9)}  attempt ${attempt}  ${state}\n`)) }),
  };
}

/** One JSON line per inspection event: its bench time, kind, and the event or state it carries. */
function inspectionLine(e: InspectionEvent, t: number): string {
  const line: Record<string, unknown> = { t, type: e.type };
  if (e.type === '@xstate.event') line.event = e.event.type;
  if (e.type === '@xstate.snapshot') line.state = (e.snapshot as { value?: unknown }).value;
  return JSON.stringify(line);
}
