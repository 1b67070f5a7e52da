import { createHash, randomInt } from 'node:crypto';
import { CalibrationStore, defaultCalibrationPath } from '../calibration/calibration.js';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RealClock, VirtualClock, type Clock } from '../clock/clock.js';
import { ConfigError } from '../errors/errors.js';
import { drive } from './drive.js';
import { redactedOptions } from './options.js';
import { describeJob, loadBatchFile, modelSource, planOnce, type BadRow, type BatchFile, type Job } from './jobs.js';
import { checkOutput, lockJournal, OutputError, type JournalLock, type LockHolder } from './outputs.js';
import { Journal, journalAsScanned, needsRun, readEntryAt, readJournal, readJournalHeader, scanJournal, type BatchHeader, type JournalRead, type JournalScan, type NewEntry } from './journal.js';
import type { BatchRecord } from './phone-record.js';
import { summarize, Tally, writeSummaries, type BatchSummary } from './report.js';
import { writeFileAtomic } from './atomic.js';
import { runJobs, type BatchEvent, type PendingJob, type Station, type StationStatus } from './runner.js';
import { openSimTruthLog } from './sim-station.js';
import {
  createStationPort,
  defaultSimStations,
  holdsOnePhone,
  loadStationFile,
  stationConfig,
  stationProblems,
  type StationSpec,
} from './stations.js';

/**
 * Where runs are kept unless told otherwise: batches in <root>/<batch-id>/, single runs (reset, reboot, provision) in
 * <root>/<run-id>/. The root is $RESETBOT_RUNS, else ./resetbot-runs. `resetbot runs` lists them.
 */
export function runsRoot(): string {
  return process.env.RESETBOT_RUNS || 'resetbot-runs';
}

export interface BatchSetup {
  /** The batch file; may be left out with `resume` and `journal` (the journal names it). */
  file?: string;
  stationsFile?: string;
  /** Without a station file: how many simulated stations (default 1). */
  simStations?: number;
  /** A profiles file (--profiles F): models beyond the catalog that rows may name. */
  profiles?: string;
  journal?: string;
  outDir?: string;
  resume?: boolean;
  /** Run the good rows when some rows are bad (--skip-bad, or the operator said yes). */
  skipBad?: boolean;
  /** The operator vouches for the labels: a phone whose identity rests on its label alone may pass. */
  trustLabel?: boolean;
  /** The bench's calibration file (default: calibration.json in the runs folder, or $RESETBOT_CALIBRATION). */
  calibration?: string;
  /** Simulated stations: virtual time no faster than this many times real time. */
  pace?: number;
  /** Seed of the simulated stations' randomness (recorded; default: a resumed batch's, else a new one). */
  seed?: number;
  /** Where simulated stations write the simulator's own account of each phone. */
  simTruth?: string;
  /** The id of a new batch. */
  newBatchId: () => string;
  wallClock: () => Date;
  resetbotVersion: string;
}

/** The setup a batch runs with: what was given, and on a resume what its journal keeps. */
export interface RunSetup extends BatchSetup {
  seed: number;
}

/** A batch read and validated, nothing moved and nothing written yet. */
export interface PreparedBatch {
  id: string;
  setup: RunSetup;
  file: BatchFile;
  /** Bad rows: the operator decides to run the good ones (--skip-bad) or stop. */
  bad: BadRow[];
  /** Row warnings that do not stop a job, with their line. */
  warnings: string[];
  stations: StationSpec[];
  clock: Clock;
  outDir: string;
  journalPath: string;
  /** The journal being resumed (as scanned: its jobs' histories went into `pending` and `done`). */
  resumed: JournalScan | undefined;
  /** Jobs to run in this session. */
  pending: PendingJob[];
  /** Jobs that already have their result (a resume). */
  done: number;
  /** The bench's calibration, read before anything moves (a damaged file stops here, in one line). */
  calibration: CalibrationStore;
}

