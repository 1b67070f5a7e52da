import { writeFileAtomic } from '../../batch/atomic.js';
import { checkOutput, OutputError } from '../../batch/outputs.js';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runsRoot } from '../../batch/batch.js';
import { keepSingleRun, type SingleRecord, type SingleRun } from '../../batch/runs.js';
import type { ResetRecord } from '../../batch/record.js';
import type { SimDeviceTruth } from '../../sim/device.js';
import { Option, type Command } from 'commander';
import type { InspectionEvent } from 'xstate';
import type { Fixture } from '../../bench/fixture.js';
import { fixtureAt, fixtureFor } from '../../bench/jigs.js';
import type { PortDriverName } from '../../bench/open.js';
import { RealClock, VirtualClock, type Clock } from '../../clock/clock.js';
import { ConfigError } from '../../errors/errors.js';
import { requireFit } from '../../machines/needs.js';
import { resolveRun, runPlan, type RunPlan } from '../../machines/run-reset.js';
import { calibratedModel, CalibrationStore, defaultCalibrationPath } from '../../calibration/calibration.js';
import type { RunOn } from '../../machines/runner.js';
import type { PhoneModel } from '../../catalog/types.js';
import { createSimBench, type SimBench, type SimBenchConfig } from '../../sim/driver.js';
import { holdClock } from '../../clock/clock.js';
import type { Degradation } from '../../sim/render/camera.js';
import { loadSimCamera, stopOcrIfLoaded } from '../../observe/ocr-loaded.js';
import { parseMac } from '../../text-entry/mac.js';
import { EXIT, exitCodeForOutcome } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { addPortBenchOptions, openPortBench, type PortBenchOpts } from './port-bench.js';
import { headline, writeJson } from '../output.js';
import { onInterrupt } from '../interrupt.js';
import { createRunProgress, paint, wantsColour } from '../../progress/render.js';
import type { StepWords } from '../../progress/vocabulary.js';
import { addProfilesOption, chooseModel } from '../profiles-option.js';
import { simModelFor } from '../sim-model.js';
import { runOnePhoneNetworked } from './reset-network.js';

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
  /** Set when an output (--inspect) could not be written: the command exits with EXIT.io. */
  outputFailed?: boolean;
  /** Where the run's record is kept (default: $RESETBOT_RUNS, else ./resetbot-runs). */
  runs?: string;
}

export interface ResetOpts extends OnePhoneOpts {
  mac: string;
  driver?: PortDriverName;
  procedure?: string;
  menuReset?: string;
  adminPassword?: string;
  software?: string;
  simCase?: 'lower' | 'upper' | 'either';
  /** `classic`: the simulated phone is the seeds' plainest (no drawn variant). */
  simVariant?: 'classic';
  simSoftware?: string;
  simBlind?: boolean;
  /** A run whose identity rests on the label alone may pass (the operator vouches for the labels). */
  trustLabel?: boolean;
  /** The bench's calibration file (default: calibration.json in the runs folder). */
  calibration?: string;
  /** Set by runOnePhone: the store opened from `calibration`. */
  calibrationStore?: CalibrationStore;
  /** The simulated phone on a real namespaced network, facing the bench's network observer (issue 10). */
  simNetwork?: boolean;
  camera?: string;
  /** With --port: the interface the phone is cabled to, where the network observer runs (issue 10). */
  network?: string;
  /** The bench's address on --network (default: the interface's own IPv4 address). */
  networkAddress?: string;
  screen?: string;
  softkeys?: string;
  led?: string[];
}

/** --sim-camera's level. */
function parseDegradation(value: string): Degradation {
  // Checked against DEGRADATIONS when the simulated camera is loaded (simCameraLevel): the renderer loads the canvas,
  // which `resetbot reset` without --sim-camera never needs.
  return value as Degradation;
}

/** --sim-camera's level (`--sim-camera` alone parses as true: the default level), or ConfigError for a bad one. */
async function simCameraLevel(opts: OnePhoneOpts): Promise<Degradation | undefined> {
  if (opts.simCamera === undefined) return undefined;
  if (opts.simCamera === true) return 'mild';
  const { DEGRADATIONS } = await import('../../sim/render/camera.js');
  const value: string = opts.simCamera;
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
  return parseWhole('--sim-seed', value);
}

/** A whole-number flag's value, or ConfigError naming the flag. */
export function parseWhole(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new ConfigError('bad-seed', `${flag} '${value}' is not a whole number`, 'give a number such as 42');
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
    .option('--runs <dir>', 'where the run\'s record is kept for `resetbot runs` (default: $RESETBOT_RUNS, else ./resetbot-runs)')
    .option(
      '--sim-camera [level]',
      "on the simulator, see the phone through a camera: its display rendered, photographed (degradation none, mild, moderate or severe; default mild) and read by OCR, instead of the perfect screen",
      parseDegradation,
    );
}

