import type { DriverInfo } from '../bench/types.js';
import type { Failure, Outcome, ResetRecord } from './record.js';

/**
 * The record of one phone in a batch: the reset record (outcome and why, attempts, every step with its time) made
 * self-describing: which batch, station and run, the versions of everything involved, and the configuration used,
 * secrets redacted. `records.jsonl` holds one a line, a phone a line.
 */
export interface BatchRecord extends Omit<ResetRecord, 'bench'> {
  batch: string;
  /** The station that ran the phone; null when no station could take it. */
  station: string | null;
  /** Line of the batch file the job comes from (0 for a scanned phone). */
  line: number;
  /** How many times the job was started, this run included (a resume after a crash starts a cut-off job again). */
  run: number;
  /** Runs before this one that were cut off (a crash, a kill, a power cut) without a result. */
  interruptedRuns: number;
  /** The bench's driver and board; null when the phone never reached a bench. */
  bench: DriverInfo | null;
  versions: {
    resetbot: string;
    /** The board firmware's name and version, from its banner (null on the simulator or when never reached). */
    firmware: string | null;
    protocol: number | null;
    node: string;
  };
  /** Everything that decided how the phone was handled, secrets redacted. */
  config: Record<string, unknown>;
  /** Wall-clock times of the run (ISO 8601); startedAt is null when the job never started. */
  startedAt: string | null;
  endedAt: string;
  warnings: string[];
}

export interface RecordContext {
  batch: string;
  station: string | null;
  line: number;
  run: number;
  interruptedRuns: number;
  resetbotVersion: string;
  config: Record<string, unknown>;
  startedAt: string | null;
  endedAt: string;
  warnings: string[];
}

/** A reset record with its batch context. */
export function batchRecord(reset: ResetRecord, ctx: RecordContext): BatchRecord {
  return {
    ...reset,
    ...context(ctx),
    bench: reset.bench,
    versions: versions(ctx.resetbotVersion, reset.bench),
  };
}

/** The record of a phone that never ran its procedure to an end of its own: no station, a crash, Ctrl-C before start. */
export function recordWithoutRun(
  job: { mac: string; model: string; procedure: string },
  outcome: Outcome,
  failure: Failure | undefined,
  summary: string,
  ctx: RecordContext,
  bench: DriverInfo | null = null,
): BatchRecord {
  return {
    outcome,
    model: job.model,
    mac: job.mac,
    procedure: job.procedure,
    attempts: 0,
    durationMs: 0,
    ...(failure ? { failure } : {}),
    summary,
    attemptLog: [],
    steps: [],
    observed: false,
    identity: { by: 'label', mac: job.mac },
    evidence: [],
    ...context(ctx),
    bench,
    versions: versions(ctx.resetbotVersion, bench),
  };
}

function context(ctx: RecordContext) {
  return {
    batch: ctx.batch,
    station: ctx.station,
    line: ctx.line,
    run: ctx.run,
    interruptedRuns: ctx.interruptedRuns,
    config: ctx.config,
    startedAt: ctx.startedAt,
    endedAt: ctx.endedAt,
    warnings: ctx.warnings,
  };
}

function versions(resetbot: string, bench: DriverInfo | null): BatchRecord['versions'] {
  const fw = bench?.firmware;
  return {
    resetbot,
    firmware: fw ? `${fw.name} ${fw.version}` : null,
    protocol: fw ? fw.protocol : null,
    node: process.version,
  };
}
