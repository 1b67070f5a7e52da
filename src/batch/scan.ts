import { resolve, join } from 'node:path';
import { CalibrationStore, defaultCalibrationPath } from '../calibration/calibration.js';
import { ConfigError, ResetbotError } from '../errors/errors.js';
import { batchConfig, clockFor, interruptedByOutput, reportOrSay, keptSetup, makeStations, openJournal, report, runsRoot, OutputStop, sameJournalAsRead, staleLockNote, type BatchResult, type BatchSetup, type StartOptions } from './batch.js';
import { drive } from './drive.js';
import { redactedOptions } from './options.js';
import { describeJob, modelSource, validateRow } from './jobs.js';
import { readJournal, type JobHistory, type JournalRead } from './journal.js';
import { checkOutput, lockJournal } from './outputs.js';
import type { BatchRecord } from './phone-record.js';
import { Runner, type BatchEvent } from './runner.js';
import type { Clock } from '../clock/clock.js';
import { openSimTruthLog } from './sim-station.js';
import { defaultSimStations, loadStationFile, stationProblems, type StationSpec } from './stations.js';

/*
 * Interactive mode for a single jig (`resetbot batch --scan`): the operator scans the MAC label's barcode (a scanner
 * types it as keyboard input, then Enter) or types it, places the phone in the jig and presses Enter: the run starts.
 * Then the next phone. A scanned line is `MAC` (the model from --model) or `MAC MODEL`. Every phone is journaled and
 * recorded as in a batch file; `--resume --journal J` continues a session, and a phone that already passed in it is
 * not run again (the station file, the profiles file and the seed are kept from the session's start).
 */

export interface ScanSetup extends Omit<BatchSetup, 'file' | 'simStations'> {
  /** The station to use from the station file (default: its first). */
  station?: string;
  /** The model of every scanned phone, unless a scanned line names one. */
  model?: string;
}

export interface ScanIO {
  /** Lines the operator scans or types. */
  lines: AsyncIterator<string>;
  /** Prompts and messages to the operator. */
  say(text: string): void;
  /** Live progress of each run, given the bench clock once it exists. */
  progress?: (clock: Clock, station: string) => (event: BatchEvent) => void;
}

const QUIT = /^(q|quit|exit|done)$/i;
const SKIP = /^(s|skip)$/i;

function pickStation(setup: ScanSetup): StationSpec {
  // Without a station file: a simulated station that seats each scanned phone in its model's jig, as `resetbot reset` does.
  if (!setup.stationsFile) return defaultSimStations(1)[0]!;
  const all = loadStationFile(setup.stationsFile);
  if (setup.station === undefined) return all[0]!;
  const found = all.find((s) => s.name === setup.station);
  if (!found) {
    throw new ConfigError('unknown-station', `station file ${setup.stationsFile} has no station '${setup.station}'`, `use one of: ${all.map((s) => s.name).join(', ')}`);
  }
  return found;
}

/** Runs the scan loop to its end (the operator quits, input ends, or Ctrl-C) and writes the reports. */
export async function runScan(given: ScanSetup, io: ScanIO, opts: StartOptions): Promise<BatchResult> {
  const resumed = given.resume ? readJournal(given.journal ?? missingJournal()) : undefined;
  if (resumed && resumed.header.mode !== 'scan') {
    throw new ConfigError('wrong-mode', `journal ${resumed.path} is a batch file's, not a scan session's`, 'resume it without --scan');
  }
  const setup = keptSetup(given, resumed?.header);
  const models = modelSource(setup.profiles);
  if (setup.model) models.catalog.find(setup.model); // an unknown --model fails before anything moves
  const spec = pickStation(setup);
  const clock = clockFor([spec]);
  const id = resumed?.header.batch ?? setup.newBatchId();
  const outDir = resolve(setup.outDir ?? resumed?.header.outDir ?? join(runsRoot(), id));
  const journalPath = resolve(resumed?.path ?? setup.journal ?? join(outDir, 'journal.jsonl'));

  checkOutput(outDir, '--out', 'dir');
  checkOutput(journalPath, '--journal', 'file', { makeDir: true });
  if (setup.simTruth) checkOutput(setup.simTruth, '--sim-truth', 'file', { makeDir: true });
  // One writer per journal: the lock is held for the session's life.
  const lock = lockJournal(journalPath, setup.wallClock());
  try {
    if (resumed) sameJournalAsRead(resumed);
    if (lock.replaced) opts.onNote?.(staleLockNote(lock.replaced));
    return await scanLocked({ setup, io, opts, spec, clock, id, outDir, journalPath, resumed, models });
  } finally {
    lock.release();
  }
}