/** Reads and validates everything; touches no hardware and writes nothing. */
export function prepareBatch(setup: BatchSetup): PreparedBatch {
  const read = setup.resume ? findJournal(setup) : undefined;
  const resumed = read && scanOf(read);
  const header = resumed?.header;
  if (header && header.mode !== 'file') {
    throw new ConfigError('wrong-mode', `journal ${resumed!.path} is a scan session`, 'resume it with: resetbot batch --scan --resume --journal ' + resumed!.path);
  }
  const run = keptSetup(setup, header);
  const filePath = run.file ?? header?.file ?? undefined;
  if (!filePath) throw new ConfigError('no-batch-file', 'no batch file given', 'give the batch FILE (CSV or JSON), or use --scan');

  const stationSpecs = run.stationsFile ? loadStationFile(run.stationsFile) : undefined;
  const simCount = run.simStations ?? 1;
  const names = stationSpecs ? stationSpecs.map((s) => s.name) : Array.from({ length: simCount }, (_, i) => `sim-${i + 1}`);
  const file = loadBatchFile(filePath, { stations: names, models: modelSource(run.profiles) });
  if (header && header.fileHash !== file.hash) {
    throw new ConfigError(
      'batch-file-changed',
      `batch file ${filePath} has changed since batch ${header.batch} started`,
      'resume with the file as it was, or start a new batch without --resume',
    );
  }
  const stations = stationSpecs ?? defaultSimStations(simCount);
  onePhonePerRealStation(file, stations);
  rowsNoStationCanRun(file, stations);

  const id = header?.batch ?? setup.newBatchId();
  const outDir = resolve(setup.outDir ?? header?.outDir ?? join(runsRoot(), id));
  const journalPath = resolve(resumed?.path ?? setup.journal ?? join(outDir, 'journal.jsonl'));

  // Every output can be written, on a disk with room, before anything moves.
  checkOutput(outDir, '--out', 'dir');
  checkOutput(journalPath, '--journal', 'file', { makeDir: true });
  if (run.simTruth) checkOutput(run.simTruth, '--sim-truth', 'file', { makeDir: true });

  const history = read?.jobs ?? new Map<string, never>();
  const pending: PendingJob[] = [];
  let done = 0;
  for (const job of file.jobs) {
    const h = history.get(job.mac);
    if (h && !needsRun(h)) {
      done++;
      continue;
    }
    pending.push(h ? { job, run: h.runs + 1, interrupted: h.interrupted, queued: true } : { job, run: 1, interrupted: 0 });
  }
  const warnings = [...file.notes, ...file.jobs.flatMap((j) => j.warnings.map((w) => `line ${j.line}: ${w}`))];
  return {
    id,
    setup: run,
    file,
    bad: file.bad,
    warnings,
    stations,
    clock: clockFor(stations),
    outDir,
    journalPath,
    resumed,
    pending,
    done,
    calibration: new CalibrationStore(setup.calibration ?? defaultCalibrationPath()),
  };
}

/** A journal read without its jobs' histories (kept for the whole batch, they are needed only to plan it). */
function scanOf(read: JournalRead): JournalScan {
  const { path, header, sessions, lastSeq, validBytes, totalBytes } = read;
  return { path, header, sessions, lastSeq, validBytes, totalBytes };
}

/**
 * A real station's jig holds one phone, placed by the operator: it runs the one row that names it, and no row that
 * names none (a simulated station places a fresh simulated phone for every job). A second row naming the same real
 * station is a bad row. One jig, phone after phone: --scan.
 */
function onePhonePerRealStation(file: BatchFile, stations: StationSpec[]): void {
  if (!stations.some(holdsOnePhone)) return;
  const taken = new Map<string, number>();
  keepJobs(file, (job) => {
    const spec = stations.find((s) => s.name === job.station);
    if (!spec || !holdsOnePhone(spec)) return true;
    const first = taken.get(spec.name);
    if (first === undefined) {
      taken.set(spec.name, job.line);
      return true;
    }
    file.bad.push({
      line: job.line,
      reason: `station ${spec.name} already has the phone of line ${first}: a real station's jig holds one phone (reset phones one after another on one jig with --scan)`,
    });
    return false;
  });
  file.bad.sort((a, b) => a.line - b.line);
}

/** Keeps the file's jobs that `keep` accepts, in their order, in the same array (a batch's jobs are not copied). */
function keepJobs(file: BatchFile, keep: (job: Job) => boolean): void {
  let kept = 0;
  for (const job of file.jobs) if (keep(job)) file.jobs[kept++] = job;
  file.jobs.length = kept;
}

