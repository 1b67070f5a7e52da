import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors/errors.js';
import { fsyncDir } from './atomic.js';
import { outputError, writeAllSync, type OutputError } from './outputs.js';
import type { BatchRecord } from './phone-record.js';

/*
 * The batch journal: JSON lines, append-only, each line written (write(2)) before the batch moves on, so a crash or a
 * kill -9 loses at most the line being written. The lines resume depends on (the header, session, station, queued,
 * started, final, end) are also flushed to disk (fsync) before the batch moves on, so a power cut loses none of them
 * either; a step line is not flushed on its own (about 10 a phone: most of a simulated batch's time and of its disk
 * writes went to those flushes). fsync flushes the whole file, so the next flushed line makes every step line before
 * it durable; a power cut can lose only step lines after the last flushed line, of a run that has no final yet, and
 * such a run is started again from power-off on --resume whatever its steps say. Every line carries the batch id, a
 * sequence number that only grows (across sessions too), the session (1, then 2 after the first --resume...), and the
 * bench-clock time since the session started. Job lines carry the job key (the MAC), the run (how many times the job
 * has been started) and the machine's attempt within the run.
 *
 *   batch    the header, first line: where the jobs come from (file and its SHA-256, or scan mode), the output dir,
 *            and the options that shape the run (stations, profiles, seed, skip-bad), which --resume keeps
 *   session  a session starts (the first, or a --resume): the stations and the clock
 *   station  a station's health: ok (with its driver info) or out (with the reason)
 *   queued   a job is accepted (run 0, attempt 0): its line, model, station, procedure and options
 *   started  a job starts a run on a station (run n, attempt 0)
 *   step     the job's machine entered a state (attempt: the machine's attempt)
 *   final    the job's record: its outcome for this run. The last final of a job is its result.
 *   end      the session ended (normally, or stopped by Ctrl-C: aborted true)
 *
 * Replaying it: a job with a final is done (unless that final is `aborted`: it runs again); a job started without a
 * final was cut off mid-procedure and runs again from power-off; every job is counted once, by its last final.
 */

interface Base {
  seq: number;
  batch: string;
  session: number;
  /** Bench-clock ms since the session started. */
  clockMs: number;
}

export interface BatchHeader {
  type: 'batch';
  mode: 'file' | 'scan';
  /** The batch file's absolute path and SHA-256 (null in scan mode). */
  file: string | null;
  fileHash: string | null;
  stationsFile: string | null;
  /**
   * The other options that shape the run, which --resume keeps (a conflicting value is refused). Absent in journals
   * of older versions. `simStations`: how many simulated stations, without a station file (null with one); `profiles`
   * and `profilesHash`: the --profiles file's absolute path and SHA-256 (null without one); `seed`: the simulated
   * stations' seed; `skipBad`: the batch runs without its bad rows.
   */
  simStations?: number | null;
  profiles?: string | null;
  profilesHash?: string | null;
  seed?: number;
  skipBad?: boolean;
  /** Where the reports go. */
  outDir: string;
  resetbot: string;
  /** Wall-clock start (ISO 8601). */
  at: string;
}

export type JournalEntry = Base &
  (
    | BatchHeader
    | { type: 'session'; at: string; resume: boolean; clock: 'virtual' | 'real'; pace: number | null; stations: unknown[] }
    | { type: 'station'; station: string; status: 'ok' | 'out'; reason?: string; info?: unknown }
    | {
        type: 'queued';
        job: string;
        run: 0;
        attempt: 0;
        line: number;
        model: string;
        station: string | null;
        procedure: string;
        options: unknown;
      }
    | { type: 'started'; job: string; run: number; attempt: 0; station: string; at: string }
    | { type: 'step'; job: string; run: number; attempt: number; station: string; step: string; id?: string; words?: string }
    | { type: 'final'; job: string; run: number; attempt: number; outcome: BatchRecord['outcome']; record: BatchRecord }
    | { type: 'end'; at: string; aborted: boolean }
  );

/** An entry as the caller gives it: the journal adds seq, batch, session and clockMs. */
export type NewEntry = JournalEntry extends infer E ? (E extends Base ? Omit<E, keyof Base> : never) : never;

export class Journal {
  private fd: number;
  private seq: number;
  private closed = false;
  /** Bytes of whole lines on disk: a failed write is cut back to here. */
  private size: number;
  /** The write that failed (disk full, read-only, I/O error): nothing more is written after it. */
  failure: OutputError | undefined;
  /** Called once, when a write fails: the batch stops (every channel released) and reports it. */
  onFailure: ((err: OutputError) => void) | undefined;
  /** Entries appended in this session (after a failure, none). */
  written = 0;
  /** Flushes to disk (fsync) in this session. */
  syncs = 0;
  /** Bytes of the file on disk as of the last flush: what a power cut now would leave. */
  syncedBytes: number;