/**
 * Keeps a single run's record where `resetbot runs` finds it, and says so (not with --json: stdout is the record). A
 * record that cannot be kept is a warning: the run itself is done.
 */
export function keepRun(opts: OnePhoneOpts, run: Omit<SingleRun, 'id' | 'at'>): void {
  try {
    const dir = keepSingleRun(run, opts.runs ?? runsRoot());
    if (!opts.json) process.stdout.write(`  kept as run ${basename(dir)}: \`resetbot runs show ${basename(dir)}\`\n`);
  } catch (err) {
    process.stderr.write(`resetbot: warning: the run's record was not kept: ${(err as Error).message}\n`);
  }
}

/** The options of every command that runs a procedure on one phone (reset, reboot). */
export function addRunOptions(cmd: Command): Command {
  return addPortBenchOptions(addPlaceOptions(
    cmd
      .option('--model <model>', 'phone model, e.g. "VVX 410" or "IP 335"; `auto` (or left out, on a bench with the network): the model the phone names on the network')
      .requiredOption('--mac <mac>', 'the MAC address on the label, e.g. 0004F2AA814C'),
    'serial port of the bench board, e.g. /dev/ttyUSB0 (or the pty of `resetbot sim serve`)',
  ))
    .option(
      '--network <interface>',
      "with --port: the interface (or VLAN, e.g. eth1.20) the phone is cabled to: resetbot serves DHCP (dnsmasq), its provisioning server and the default-login probe there, names the phone before anything is typed and proves its reset (root); --mac auto takes the MAC from it",
    )
    .option('--network-address <ip/prefix>', "with --network: the bench's address on it, e.g. 10.20.0.1/24 (default: the interface's own IPv4 address)")
    .option('--sim-blind', 'a simulated bench without a camera: a run that completes is unverified')
    .option('--trust-label', "accept the label's MAC as the phone's identity when nothing the phone does proves it (touch, long-press, menu resets)")
    .option('--calibration <file>', 'the calibration file this bench learns each model in (default: calibration.json in the runs folder)')
    .option('--inspect <file>', 'write every XState inspection event to FILE as JSON lines');
}

export function registerReset(program: Command, ctx: CommandContext): void {
  const cmd = addRunOptions(program.command('reset').description('factory-reset one phone (on the simulator unless --port is given)'))
    .option('--sim-mac <mac>', 'the simulated phone\'s real MAC, when it differs from the label (a misread label)')
    .option('--procedure <kind>', "the procedure, when the model has more than one: 'menu-reset' (default: the model's own)")
    .option('--menu-reset <choice>', 'with --procedure menu-reset: factory (default), local, web, device, format or reboot')
    .option('--admin-password <pw>', "the phone's admin password, when known: typed instead of the MAC; the menu reset needs it")
    .option('--software <x.y.z>', "the phone's UC/SIP software version, when known (before 3.3.0: no Cancel; before 4.0.0: a device reset only)", parseSoftware('--software'))
    .option('--sim-variant <name>', "the simulated phone's variant: 'classic', the seeds' plainest phone (default: drawn per phone from --sim-seed)", (v: string) => {
      if (v !== 'classic') throw new ConfigError('bad-flag', `--sim-variant '${v}' is not a variant`, "give --sim-variant classic, or leave it out to draw one");
      return v;
    })
    .option('--sim-case <rule>', "the simulated phone's MAC case rule: lower, upper or either (default: drawn from the seeds' lower and either)", parseCaseRule)
    .option('--sim-software <x.y.z>', "the simulated phone's software version", parseSoftware('--sim-software'))
    .option('--sim-admin-password <pw>', "the simulated phone's admin password (default: --admin-password, else one of seed 002's)")
    .option('--sim-network', "the simulated phone on its own network namespace and link, facing the bench's dnsmasq, provisioning server and probe (root); --mac auto takes the MAC from it");
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
          `${headline(model.name, mac, record, { colour: wantsColour(process.stdout) })}\n` +
          `  ${record.summary}\n` +
          (record.resetKind ? `  reset performed: ${record.resetKind}\n` : '') +
          `  simulator (seed ${seed}): the phone is ${truth.factoryDefaults ? 'at factory defaults' : 'NOT at factory defaults'}\n`,
      }),
    ),
  );
}