/**
 * Rows no station can run, found before anything moves: a row naming a station that lacks what it needs (keys, relay,
 * hold time, camera, a simulated unit: stationProblems), or a row naming none that no simulated station can run, is
 * a bad row, with the reason. A row naming no station when every station is real is left to the run, which records
 * why it did not run (a real station takes only the row that names it).
 */
function rowsNoStationCanRun(file: BatchFile, stations: StationSpec[]): void {
  keepJobs(file, (job) => {
    const candidates = job.station !== undefined ? stations.filter((s) => s.name === job.station) : stations.filter((s) => !holdsOnePhone(s));
    if (candidates.length === 0) return true;
    const plan = planOnce(job);
    const problems = candidates.map((s) => ({ name: s.name, problems: stationProblems(s, job, plan) }));
    if (problems.some((p) => p.problems.length === 0)) return true;
    file.bad.push({ line: job.line, reason: cannotRun(job, problems) });
    return false;
  });
  file.bad.sort((a, b) => a.line - b.line);
}

/** Why no station can run a job: stations with the same problems named together. */
function cannotRun(job: Job, problems: { name: string; problems: string[] }[]): string {
  const what = describeJob(job);
  if (job.station !== undefined) return `station ${job.station} cannot run ${what}: ${problems[0]!.problems.join('; ')}`;
  const groups = new Map<string, string[]>();
  for (const p of problems) {
    const text = p.problems.join('; ');
    groups.set(text, [...(groups.get(text) ?? []), p.name]);
  }
  return `no station can run ${what}: ${[...groups].map(([text, names]) => `${names.join(', ')}: ${text}`).join('; ')}`;
}

/**
 * The setup a batch runs with. A new batch: as given (a new random seed unless one is given). A resumed batch: the
 * options that shape the run (the stations, the profiles file, the seed, --skip-bad) as its journal's header keeps
 * them, unless given again; a value given that differs from the kept one is refused, in one line. Journals of older
 * versions keep only the station file: the other options are then as given.
 */
export function keptSetup<S extends Omit<BatchSetup, 'file'>>(setup: S, header: JournalRead['header'] | undefined): S & { seed: number } {
  if (!header) return { ...setup, seed: setup.seed ?? randomInt(2 ** 31) };
  const conflict = (flag: string, given: string | number, kept: string) =>
    new ConfigError(
      'resume-conflict',
      `${flag} ${given} conflicts with batch ${header.batch}, which ${kept}`,
      `drop ${flag} to resume the batch as it started, or start a new batch without --resume`,
    );
  const out: S & { seed: number } = { ...setup, seed: setup.seed ?? header.seed ?? randomInt(2 ** 31) };

  const keptStations = header.stationsFile;
  const keptSim = header.simStations ?? undefined;
  const onStations = keptStations !== null ? `runs on the stations of ${keptStations}` : `runs on ${keptSim ?? 'its'} simulated station${keptSim === 1 ? '' : 's'} (no station file)`;
  if (setup.stationsFile !== undefined && resolve(setup.stationsFile) !== keptStations) throw conflict('--stations', setup.stationsFile, onStations);
  if (setup.simStations !== undefined && (keptStations !== null || (keptSim !== undefined && setup.simStations !== keptSim))) {
    throw conflict('--sim-stations', setup.simStations, onStations);
  }
  if (keptStations !== null) out.stationsFile = keptStations;
  else if (keptSim !== undefined) out.simStations = keptSim;

  if (header.profiles !== undefined) {
    if (setup.profiles !== undefined && resolve(setup.profiles) !== header.profiles) {
      throw conflict('--profiles', setup.profiles, header.profiles === null ? 'runs without a profiles file' : `runs with the profiles of ${header.profiles}`);
    }
    if (header.profiles !== null) {
      const hash = fileHash(header.profiles, 'no-profiles', 'profiles file');
      if (hash !== header.profilesHash) {
        throw new ConfigError(
          'profiles-changed',
          `profiles file ${header.profiles} has changed since batch ${header.batch} started`,
          'resume with the file as it was, or start a new batch without --resume',
        );
      }
      out.profiles = header.profiles;
    }
  }
  if (setup.seed !== undefined && header.seed !== undefined && setup.seed !== header.seed) {
    throw conflict('--sim-seed', setup.seed, `runs with seed ${header.seed}`);
  }
  if (setup.skipBad && header.skipBad === false) {
    throw new ConfigError(
      'resume-conflict',
      `--skip-bad conflicts with batch ${header.batch}, which started without it (its bad rows stopped it)`,
      'drop --skip-bad to resume the batch as it started, or start a new batch with --skip-bad',
    );
  }
  if (setup.outDir !== undefined && resolve(setup.outDir) !== header.outDir) {
    throw new ConfigError(
      'resume-conflict',
      `--out ${setup.outDir} conflicts with batch ${header.batch}, whose reports are in ${header.outDir}`,
      'drop --out (the batch keeps its folder), or start a new batch without --resume',
    );
  }
  if (header.skipBad) out.skipBad = true;
  return out;
}