  private constructor(
    readonly path: string,
    readonly batch: string,
    readonly session: number,
    private readonly clockMs: () => number,
    fd: number,
    lastSeq: number,
  ) {
    this.fd = fd;
    this.seq = lastSeq;
    this.size = fstatSync(fd).size;
    this.syncedBytes = this.size;
  }

  /** Starts a new journal; refuses to overwrite one. */
  static create(path: string, batch: string, clockMs: () => number): Journal {
    if (existsSync(path)) {
      throw new ConfigError('journal-exists', `journal ${path} already exists`, 'resume it with --resume, or give another --journal');
    }
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'wx');
    fsyncDir(dirname(path));
    return new Journal(path, batch, 1, clockMs, fd, 0);
  }

  /**
   * Reopens a journal to continue it in a new session. A torn last line (the write a crash cut short) is cut off
   * first, so the new lines start on a line of their own.
   */
  static resume(read: JournalScan, clockMs: () => number): Journal {
    const fd = openSync(read.path, 'r+');
    if (read.validBytes !== read.totalBytes) {
      ftruncateSync(fd, read.validBytes);
      fsyncSync(fd);
    }
    closeSync(fd);
    const afd = openSync(read.path, 'a');
    return new Journal(read.path, read.header.batch, read.sessions + 1, clockMs, afd, read.lastSeq);
  }

  /**
   * Appends one entry and flushes it to disk before returning. A write that fails does not throw (it may happen inside
   * a running machine): the journal keeps the failure in `failure`, calls `onFailure` once, and writes nothing more.
   */
  append(entry: NewEntry): void {
    this.appendMany([entry]);
  }

  /**
   * Appends entries and flushes them (one flush, after the last). Many entries (queuing a whole batch file at once)
   * are written a chunk at a time: the text of 100,000 lines is never held at once. Returns how many were written.
   */
  appendMany(entries: Iterable<NewEntry>): number {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    let sync = false;
    let count = 0;
    let chunk: string[] = [];
    let chunkBytes = 0;
    const flushChunk = (): boolean => {
      if (chunk.length === 0) return true;
      const lines = chunk.length;
      const bytes = Buffer.from(chunk.join(''), 'utf8');
      chunk = [];
      chunkBytes = 0;
      try {
        writeAllSync(this.fd, bytes);
        this.size += bytes.length;
        this.written += lines;
        return true;
      } catch (err) {
        this.fail(err);
        return false;
      }
    };
    for (const e of entries) {
      const full = { seq: ++this.seq, batch: this.batch, session: this.session, clockMs: Math.round(this.clockMs()), ...e } as JournalEntry;
      count++;
      if (this.failure) continue;
      const line = JSON.stringify(full) + '\n';
      chunk.push(line);
      chunkBytes += line.length;
      sync ||= needsSync(full);
      if (chunkBytes >= APPEND_CHUNK && !flushChunk()) continue;
    }
    if (this.failure || !flushChunk()) return count;
    if (sync) {
      try {
        fsyncSync(this.fd);
        this.syncs++;
        this.syncedBytes = this.size;
      } catch (err) {
        this.fail(err);
      }
    }
    return count;
  }

  /**
   * A write or flush failed: no half line is left behind (the file is cut back to its last whole line; if even that
   * fails, the torn line is dropped when the journal is read). Nothing more is written; the batch is told, and stops.
   */
  private fail(err: unknown): void {
    try {
      ftruncateSync(this.fd, this.size);
    } catch {
      // the disk is failing: readJournal drops a torn last line
    }
    this.failure = outputError(err, this.path, 'the journal');
    this.onFailure?.(this.failure);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** About this many characters of lines are written at a time by appendMany. */
const APPEND_CHUNK = 256 * 1024;

/** Whether a line must be on disk before the batch moves on: every line but a step (see the top of this file). */
function needsSync(e: JournalEntry): boolean {
  return e.type !== 'step';
}

/** A journal read: what scanning it found, and every job's history replayed from it (nothing more is kept). */
export type JournalRead = JournalScan & Replay;

/**
 * Reads a journal line by line (scanJournal: never whole) and replays it as it goes: what is kept is each job's
 * history (a few numbers a job), not its lines. A torn last line is left out; a bad line with good lines after it is
 * corruption: an error.
 */
export function readJournal(path: string): JournalRead {
  const replayer = new Replayer();
  const scan = scanJournal(path, (e) => replayer.add(e));
  return { ...scan, ...replayer.result() };
}

/** What scanning a journal found besides its entries. */
export interface JournalScan {
  path: string;
  header: Base & BatchHeader;
  sessions: number;
  lastSeq: number;
  /** Bytes up to the end of the last complete line; the rest is a torn write. */
  validBytes: number;
  totalBytes: number;
}

/** Chunk size of a journal scan: the memory a scan needs is this plus its longest line. */
const SCAN_CHUNK = 1 << 20;

/**
 * Reads a journal line by line, in chunks (a 100,000-phone journal is never held whole): `each` gets every whole
 * entry with where its line starts in the file and its length in bytes (without the newline), in order. A torn last
 * line is left out; a bad line with good lines after it is corruption: an error.
 */
export function scanJournal(path: string, each: (entry: JournalEntry, offset: number, length: number) => void): JournalScan {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new ConfigError('no-journal', `cannot read journal ${path}`, 'give the journal of the batch to resume with --journal');
  }
  let header: (Base & BatchHeader) | undefined;
  let validBytes = 0;
  let lineNo = 0;
  let torn: number | undefined;
  let sessions = 0;
  let lastSeq = 0;
  let totalBytes = 0;
  const line = (bytes: Buffer, start: number, end: number, whole: boolean, fileOffset: number): void => {
    const text = bytes.toString('utf8', start, end);
    lineNo++;
    let entry: JournalEntry | undefined;
    if (whole) {
      try {
        entry = JSON.parse(text) as JournalEntry;
      } catch {
        entry = undefined;
      }
    }
    if (entry && typeof entry.seq === 'number' && typeof entry.type === 'string') {
      if (torn !== undefined) {
        throw new ConfigError(
          'bad-journal',
          `journal ${path} line ${torn} is damaged but lines after it are whole`,
          'the journal was changed by hand or the disk is failing; keep a copy and start a new batch',
        );
      }
      if (header === undefined) {
        if (entry.type !== 'batch') notAJournal(path);
        header = entry as Base & BatchHeader;
      }
      sessions = Math.max(sessions, entry.session);
      if (entry.seq <= lastSeq) {
        throw new ConfigError('bad-journal', `journal ${path}: sequence number ${entry.seq} after ${lastSeq}`, 'the journal was edited or mixed with another; start a new batch');
      }
      lastSeq = entry.seq;
      each(entry, fileOffset, end - start);
      validBytes = fileOffset + (end - start) + 1;
    } else if (text.trim() !== '' || !whole) {
      torn ??= lineNo;
    }
  };
  try {
    let buf = Buffer.alloc(SCAN_CHUNK);
    let held = 0; // bytes in buf not yet consumed (the start of a line)
    let bufOffset = 0; // file offset of buf[0]
    for (;;) {
      if (held === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger, 0, 0, held);
        buf = bigger;
      }
      const n = readSync(fd, buf, held, buf.length - held, bufOffset + held);
      totalBytes = bufOffset + held + n;
      if (n === 0) {
        if (held > 0) line(buf, 0, held, false, bufOffset);
        break;
      }
      const end = held + n;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, start);
        if (nl < 0 || nl >= end) break;
        line(buf, start, nl, true, bufOffset + start);
        start = nl + 1;
      }
      buf.copy(buf, 0, start, end);
      held = end - start;
      bufOffset += start;
    }
  } finally {
    closeSync(fd);
  }
  if (!header) notAJournal(path);
  return { path, header, sessions, lastSeq, validBytes, totalBytes };
}

