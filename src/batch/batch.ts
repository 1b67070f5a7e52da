import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RealClock, VirtualClock, type Clock } from '../clock/clock.js';
import { ConfigError } from '../errors/errors.js';
import { drive } from './drive.js';
import { redactedOptions } from './options.js';
import { loadBatchFile, type BadRow, type BatchFile } from './jobs.js';
import { Journal, needsRun, readJournal, replay, type BatchHeader, type JournalRead } from './journal.js';
import type { BatchRecord } from './phone-record.js';
import { summarize, writeReports, type BatchSummary } from './report.js';
import { runJobs, type BatchEvent, type PendingJob, type Station, type StationStatus } from './runner.js';
import { openSimTruthLog } from './sim-station.js';
import { createStationPort, defaultSimStations, holdsOnePhone, loadStationFile, stationConfig, type StationSpec } from './stations.js';

/** Where batches keep their journal and reports unless told otherwise: ./resetbot-runs/<batch-id>/. */
export const RUNS_ROOT = 'resetbot-runs';

export interface BatchSetup {
  /** The batch file; may be left out with `resume` and `journal` (the journal names it). */
  file?: string;
  stationsFile?: string;
  /** Without a station file: how many simulated stations (default 1). */
  simStations?: number;
  journal?: string;
  outDir?: string;
  resume?: boolean;
  /** Simulated stations: virtual time no faster than this many times real time. */
  pace?: number;
  /** Seed of the simulated stations' randomness (recorded; a resume reuses the batch's). */
  seed: number;
  /** Where simulated stations write the simulator's own account of each phone. */
  simTruth?: string;
  /** The id of a new batch. */
  newBatchId: () => string;
  wallClock: () => Date;
  resetbotVersion: string;
}

/** A batch read and validated, nothing moved and nothing written yet. */
export interface PreparedBatch {
  id: string;
  setup: BatchSetup;
  file: BatchFile;
  /** Bad rows: the operator decides to run the good ones (--skip-bad) or stop. */
  bad: BadRow[];
  /** Row warnings that do not stop a job, with their line. */
  warnings: string[];
  stations: StationSpec[];
  clock: Clock;
  outDir: string;
  journalPath: string;
  /** The journal being resumed. */
  resumed: JournalRead | undefined;
  /** Jobs to run in this session. */
  pending: PendingJob[];
  /** Jobs that already have their result (a resume). */
  done: number;
}

/** Reads and validates everything; touches no hardware and writes nothing. */
export function prepareBatch(setup: BatchSetup): PreparedBatch {
  const resumed = setup.resume ? findJournal(setup) : undefined;
  const header = resumed?.header;
  if (header && header.mode !== 'file') {
    throw new ConfigError('wrong-mode', `journal ${resumed!.path} is a scan session`, 'resume it with: resetbot batch --scan --resume --journal ' + resumed!.path);
  }
  const filePath = setup.file ?? header?.file ?? undefined;
  if (!filePath) throw new ConfigError('no-batch-file', 'no batch file given', 'give the batch FILE (CSV or JSON), or use --scan');

  const stationSpecs = setup.stationsFile ? loadStationFile(setup.stationsFile) : undefined;
  const simCount = setup.simStations ?? 1;
  const names = stationSpecs ? stationSpecs.map((s) => s.name) : Array.from({ length: simCount }, (_, i) => `sim-${i + 1}`);
  const file = loadBatchFile(filePath, { stations: names });
  if (header && header.fileHash !== file.hash) {
    throw new ConfigError(
      'batch-file-changed',
      `batch file ${filePath} has changed since batch ${header.batch} started`,
      'resume with the file as it was, or start a new batch without --resume',
    );
  }
  const stations = stationSpecs ?? defaultSimStations(simCount, file.jobs);
  onePhonePerRealStation(file, stations);

  const id = header?.batch ?? setup.newBatchId();
  const outDir = resolve(setup.outDir ?? header?.outDir ?? join(RUNS_ROOT, id));
  const journalPath = resolve(resumed?.path ?? setup.journal ?? join(outDir, 'journal.jsonl'));

  const history = resumed ? replay(resumed.entries).jobs : new Map();
  const pending: PendingJob[] = [];
  let done = 0;
  for (const job of file.jobs) {
    const h = history.get(job.mac);
    if (h && !needsRun(h)) {
      done++;
      continue;
    }
    pending.push({ job, run: (h?.runs ?? 0) + 1, interrupted: h?.interrupted ?? 0 });
  }
  const warnings = file.jobs.flatMap((j) => j.warnings.map((w) => `line ${j.line}: ${w}`));
  return {
    id,
    setup,
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
  };
}

/**
 * A real station's jig holds one phone, placed by the operator: it runs the one row that names it, and no row that
 * names none (a simulated station places a fresh simulated phone for every job). A second row naming the same real
 * station is a bad row. One jig, phone after phone: --scan.
 */