/** SHA-256 of a file's bytes. */
function fileHash(path: string, code: string, what: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    throw new ConfigError(code, `cannot read ${what} ${path}`, 'check the path');
  }
}

/**
 * Simulated stations only: one virtual clock they all share, so they run in parallel in virtual time. Any real
 * station: the real clock for all (a simulated station among real ones runs in real time).
 */
export function clockFor(stations: StationSpec[]): Clock {
  return stations.every((s) => s.driver === 'sim') ? new VirtualClock() : new RealClock();
}

/**
 * The journal to resume: the one given (--journal, or the one in --out), else the newest under ./resetbot-runs/ that
 * ran the same batch file (by content).
 */
function findJournal(setup: BatchSetup): JournalRead {
  if (setup.journal) return readJournal(setup.journal);
  if (setup.outDir) {
    // The batch of that folder, and no other: never a sibling's journal.
    const path = join(setup.outDir, 'journal.jsonl');
    if (!existsSync(path)) {
      throw new ConfigError(
        'nothing-to-resume',
        `--resume --out ${setup.outDir}: there is no journal in that folder (no ${path})`,
        'give the folder of the batch to resume (it holds journal.jsonl), or its journal with --journal',
      );
    }
    return readJournal(path);
  }
  if (!setup.file) throw new ConfigError('nothing-to-resume', '--resume needs the batch FILE or --journal', 'give the batch file, or the journal with --journal');
  const hash = createHash('sha256').update(readFileOrThrow(setup.file)).digest('hex');
  const root = setup.outDir ? resolve(setup.outDir, '..') : resolve(runsRoot());
  const candidates: { path: string; header: JournalScan['header'] }[] = [];
  if (existsSync(root)) {
    for (const dir of readdirSync(root)) {
      const path = join(root, dir, 'journal.jsonl');
      if (!existsSync(path)) continue;
      try {
        // Only its header line is read: the one chosen is then read whole (and checked) by readJournal.
        const header = readJournalHeader(path);
        if (header.fileHash === hash) candidates.push({ path, header });
      } catch {
        // Not a journal we can read: not a candidate.
      }
    }
  }
  candidates.sort((a, b) => b.header.at.localeCompare(a.header.at));
  const newest = candidates[0];
  if (!newest) {
    throw new ConfigError('nothing-to-resume', `no journal under ${root} is for batch file ${setup.file}`, 'give the journal with --journal, or start the batch without --resume');
  }
  return readJournal(newest.path);
}

function readFileOrThrow(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new ConfigError('no-batch-file', `cannot read batch file ${path}`, 'check the path');
  }
}

export interface StartOptions {
  signal: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
  /** Called once the stations exist, with a function that releases them all now (a second Ctrl-C). */
  onStations?: (releaseAll: () => Promise<void>) => void;
  /** A note for the operator (a stale lock taken over). */
  onNote?: (text: string) => void;
}

export interface BatchResult {
  summary: BatchSummary;
}