/**
 * A journal's header line alone (the first line; the rest is not read): to pick, among many journals, the one of a
 * batch file without scanning each whole.
 */
export function readJournalHeader(path: string): Base & BatchHeader {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SCAN_CHUNK);
    let got = 0;
    let nl = -1;
    while (nl < 0 && got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      nl = buf.indexOf(0x0a, got);
      if (nl >= got + n) nl = -1;
      got += n;
    }
    if (nl < 0) notAJournal(path);
    let entry: JournalEntry;
    try {
      entry = JSON.parse(buf.toString('utf8', 0, nl)) as JournalEntry;
    } catch {
      notAJournal(path);
    }
    if (entry?.type !== 'batch') notAJournal(path);
    return entry as Base & BatchHeader;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a journal is still as a scan left it: the same size, and its last whole line the one the scan saw last (read
 * from the end, not scanned again). Another batch that wrote to it in between appended (or cut a torn tail).
 */
export function journalAsScanned(read: JournalScan): boolean {
  const fd = openSync(read.path, 'r');
  try {
    if (fstatSync(fd).size !== read.totalBytes) return false;
    // The last whole line ends at validBytes - 1 (its newline).
    const end = read.validBytes - 1;
    const start = Math.max(0, end - SCAN_CHUNK);
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) return false;
      got += n;
    }
    const nl = buf.lastIndexOf(0x0a);
    if (nl < 0 && start > 0) return scanJournal(read.path, () => {}).lastSeq === read.lastSeq; // a line longer than a chunk
    try {
      return (JSON.parse(buf.toString('utf8', nl + 1)) as JournalEntry).seq === read.lastSeq;
    } catch {
      return false;
    }
  } finally {
    closeSync(fd);
  }
}