/** A reset record's kind of run: a reboot, or a reset. */
const kindOf = (record: ResetRecord): 'reset' | 'reboot' => (record.procedure === 'reboot' ? 'reboot' : 'reset');

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
  if (opts.inspect) checkOutput(opts.inspect, '--inspect', 'file');
  if ((opts.model as string | undefined) === undefined) {
    // Left out: the network names it, on a run that watches the network; elsewhere it is required.
    if (!opts.simNetwork && (opts.port === undefined || opts.network === undefined)) {
      throw new ConfigError('model-missing', "required option '--model <model>' not specified", 'give the phone\'s model, e.g. --model "VVX 410" (or let the network name it: --sim-network, or --port with --network IFACE)');
    }
    opts.model = 'auto';
  }
  if (opts.simNetwork) {
    await runOnePhoneNetworked(opts, ctx, decide, report);
    return;
  }
  const auto = opts.mac.toLowerCase() === 'auto';
  if (auto && (opts.network === undefined || opts.port === undefined)) {
    throw new ConfigError('mac-auto-needs-network', '--mac auto takes the MAC from the bench\'s network, which this run does not watch', 'use `resetbot reset --sim-network`, or --port with --network IFACE (or give the MAC from the label)');
  }
  if (opts.networkAddress !== undefined && opts.network === undefined) {
    throw new ConfigError('network-address-without-network', '--network-address is the bench\'s address on --network, but no --network was given', 'add --network IFACE, or drop --network-address');
  }
  if (opts.network !== undefined && opts.port === undefined) {
    throw new ConfigError('network-on-sim', '--network is for a bench on --port; the simulator has its own network', 'use --sim-network on the simulator, or give --port');
  }
  // What the bench has learned of a model (calibration file) shapes its plan; what this run learns is kept there.
  const store = new CalibrationStore(opts.calibration ?? defaultCalibrationPath());
  opts.calibrationStore = store;
  // A model's run planned as the bench's calibration has that model (the model given, or the one the network names).
  const decideFor = (m: PhoneModel, mac: string): RunPlan => decide(calibratedModel(m, store.get(m.id)), mac);
  if (opts.model.toLowerCase() === 'auto') {
    // --model auto: the model the phone names on the network, on a bench whose jig is given.
    if (opts.network === undefined || opts.port === undefined) {
      throw new ConfigError('model-auto-needs-network', "--model auto takes the model from the bench's network, which this run does not watch", 'use `resetbot reset --sim-network --sim-model ID`, or --port with --network IFACE (or give the model)');
    }
    if (opts.fixture === undefined) {
      throw new ConfigError('model-auto-needs-fixture', "--model auto leaves the bench's jig unknown until the phone is heard", 'give the jig on the bench: --fixture F (fixtures/*.json)');
    }
    const label = auto ? 'auto' : parseMac(opts.mac).mac;
    const fixture = fixtureAt(opts.fixture);
    ctx.setExit(await runOnPort(opts.port, 'auto', label, fixture, opts, decideFor));
    return;
  }
  const choice = await chooseModel(opts.model, opts.profiles);
  const model = calibratedModel(choice.model, store.get(choice.model.id));
  // --mac auto (on --port with --network): the run is planned for the MAC the network names; checked here for any.
  const { mac, warnings } = auto ? { mac: 'auto', warnings: [] } : parseMac(opts.mac);
  const realMac = opts.simMac !== undefined ? parseMac(opts.simMac).mac : mac;
  for (const w of warnings) process.stderr.write(`resetbot: warning: ${w}\n`);
  const fixture = fixtureFor(model, opts.fixture);
  const plan = decide(model, auto ? '000000000000' : mac);
  requireFit(plan, fixture);
  if (opts.driver !== undefined && opts.port === undefined) {
    throw new ConfigError('driver-without-port', '--driver names the driver of a board on --port', 'give --port too, or drop --driver');
  }
  if (opts.port !== undefined) {
    ctx.setExit(await runOnPort(opts.port, plan, mac, fixture, opts, decideFor));
    return;
  }
  const { record, truth, seed } = await runPlanOnSim(plan, { modelId: simModelFor(choice, opts.simModel), mac, realMac, fixture, opts });
  const out = report({ model, mac, realMac, record, truth, seed });
  if (opts.json) writeJson(out.json);
  else process.stdout.write(out.text);
  keepRun(opts, { kind: kindOf(record), modelName: model.name, mac, station: 'simulator', record: out.json as SingleRecord });
  ctx.setExit(opts.outputFailed ? EXIT.io : exitCodeForOutcome(record.outcome, record.failure?.class));

}

/**
 * Writes the --inspect file (atomically) after the run. A write that fails (disk full) does not hide the run's outcome:
 * its one line goes to stderr now, and the command exits with EXIT.io after reporting the outcome.
 */