/** A new or resumed journal, its session line written. */
export function openJournal(
  p: { id: string; journalPath: string; resumed: JournalScan | undefined; outDir: string; clock: Clock; stations: StationSpec[] },
  setup: Omit<RunSetup, 'file'>,
  header: Pick<BatchHeader, 'mode' | 'file' | 'fileHash'>,
): Journal {
  const start = p.clock.now();
  const clockMs = () => p.clock.now() - start;
  const journal = p.resumed ? Journal.resume(p.resumed, clockMs) : Journal.create(p.journalPath, p.id, clockMs);
  const at = setup.wallClock().toISOString();
  journal.appendMany([
    ...(p.resumed
      ? []
      : [
          {
            type: 'batch' as const,
            ...header,
            stationsFile: setup.stationsFile ? resolve(setup.stationsFile) : null,
            simStations: header.mode === 'file' && !setup.stationsFile ? (setup.simStations ?? 1) : null,
            profiles: setup.profiles ? resolve(setup.profiles) : null,
            profilesHash: setup.profiles ? fileHash(setup.profiles, 'no-profiles', 'profiles file') : null,
            seed: setup.seed,
            skipBad: setup.skipBad === true,
            outDir: p.outDir,
            resetbot: setup.resetbotVersion,
            at,
          },
        ]),
    {
      type: 'session' as const,
      at,
      resume: p.resumed !== undefined,
      clock: p.clock instanceof VirtualClock ? ('virtual' as const) : ('real' as const),
      pace: setup.pace ?? null,
      stations: p.stations.map((s) => stationConfig(s)),
    },
  ]);
  return journal;
}

/** The batch-wide part of every record's configuration. */
export function batchConfig(setup: Pick<RunSetup, 'stationsFile' | 'profiles' | 'pace' | 'seed'>, clock: Clock, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    stationsFile: setup.stationsFile ? resolve(setup.stationsFile) : null,
    profiles: setup.profiles ? resolve(setup.profiles) : null,
    clock: clock instanceof VirtualClock ? 'virtual' : 'real',
    simPace: setup.pace ?? null,
    simSeed: setup.seed,
  };
}

/** Makes every station's port (a driver not in this build is a ConfigError, before anything moves). */
export function makeStations(specs: StationSpec[], clock: Clock, setup: { seed: number }, simTruth?: (line: Record<string, unknown>) => void): Station[] {
  return specs.map((spec) => ({ spec, port: createStationPort(spec, { clock, seed: setup.seed, ...(simTruth ? { simTruth } : {}) }) }));
}

/**
 * Journals and runs the prepared batch's pending jobs, then writes the reports from the whole journal. The journal is
 * locked first (a second writer is refused at once). A journal write that fails mid-run (disk full, read-only, I/O
 * error) stops the batch as Ctrl-C does (every channel on every station released), then throws its OutputError.
 */
export async function startBatch(p: PreparedBatch, opts: StartOptions & { lock?: JournalLock }): Promise<BatchResult> {
  const lock = opts.lock ?? lockBatch(p, opts.onNote);
  try {
    return await runLocked(p, opts);
  } finally {
    lock.release();
  }
}

/**
 * Takes the prepared batch's journal lock (refused at once, naming the holder, when another batch writes it), and
 * checks that a resumed journal is still as it was read.
 */
export function lockBatch(p: PreparedBatch, onNote?: (text: string) => void): JournalLock {
  const lock = lockJournal(p.journalPath, p.setup.wallClock());
  try {
    if (p.resumed) sameJournalAsRead(p.resumed);
  } catch (err) {
    lock.release();
    throw err;
  }
  if (lock.replaced) onNote?.(staleLockNote(lock.replaced));
  return lock;
}

/** A journal resumed must still be as it was read: another batch may have written it in between. */
export function sameJournalAsRead(read: JournalScan): void {
  if (!journalAsScanned(read)) {
    throw new ConfigError(
      'journal-changed',
      `journal ${read.path} changed while this batch was getting ready (another batch wrote to it)`,
      'run the --resume again once the other batch has ended',
    );
  }
}

export function staleLockNote(h: LockHolder): string {
  return `the journal's lock of pid ${h.pid} (since ${h.at}) was stale: that batch is gone, this one takes over`;
}