async function scanLocked(a: {
  setup: ScanSetup & { seed: number };
  io: ScanIO;
  opts: StartOptions;
  spec: StationSpec;
  clock: Clock;
  id: string;
  outDir: string;
  journalPath: string;
  resumed: JournalRead | undefined;
  models: ReturnType<typeof modelSource>;
}): Promise<BatchResult> {
  const { setup, io, spec, clock, id, outDir, journalPath, resumed, models } = a;
  // An output that cannot be written (the journal, the --sim-truth log) stops the session as Ctrl-C does.
  const outputs = new OutputStop(a.opts.signal);
  const truth = setup.simTruth ? openSimTruthLog(setup.simTruth, outputs.fail) : undefined;
  const stations = makeStations([spec], clock, setup, truth?.write);
  const station = stations[0]!;
  a.opts.onStations?.(() => station.port.releaseAll().catch(() => {}));
  const journal = openJournal({ id, journalPath, resumed, outDir, clock, stations: [spec] }, setup, { mode: 'scan', file: null, fileHash: null });
  outputs.watch(journal);
  const opts = { ...a.opts, signal: outputs.signal };
  const onProgress = io.progress?.(clock, spec.name);
  const runner = new Runner({
    batch: id,
    journal,
    clock,
    stations,
    signal: opts.signal,
    onEvent: (e) => {
      onProgress?.(e);
      opts.onEvent?.(e);
    },
    wallClock: setup.wallClock,
    resetbotVersion: setup.resetbotVersion,
    config: batchConfig(setup, clock, { mode: 'scan' }),
    ...(setup.trustLabel ? { trustLabel: true } : {}),
    calibration: new CalibrationStore(setup.calibration ?? defaultCalibrationPath()),
  });
  // What this session knows of each phone: from the journal being resumed, then from its own runs.
  const history = new Map<string, Omit<JobHistory, 'mac'>>(
    resumed ? [...resumed.jobs].map(([mac, h]) => [mac, { runs: h.runs, interrupted: h.interrupted, final: h.final }]) : [],
  );

  const aborted = new Promise<undefined>((res) => {
    if (opts.signal.aborted) res(undefined);
    opts.signal.addEventListener('abort', () => res(undefined), { once: true });
  });
  /** The next line, or undefined when input ends or the operator stops (Ctrl-C). */
  const next = async (): Promise<string | undefined> => {
    if (opts.signal.aborted) return undefined;
    const r = await Promise.race([io.lines.next(), aborted]);
    return r === undefined || r.done ? undefined : r.value.trim();
  };

  try {
    const [healthy] = await drive(clock, runner.checkAll(() => []), setup.pace);
    if (!healthy) {
      io.say(`station ${spec.name} is out: ${runner.statusOf(spec.name)?.reason}`);
    } else {
      io.say(`Station ${spec.name} ready (${spec.fixture ? `fixture ${spec.fixture.name}` : "each phone in its model's jig"}).`);
      for (;;) {
        io.say(`Scan or type the MAC of the next phone${setup.model ? '' : ' and its model'} ("q" to finish):`);
        const line = await next();
        if (line === undefined || QUIT.test(line)) break;
        if (line === '') continue;
        const m = /^(\S+)(?:[\s,;]+(.+))?$/.exec(line)!;
        const modelText = m[2] ?? setup.model;
        if (!modelText) {
          io.say('No model: scan "MAC MODEL", e.g. "0004F2AA814C VVX 410", or start with --model.');
          continue;
        }
        let job;
        try {
          job = validateRow(
            { line: 0, mac: m[1], model: modelText, station: spec.name, procedure: undefined, options: undefined, menuReset: undefined, adminPassword: undefined, software: undefined },
            { stations: [spec.name], models, modelRequired: true },
          );
        } catch (err) {
          if (!(err instanceof ResetbotError)) throw err;
          io.say(`Not accepted: ${err.oneLine()}`);
          continue;
        }
        for (const w of job.warnings) io.say(`warning: ${w}`);
        const h = history.get(job.mac);
        if (h?.final?.outcome === 'pass') {
          io.say(`${job.mac.toUpperCase()} already passed in this batch (run ${h.final.run}): not run again.`);
          continue;
        }
        const problems = stationProblems(spec, job);
        if (problems.length > 0) {
          io.say(`Not accepted: station ${spec.name} cannot run ${describeJob(job)}: ${problems.join('; ')}.`);
          continue;
        }
        // A scanned line names its model (modelRequired).
        const model = job.model!;
        io.say(`Place the ${model.name} ${job.mac.toUpperCase()} in the jig of ${spec.name}, then press Enter ("s" to skip, "q" to finish):`);
        const answer = await next();
        if (answer === undefined || QUIT.test(answer)) break;
        if (SKIP.test(answer)) continue;

        if (!h) {
          journal.append({ type: 'queued', job: job.mac, run: 0, attempt: 0, line: 0, model: model.id, station: spec.name, procedure: job.procedure, options: redactedOptions(job.options) });
        }
        const pending = { job, run: (h?.runs ?? 0) + 1, interrupted: h?.interrupted ?? 0 };
        const record = await drive(clock, runner.runOne(station, pending), setup.pace);
        history.set(job.mac, { runs: pending.run, interrupted: pending.interrupted, final: record });
        if (opts.signal.aborted) break;
        if (!(await drive(clock, runner.recheckIfSuspect(station, record), setup.pace))) {
          io.say(`station ${spec.name} is out: ${runner.statusOf(spec.name)?.reason}`);
          break;
        }
      }
    }
    journal.append({ type: 'end', at: setup.wallClock().toISOString(), aborted: opts.signal.aborted });
  } finally {
    journal.close();
    await runner.teardown();
    truth?.close();
  }
  if (outputs.failure) throw interruptedByOutput(outputs.failure, journalPath, outDir, true);
  return reportOrSay(() => report(id, setup.resetbotVersion, null, journalPath, outDir, runner.statuses(), []), journalPath, true);
}

function missingJournal(): never {
  throw new ConfigError('nothing-to-resume', '--scan --resume needs --journal', 'give the journal of the scan session to continue');
}