function writeInspect(opts: OnePhoneOpts, lines: string[]): void {
  try {
    writeFileAtomic(opts.inspect!, lines.join('\n') + '\n', 'the --inspect file');
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    process.stderr.write(`resetbot: ${err.oneLine()}; every channel was released, the outcome follows\n`);
    opts.outputFailed = true;
  }
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
  const { result: record, sim } = await onSimulator(
    opts,
    {
      modelId: args.modelId,
      mac: args.realMac,
      fixture: args.fixture,
      seed,
      options: simPhoneOptions(opts),
      ...(opts.simBlind ? { blind: true } : {}),
    },
    (on) => runPlan(plan, { mac, ...on, ...runExtras(opts) }),
  );
  return { record, truth: sim.phone.truth(), seed };
}

/** The simulated phone's forced choices from the --sim-* options (its admin password defaults to --admin-password). */
export function simPhoneOptions(opts: ResetOpts): NonNullable<SimBenchConfig['options']> {
  const simAdmin = opts.simAdminPassword ?? opts.adminPassword;
  return {
    ...(opts.simCase ? { caseRule: opts.simCase } : {}),
    ...(opts.simVariant ? { variant: opts.simVariant } : {}),
    ...(opts.simSoftware ? { software: opts.simSoftware } : {}),
    ...(simAdmin !== undefined ? { adminPassword: simAdmin } : {}),
  };
}

/** What every run of a one-phone command takes from its options: the label trust and the calibration store. */
function runExtras(opts: ResetOpts): { trustLabel?: boolean; calibration?: CalibrationStore } {
  return { ...(opts.trustLabel ? { trustLabel: true } : {}), ...(opts.calibrationStore ? { calibration: opts.calibrationStore } : {}) };
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
  run: (on: RunOn, sim: SimBench) => Promise<R>,
  redact: (text: string) => string = (text) => text,
): Promise<{ result: R; sim: SimBench }> {
  const level = await simCameraLevel(opts);
  const clock = opts.realtime ? new RealClock() : new VirtualClock();
  const sim = createSimBench({ ...place, clock });
  await sim.driver.open();
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => sim.driver.releaseAll());
  const inspectLines: string[] = [];
  const seen = level === undefined || place.blind ? undefined : (await loadSimCamera()).simCameraBench(sim, clock, { seed: place.seed, level });
  if (seen) void holdClock(clock, seen.observer.start());
  const bench = seen ? seen.bench : sim.bench;
  const live = progress(opts, clock, inspectLines, redact);
  const running = run({ bench, clock, signal: abort.signal, ...live.on }, sim);
  try {
    const result = clock instanceof VirtualClock ? await clock.runUntil(running) : await running;
    return { result, sim };
  } finally {
    live.stop();
    stopInterrupt();
    if (seen) {
      await seen.observer.stop();
      await stopOcrIfLoaded();
    }
    await sim.driver.close();
    if (opts.inspect) writeInspect(opts, inspectLines);
  }
}