function onePhonePerRealStation(file: BatchFile, stations: StationSpec[]): void {
  const taken = new Map<string, number>();
  file.jobs = file.jobs.filter((job) => {
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
  if (setup.outDir && existsSync(join(setup.outDir, 'journal.jsonl'))) return readJournal(join(setup.outDir, 'journal.jsonl'));
  if (!setup.file) throw new ConfigError('nothing-to-resume', '--resume needs the batch FILE or --journal', 'give the batch file, or the journal with --journal');
  const hash = createHash('sha256').update(readFileOrThrow(setup.file)).digest('hex');
  const root = setup.outDir ? resolve(setup.outDir, '..') : resolve(RUNS_ROOT);
  const candidates: JournalRead[] = [];
  if (existsSync(root)) {
    for (const dir of readdirSync(root)) {
      const path = join(root, dir, 'journal.jsonl');
      if (!existsSync(path)) continue;
      try {
        const j = readJournal(path);
        if (j.header.fileHash === hash) candidates.push(j);
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
  return newest;
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
}

export interface BatchResult {
  summary: BatchSummary;
  records: BatchRecord[];
}

/** A new or resumed journal, its session line written. */
export function openJournal(
  p: { id: string; journalPath: string; resumed: JournalRead | undefined; outDir: string; clock: Clock; stations: StationSpec[] },
  setup: BatchSetup,
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
      stations: p.stations.map(stationConfig),
    },
  ]);
  return journal;
}

/** The batch-wide part of every record's configuration. */
export function batchConfig(setup: BatchSetup, clock: Clock, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    stationsFile: setup.stationsFile ? resolve(setup.stationsFile) : null,
    clock: clock instanceof VirtualClock ? 'virtual' : 'real',
    simPace: setup.pace ?? null,
    simSeed: setup.seed,
  };
}

/** Makes every station's port (a driver not in this build is a ConfigError, before anything moves). */
export function makeStations(specs: StationSpec[], clock: Clock, setup: BatchSetup, simTruth?: (line: Record<string, unknown>) => void): Station[] {
  return specs.map((spec) => ({ spec, port: createStationPort(spec, { clock, seed: setup.seed, ...(simTruth ? { simTruth } : {}) }) }));
}

/** Journals and runs the prepared batch's pending jobs, then writes the reports from the whole journal. */
export async function startBatch(p: PreparedBatch, opts: StartOptions): Promise<BatchResult> {
  const truth = p.setup.simTruth ? openSimTruthLog(p.setup.simTruth) : undefined;
  const stations = makeStations(p.stations, p.clock, p.setup, truth?.write);
  opts.onStations?.(() => Promise.all(stations.map((s) => s.port.releaseAll().catch(() => {}))).then(() => {}));
  const journal = openJournal(p, p.setup, { mode: 'file', file: resolve(p.file.path), fileHash: p.file.hash });
  let result: { records: BatchRecord[]; stations: StationStatus[] };
  try {
    const known = p.resumed ? new Set(replay(p.resumed.entries).jobs.keys()) : new Set<string>();
    const fresh = p.pending.filter((pj) => !known.has(pj.job.mac));
    journal.appendMany(
      fresh.map((pj) => ({
        type: 'queued' as const,
        job: pj.job.mac,
        run: 0 as const,
        attempt: 0 as const,
        line: pj.job.line,
        model: pj.job.model.id,
        station: pj.job.station ?? null,
        procedure: pj.job.procedure,
        options: redactedOptions(pj.job.options),
      })),
    );
    result = await drive(
      p.clock,
      runJobs({
        batch: p.id,
        journal,
        clock: p.clock,
        stations,
        jobs: p.pending,
        signal: opts.signal,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        wallClock: p.setup.wallClock,
        resetbotVersion: p.setup.resetbotVersion,
        config: batchConfig(p.setup, p.clock, { batchFile: resolve(p.file.path) }),
      }),
      p.setup.pace,
    );
    journal.append({ type: 'end', at: p.setup.wallClock().toISOString(), aborted: opts.signal.aborted });
  } finally {
    journal.close();
    truth?.close();
  }
  return report(p.id, p.setup.resetbotVersion, resolve(p.file.path), p.journalPath, p.outDir, result.stations, p.bad);
}

/** Rebuilds every phone's record from the whole journal (every session) and writes the reports. */
export function report(
  batch: string,
  resetbot: string,
  file: string | null,
  journalPath: string,
  outDir: string,
  stations: StationStatus[],
  rejected: BadRow[],
): BatchResult {
  const read = readJournal(journalPath);
  const { jobs, sessionMs } = replay(read.entries);
  const records = [...jobs.values()].map((h) => h.final).filter((r): r is BatchRecord => r !== undefined);
  const unfinished = jobs.size - records.length;
  const summary = summarize({ batch, resetbot, file, records, unfinished, sessionMs, stations, rejected, outDir, journal: journalPath });
  writeReports(summary, records);
  return { summary, records };
}