/**
 * Stops the batch, as Ctrl-C stops it, when an output cannot be written (the journal, the --sim-truth log): `signal`
 * is the operator's Ctrl-C or the first output failure, kept in `failure`.
 */
export class OutputStop {
  failure: OutputError | undefined;
  private readonly stop = new AbortController();
  readonly signal = this.stop.signal;

  constructor(operator: AbortSignal) {
    const onAbort = () => this.stop.abort(operator.reason);
    if (operator.aborted) onAbort();
    else operator.addEventListener('abort', onAbort, { once: true });
  }

  readonly fail = (err: OutputError): void => {
    this.failure ??= err;
    this.stop.abort(err);
  };

  /** The journal's write failures stop the batch. */
  watch(journal: Journal): void {
    journal.onFailure = this.fail;
    if (journal.failure) this.fail(journal.failure);
  }
}

async function runLocked(p: PreparedBatch, opts: StartOptions): Promise<BatchResult> {
  const outputs = new OutputStop(opts.signal);
  const signal = outputs.signal;
  const truth = p.setup.simTruth ? openSimTruthLog(p.setup.simTruth, outputs.fail) : undefined;
  const stations = makeStations(p.stations, p.clock, p.setup, truth?.write);
  opts.onStations?.(() => Promise.all(stations.map((s) => s.port.releaseAll().catch(() => {}))).then(() => {}));
  const journal = openJournal(p, p.setup, { mode: 'file', file: resolve(p.file.path), fileHash: p.file.hash });
  outputs.watch(journal);
  let result: { stations: StationStatus[] } | undefined;
  try {
    // A queued line for every job the journal does not have yet, written a chunk at a time (appendMany).
    journal.appendMany(queuedLines(p.pending));
    if (!journal.failure) {
      result = await drive(
        p.clock,
        runJobs({
          batch: p.id,
          journal,
          clock: p.clock,
          stations,
          jobs: p.pending,
          signal,
          ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
          wallClock: p.setup.wallClock,
          resetbotVersion: p.setup.resetbotVersion,
          config: batchConfig(p.setup, p.clock, { batchFile: resolve(p.file.path) }),
          ...(p.setup.trustLabel ? { trustLabel: true } : {}),
          calibration: p.calibration,
        }),
        p.setup.pace,
      );
    }
    journal.append({ type: 'end', at: p.setup.wallClock().toISOString(), aborted: signal.aborted });
  } finally {
    journal.close();
    truth?.close();
    // Not one station is left energised, whatever happened (runJobs tears down too; this covers a failure before it).
    if (outputs.failure) await Promise.all(stations.map(async (s) => s.port.releaseAll().catch(() => {})));
  }
  if (outputs.failure) throw interruptedByOutput(outputs.failure, p.journalPath, p.outDir);
  return reportOrSay(() => report(p.id, p.setup.resetbotVersion, resolve(p.file.path), p.journalPath, p.outDir, result!.stations, p.bad), p.journalPath);
}

/** The reports, or when they cannot be written (the disk filled at the very end), one line saying how to get them. */
export function reportOrSay(write: () => BatchResult, journalPath: string, scan = false): BatchResult {
  try {
    return write();
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    throw new OutputError(
      err.code,
      `${err.message}; every phone's result is in the journal, every station was released`,
      `free space, then write the reports with: resetbot batch${scan ? ' --scan' : ''} --resume --journal ${journalPath} (it runs nothing again)`,
      err.path,
    );
  }
}

/** The queued lines of the jobs the journal does not have yet, made as they are written. */
function* queuedLines(pending: PendingJob[]): Generator<NewEntry> {
  for (const pj of pending) {
    if (pj.queued) continue;
    yield {
      type: 'queued',
      job: pj.job.mac,
      run: 0,
      attempt: 0,
      line: pj.job.line,
      model: pj.job.model?.id ?? 'auto',
      station: pj.job.station ?? null,
      procedure: pj.job.procedure,
      options: redactedOptions(pj.job.options),
    };
  }
}