/** A simulator-only option given with --port: one line naming it. */
export function refuseSimOptions<O extends object>(opts: O, keys: readonly (keyof O & string)[]): void {
  const given = keys.find((k) => opts[k] !== undefined);
  if (given === undefined) return;
  const flag = `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new ConfigError('sim-option-on-port', `${flag} applies to the simulator only, not to a bench on --port`, `drop ${flag}, or drop --port`);
}

/**
 * A run on the bench on --port, in real time: the board (and the camera, and what `between` starts) opened before the
 * run and closed after it; Ctrl-C releases every solenoid and switches the relay off.
 */
export async function onPort<R, N extends { stop(): Promise<void> } = never>(
  port: string,
  fixture: Fixture,
  opts: OnePhoneOpts & PortBenchOpts,
  model: PhoneModel | undefined,
  run: (on: RunOn, extra: N | undefined) => Promise<R>,
  o: { redact?: (text: string) => string; between?: (clock: Clock) => Promise<N | undefined> } = {},
): Promise<R> {
  const clock = new RealClock();
  const between = o.between;
  const opened = await openPortBench(port, fixture, opts, model, clock, between ? () => between(clock) : undefined);
  const abort = new AbortController();
  const stopInterrupt = onInterrupt(() => abort.abort(new Error('interrupted')), () => opened.driver.releaseAll());
  const inspectLines: string[] = [];
  const live = progress(opts, clock, inspectLines, o.redact);
  try {
    return await run({ bench: opened.bench, clock, signal: abort.signal, ...live.on }, opened.extra);
  } finally {
    live.stop();
    stopInterrupt();
    await opened.close();
    if (opts.inspect) writeInspect(opts, inspectLines);
  }
}

/**
 * A planned run on a bench on --port (`reset`, `reboot`): the real bench (or `sim serve`'s virtual one) in real time.
 * Without --camera a run that completes is `unverified` (exit 3), never `pass`: nothing saw the phone; with one, the
 * machines wait on what the camera reads and a completed reset ends `pass`.
 */
async function runOnPort(
  port: string,
  plan: RunPlan | 'auto',
  mac: string,
  fixture: Fixture,
  opts: ResetOpts,
  decide: (model: PhoneModel, mac: string) => RunPlan,
): Promise<number> {
  let model = plan === 'auto' ? undefined : plan.model;
  refuseSimOptions(opts, ['realtime', 'simSeed', 'simMac', 'simModel', 'simCase', 'simVariant', 'simSoftware', 'simAdminPassword', 'simBlind', 'simCamera']);
  // With a camera, the machines see the screen: a completed reset can then end `pass`. With --network, the bench's own
  // DHCP and provisioning server run on the phone's interface before anything moves: an interface that is missing,
  // down or without the address, or dnsmasq missing, is one line and nothing moved.
  type Network = Awaited<ReturnType<typeof import('./port-network.js').startPortNetwork>>;
  const record = await onPort<ResetRecord, Network>(port, fixture, opts, model, async (on, network) => {
    const run = { ...on, ...runExtras(opts) };
    if (network) {
      const { runPlanWithNetwork } = await import('../../observe/network/networked-run.js');
      const { networkedOn } = await import('./reset-network.js');
      const ran = await runPlanWithNetwork({
        ...networkedOn(run),
        observer: network,
        label: mac === 'auto' ? undefined : mac,
        model: plan === 'auto' ? 'auto' : { model: plan.model, firstPlan: plan },
        fixture,
        decide,
      });
      model ??= ran.model;
      return ran.record;
    }
    if (plan !== 'auto') return runPlan(plan, { mac, ...run });
    throw new Error('--model auto without the network (bug: runOnePhone checks it)');
  }, { between: async (clock) => (opts.network === undefined ? undefined : (await import('./port-network.js')).startPortNetwork(opts.network, opts.networkAddress, clock)) });
  if (opts.json) {
    writeJson(record);
  } else {
    const fw = record.bench.firmware;
    process.stdout.write(
      `${headline(model?.name ?? record.model, record.mac, record, { colour: wantsColour(process.stdout), benchTime: false })}\n` +
        `  ${record.summary}\n` +
        `  bench: ${record.bench.driver} on ${port}${fw ? ` (${fw.name} ${fw.version}, protocol ${fw.protocol})` : ''}, ${opts.camera ? `camera ${opts.camera}` : 'no camera'}, ${opts.network ? `network ${opts.network}` : 'no network'}\n`,
    );
    for (const e of record.evidence ?? []) process.stdout.write(`  evidence (${e.about}, ${e.proof}${e.holds ? '' : ', against'}): ${e.detail}\n`);
  }
  keepRun(opts, { kind: kindOf(record), modelName: model?.name ?? record.model, mac: record.mac, station: port, record: record as SingleRecord });
  return opts.outputFailed ? EXIT.io : exitCodeForOutcome(record.outcome, record.failure?.class);
}

/**
 * Live progress on stderr in the technician's words (not with --json): on a terminal the step in progress is redrawn
 * with its countdown; piped, one line a step. And the --inspect lines collected.
 */
function progress(
  opts: OnePhoneOpts,
  clock: Clock,
  inspectLines: string[],
  redact: (text: string) => string = (text) => text,
): { on: Pick<RunOn, 'onState' | 'inspect'>; stop: () => void } {
  const shown = opts.json ? undefined : createRunProgress({ stream: process.stderr, clock, live: process.stderr.isTTY === true, redact });
  return {
    on: {
      ...(opts.inspect ? { inspect: (e: InspectionEvent) => inspectLines.push(redact(inspectionLine(e, clock.now()))) } : {}),
      ...(shown ? { onState: (state: string, attempt: number, words: StepWords) => shown.onState(state, attempt, words) } : {}),
    },
    stop: () => shown?.stop(),
  };
}

/** One JSON line per inspection event: its bench time, kind, and the event or state it carries. */
function inspectionLine(e: InspectionEvent, t: number): string {
  const line: Record<string, unknown> = { t, type: e.type };
  if (e.type === '@xstate.event') line.event = e.event.type;
  if (e.type === '@xstate.snapshot') line.state = (e.snapshot as { value?: unknown }).value;
  return JSON.stringify(line);
}