function notAJournal(path: string): never {
  throw new ConfigError('bad-journal', `${path} is not a resetbot batch journal (no header line)`, 'give the journal.jsonl of a batch');
}

/** One entry read again at the place a scan found it (scanJournal's offset and length). */
export function readEntryAt(fd: number, offset: number, length: number): JournalEntry {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) throw new Error(`journal ended inside the line at byte ${offset}`);
    got += n;
  }
  return JSON.parse(buf.toString('utf8')) as JournalEntry;
}

/** What the journal says about one job. */
export interface JobHistory {
  mac: string;
  /** Runs started. */
  runs: number;
  /** Runs started that never got a final (cut off). */
  interrupted: number;
  /** The job's result, as far as resuming needs it: its last final record's outcome and run. */
  final: Pick<BatchRecord, 'outcome' | 'run'> | undefined;
}

export interface Replay {
  jobs: Map<string, JobHistory>;
  /** Bench-clock time each session ran (its last line's clockMs), for throughput across resumes. */
  sessionMs: number[];
}

/** Replays journal entries into each job's history. */
export function replay(entries: Iterable<JournalEntry>): Replay {
  const replayer = new Replayer();
  for (const e of entries) replayer.add(e);
  return replayer.result();
}

/** Replays journal entries one at a time, as a scan reads them: each job's history, nothing else of its lines. */
export class Replayer {
  private readonly jobs = new Map<string, JobHistory>();
  /** Jobs with a run started and no final yet. */
  private readonly open = new Set<string>();
  private readonly sessionMs: number[] = [];

  add(e: JournalEntry): void {
    this.sessionMs[e.session - 1] = Math.max(this.sessionMs[e.session - 1] ?? 0, e.clockMs);
    switch (e.type) {
      case 'queued':
        if (!this.jobs.has(e.job)) this.jobs.set(e.job, { mac: e.job, runs: 0, interrupted: 0, final: undefined });
        break;
      case 'started': {
        const h = this.jobs.get(e.job);
        if (!h) break;
        if (this.open.has(e.job)) h.interrupted++;
        h.runs = Math.max(h.runs, e.run);
        this.open.add(e.job);
        break;
      }
      case 'final': {
        const h = this.jobs.get(e.job);
        if (!h) break;
        h.final = finalOf(e.record.outcome, e.record.run);
        h.runs = Math.max(h.runs, e.run);
        this.open.delete(e.job);
        break;
      }
      default:
        break;
    }
  }

  /** The histories so far; a run still open at the end of the journal was cut off by a crash. */
  result(): Replay {
    for (const job of this.open) this.jobs.get(job)!.interrupted++;
    this.open.clear();
    for (let i = 0; i < this.sessionMs.length; i++) this.sessionMs[i] ??= 0;
    return { jobs: this.jobs, sessionMs: this.sessionMs };
  }
}

/** One frozen object for each outcome and run (a batch has a few), not one a job. */
const finals = new Map<string, Pick<BatchRecord, 'outcome' | 'run'>>();
function finalOf(outcome: BatchRecord['outcome'], run: number): Pick<BatchRecord, 'outcome' | 'run'> {
  const key = `${outcome}/${run}`;
  let f = finals.get(key);
  if (!f) {
    f = Object.freeze({ outcome, run });
    if (finals.size < 4096) finals.set(key, f);
  }
  return f;
}

/** Jobs that still need a run: never finished, cut off mid-run, or stopped by Ctrl-C. */
export function needsRun(h: JobHistory): boolean {
  return h.final === undefined || h.final.outcome === 'aborted';
}