/** The one line for an output that could not be written mid-run: what happened, what was kept, how to go on. */
export function interruptedByOutput(f: OutputError, journalPath: string, outDir: string, scan = false): OutputError {
  let recorded = '';
  try {
    const read = readJournal(journalPath);
    const { jobs } = read;
    const done = [...jobs.values()].filter((h) => !needsRun(h)).length;
    recorded = `; the journal keeps ${done} of ${jobs.size} phone(s) done`;
    // The reports, as far as the journal goes (the disk may still be full: then they are left as they were).
    try {
      report(read.header.batch, read.header.resetbot, read.header.file, journalPath, outDir, [], []);
    } catch {
      // written when the batch is resumed
    }
  } catch {
    // the journal cannot even be read back: the resume will say so
  }
  return new OutputError(
    f.code,
    `${f.message}; the batch stopped and every station was released${recorded}`,
    `free space (or fix the disk), then resume with: resetbot batch${scan ? ' --scan' : ''} --resume --journal ${journalPath}`,
    f.path,
  );
}

/**
 * Rebuilds every phone's record from the whole journal (every session) and writes the reports. The journal is read
 * twice, a chunk at a time, never whole: once to find each job's last final line (where it is, not the record), then
 * those lines again, in the records' order, each written to records.jsonl and counted as it goes. Memory: a few
 * numbers a phone, and the failures the summary lists.
 */
export function report(
  batch: string,
  resetbot: string,
  file: string | null,
  journalPath: string,
  outDir: string,
  stations: StationStatus[],
  rejected: BadRow[],
): BatchResult {
  const { jobs, sessionMs } = scanFinals(journalPath);
  // The jobs with a final, in the records' order (by line, then MAC): indices into the scan's columns.
  const macs = [...jobs.keys()];
  const finals: number[] = [];
  for (let i = 0; i < macs.length; i++) if (jobs.length[i]! > 0) finals.push(i);
  finals.sort((a, b) => (jobs.line[a] || Infinity) - (jobs.line[b] || Infinity) || macs[a]!.localeCompare(macs[b]!));
  const tally = new Tally();
  const fd = openSync(journalPath, 'r');
  try {
    const summary = summarize({ batch, resetbot, file, records: [], unfinished: macs.length - finals.length, sessionMs, stations, rejected, outDir, journal: journalPath });
    writeFileAtomic(summary.records, (write) => {
      for (const i of finals) {
        const offset = jobs.offset[i]!;
        const entry = readEntryAt(fd, offset, jobs.length[i]!);
        if (entry.type !== 'final') throw new Error(`journal ${journalPath}: the line at byte ${offset} is not a final record`);
        tally.add(entry.record);
        write(JSON.stringify(entry.record) + '\n');
      }
    });
    const whole = tally.into(summary);
    writeSummaries(whole);
    return { summary: whole };
  } finally {
    closeSync(fd);
  }
}

/**
 * Each job of a journal (in the order queued: `keys()` gives the job keys, their index the columns') with its line
 * and where its last final line is (length 0: none yet), and each session's clock. Columns of numbers, not an object a
 * job: a 100,000-phone journal's scan holds a few numbers a phone.
 */
function scanFinals(journalPath: string): { jobs: FinalsIndex; sessionMs: number[] } {
  const jobs = new FinalsIndex();
  const sessionMs: number[] = [];
  scanJournal(journalPath, (e, offset, length) => {
    sessionMs[e.session - 1] = Math.max(sessionMs[e.session - 1] ?? 0, e.clockMs);
    if (e.type === 'queued') jobs.queued(e.job, e.line);
    else if (e.type === 'final') jobs.final(e.job, offset, length);
  });
  for (let i = 0; i < sessionMs.length; i++) sessionMs[i] ??= 0;
  return { jobs, sessionMs };
}

/** Jobs by key, each with its line and its last final line's offset and length, in columns. */
class FinalsIndex {
  private readonly index = new Map<string, number>();
  readonly line: number[] = [];
  readonly offset: number[] = [];
  readonly length: number[] = [];

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  queued(job: string, line: number): void {
    if (this.index.has(job)) return;
    this.index.set(job, this.line.length);
    this.line.push(line);
    this.offset.push(0);
    this.length.push(0);
  }

  final(job: string, offset: number, length: number): void {
    const i = this.index.get(job);
    if (i === undefined) return;
    this.offset[i] = offset;
    this.length[i] = length;
  }
}
