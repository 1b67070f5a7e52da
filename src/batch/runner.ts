import { setMaxListeners } from 'node:events';
import type { DriverInfo } from '../bench/types.js';
import type { Clock } from '../clock/clock.js';
import type { StepWords } from '../progress/vocabulary.js';
import { runPlan, type RunPlan } from '../machines/run-reset.js';
import { calibratedModel, type CalibrationStore } from '../calibration/calibration.js';
import { runPlanWithNetwork, type RunHooks } from '../observe/network/networked-run.js';
import { ConfigError, classify } from '../errors/errors.js';
import type { ResetRecord } from './record.js';
import { describeJob, type Job } from './jobs.js';
import type { PhoneModel } from '../catalog/types.js';
import type { Journal } from './journal.js';
import { secretValues } from './options.js';
import { Redactor } from './redact.js';
import { batchRecord, recordWithoutRun, type BatchRecord, type RecordContext } from './phone-record.js';
import type { Failure, Outcome } from './record.js';
import { checkStation, fits, holdsOnePhone, stationConfig, type PhoneSlot, type StationPort, type StationSpec } from './stations.js';

/** Fields of a record that identify it and hold nothing secret. */
const RECORD_IDS = ['batch', 'mac', 'model', 'station', 'line', 'run', 'startedAt', 'endedAt'] as const;

/** A job to run in this session: the run it starts, and how many runs before it were cut off. */
export interface PendingJob {
  job: Job;
  run: number;
  interrupted: number;
  /** The journal being resumed has the job's queued line already. */
  queued?: boolean;
}

export interface Station {
  spec: StationSpec;
  port: StationPort;
}

export interface StationStatus {
  name: string;
  driver: string;
  status: 'ok' | 'out';
  reason?: string;
  info?: DriverInfo;
}

/** What the runner reports as it goes, for live progress. */
export type BatchEvent =
  | { type: 'station'; station: string; status: 'ok' | 'out'; reason?: string }
  | { type: 'started'; station: string; job: Job; run: number }
  | { type: 'state'; station: string; job: Job; state: string; attempt: number; words: StepWords }
  | { type: 'final'; station: string | null; job: Job; record: BatchRecord };

/** What a runner needs besides its jobs. */
export interface RunnerOptions {
  batch: string;
  journal: Journal;
  clock: Clock;
  stations: Station[];
  /** Ctrl-C: running phones are stopped (everything released), the rest are not started. */
  signal: AbortSignal;
  /** The operator vouches for the labels (`--trust-label`). */
  trustLabel?: boolean;
  /** The bench's calibration: what it learned of a model shapes the next phone's plan; what each run learns is kept. */
  calibration?: CalibrationStore;
  onEvent?: (event: BatchEvent) => void;
  /** Wall-clock time for records (ISO 8601 timestamps). */
  wallClock: () => Date;
  resetbotVersion: string;
  /** The batch-wide part of every record's configuration (files, clock, pace, seed). */
  config: Record<string, unknown>;
}

/**
 * Runs jobs on stations and journals every step: health checks, one job on one station, the final record of a job
 * that could not run. `runJobs` (a batch file) and the scan loop are built on it.
 */
export class Runner {
  // No list of records: a batch of 100,000 phones would hold every one. The journal keeps them; onEvent sees each.
  private readonly status = new Map<string, StationStatus>();

  constructor(private readonly opts: RunnerOptions) {
    // Every running phone (and each of its timed presses) listens on the one Ctrl-C signal: many stations, many
    // listeners, no leak.
    setMaxListeners(Math.max(10, 8 * opts.stations.length), opts.signal);
  }

  private emit(e: BatchEvent): void {
    this.opts.onEvent?.(e);
  }

  /** Station statuses in the stations' order (checked ones only). */
  statuses(): StationStatus[] {
    return this.opts.stations.map((s) => this.status.get(s.spec.name)).filter((s): s is StationStatus => s !== undefined);
  }

  statusOf(name: string): StationStatus | undefined {
    return this.status.get(name);
  }

  private setStatus(st: Station, s: StationStatus): void {
    this.status.set(st.spec.name, s);
    this.opts.journal.append({
      type: 'station',
      station: s.name,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.info !== undefined ? { info: s.info } : {}),
    });
    this.emit({ type: 'station', station: s.name, status: s.status, ...(s.reason !== undefined ? { reason: s.reason } : {}) });
  }

  /** Health-checks every station in parallel; returns the healthy ones in the stations' order. */
  async checkAll(pinned: (st: Station) => Job[]): Promise<Station[]> {
    const healthy = new Set<Station>();
    await Promise.all(
      this.opts.stations.map(async (st) => {
        const health = await checkStation(st.spec, st.port, pinned(st));
        this.setStatus(st, {
          name: st.spec.name,
          driver: st.spec.driver,
          status: health.ok ? 'ok' : 'out',
          ...(health.ok ? {} : { reason: health.reason }),
          ...(health.info ? { info: health.info } : {}),
        });
        if (health.ok) healthy.add(st);
      }),
    );
    return this.opts.stations.filter((st) => healthy.has(st));
  }

  /**
   * Checks a station again when its bench failed during a job, or its link dropped since the last check; takes it out
   * if it fails. Returns whether it is still in.
   */
  async recheckIfSuspect(st: Station, last: BatchRecord | undefined): Promise<boolean> {
    const benchFailed = last?.outcome === 'error' && last.failure?.class === 'bench';
    const dropped = st.port.lost();
    if (!benchFailed && dropped === undefined) return true;
    const health = await checkStation(st.spec, st.port, []);
    if (health.ok) return true;
    const why = benchFailed ? `its bench failed on ${last!.mac.toUpperCase()}` : dropped!;
    this.setStatus(st, { name: st.spec.name, driver: st.spec.driver, status: 'out', reason: `${why}; the check after it: ${health.reason}` });
    return false;
  }

  private finalize(p: PendingJob, full: BatchRecord): void {
    // Nothing secret reaches the disk: the job's secret option values, wherever they ended up, and secret-named fields.
    // The record's identifiers are kept whole.
    const record = new Redactor(secretValues(p.job.options)).valueExcept(full, RECORD_IDS);
    this.opts.journal.append({ type: 'final', job: p.job.mac, run: record.run, attempt: record.attempts, outcome: record.outcome, record });
    this.emit({ type: 'final', station: record.station, job: p.job, record });
  }

  private context(p: PendingJob, station: StationSpec | undefined, run: number, startedAt: string | null): RecordContext {
    return {
      batch: this.opts.batch,
      station: station?.name ?? null,
      line: p.job.line,
      run,
      interruptedRuns: p.interrupted,
      resetbotVersion: this.opts.resetbotVersion,
      config: {
        ...this.opts.config,
        ...(station ? { station: stationConfig(station, p.job) } : {}),
        procedure: p.job.procedure,
        options: p.job.options,
        ...(p.job.model ? { timing: p.job.model.timing, textEntry: p.job.model.textEntry.id } : {}),
      },
      startedAt,
      endedAt: this.opts.wallClock().toISOString(),
      warnings: p.job.warnings,
    };
  }

  /** The final record of a job that never started: stopped before its turn, or no station could take it. */
  notRun(p: PendingJob, outcome: Outcome, failure: Failure | undefined, summary: string, station?: Station): void {
    const info = station ? (this.status.get(station.spec.name)?.info ?? null) : null;
    this.finalize(
      p,
      recordWithoutRun(
        { mac: p.job.mac, model: p.job.model?.id ?? 'auto', procedure: p.job.procedure },
        outcome,
        failure,
        summary,
        // A job that never starts keeps the run count it had: nothing ran.
        this.context(p, station?.spec, p.run - 1, null),
        info,
      ),
    );
  }

  /** Runs one job on a station, from its start line to its final record. */
  async runOne(st: Station, p: PendingJob): Promise<BatchRecord> {
    const { journal, clock, signal } = this.opts;
    const startedAt = this.opts.wallClock().toISOString();
    journal.append({ type: 'started', job: p.job.mac, run: p.run, attempt: 0, station: st.spec.name, at: startedAt });
    this.emit({ type: 'started', station: st.spec.name, job: p.job, run: p.run });
    const info = this.status.get(st.spec.name)?.info ?? null;
    let record: BatchRecord;
    let slot: PhoneSlot | undefined;
    try {
      slot = await st.port.load(p.job, p.run);
      const bench = slot.bench;
      // The run as `resetbot reset` runs it: the plan decided when the row was read, planned again for the model as
      // the bench's calibration has it now (what earlier phones of the model taught).
      const job = p.job;
      const cal = job.model ? this.opts.calibration?.get(job.model.id) : undefined;
      const decide = (model: PhoneModel, mac: string): RunPlan => {
        if (model === job.model) return cal ? job.replan(calibratedModel(model, cal), mac) : job.auto ? job.auto.planFor(mac) : job.plan!;
        // A row without a model: planned for the one the network named, as the bench's calibration has it.
        const learned = this.opts.calibration?.get(model.id);
        return job.replan(learned ? calibratedModel(model, learned) : model, mac);
      };
      const runPlanned = (plan: RunPlan, mac: string, hooks: RunHooks = {}): Promise<ResetRecord> =>
        runPlan(plan, {
          mac,
          ...hooks,
          bench,
          clock,
          signal,
          ...(this.opts.trustLabel ? { trustLabel: true } : {}),
          ...(this.opts.calibration ? { calibration: this.opts.calibration } : {}),
          onState: (state, attempt, words) => {
            journal.append({ type: 'step', job: p.job.mac, run: p.run, attempt, station: st.spec.name, step: state, id: words.id, words: words.words });
            this.emit({ type: 'state', station: st.spec.name, job: p.job, state, attempt, words });
          },
        });
      // With the station's network observer: the phone's identity before anything is typed, the reset proven by the
      // probe (observe/network/networked-run.ts), as `reset --sim-network` does.
      const reset = slot.network
        ? (
            await runPlanWithNetwork({
              bench,
              clock,
              ...(signal ? { signal } : {}),
              observer: slot.network,
              label: p.job.auto ? undefined : p.job.mac,
              model: job.model && job.plan ? { model: job.model, firstPlan: job.plan } : 'auto',
              fixture: bench.fixture,
              decide,
              run: runPlanned,
            })
          ).record
        : job.auto || !job.model
          ? await Promise.reject(
              new ConfigError('mac-from-network', `line ${job.line} has no ${job.model ? 'MAC' : 'model'}, and station ${st.spec.name} does not watch its network`, `give the ${job.model ? 'MAC' : 'model'}, or run the row on a station with the network observer`),
            )
          : await runPlanned(decide(job.model, job.mac), job.mac);
      record = batchRecord(cal ? { ...reset, calibration: { phones: cal.phones, keypad: cal.keypad } } : reset, this.context(p, st.spec, p.run, startedAt));
    } catch (err) {
      // The phone could not be placed on the bench, or the run itself threw: an error of its class.
      const c = classify(err);
      record = recordWithoutRun(
        { mac: p.job.mac, model: p.job.model?.id ?? 'auto', procedure: p.job.procedure },
        'error',
        { class: c.failureClass, code: c.code, reason: c.reason },
        `the run could not go on: ${c.reason}`,
        this.context(p, st.spec, p.run, startedAt),
        info,
      );
    }
    if (slot) {
      try {
        await slot.finish(record);
      } catch (err) {
        record.warnings = [...record.warnings, `after the run, the station failed to release: ${classify(err).reason}`];
      }
    }
    this.finalize(p, record);
    return record;
  }

  /** Every station, used or not, healthy or not: solenoids released, relay off, link closed. */
  async teardown(): Promise<void> {
    await Promise.all(
      this.opts.stations.map(async (st) => {
        await st.port.releaseAll().catch(() => {});
        await st.port.close().catch(() => {});
      }),
    );
  }
}

/**
 * Runs the jobs on the stations: a health check on every station first (a station that fails is taken out, with the
 * reason), then every healthy station works the queue in parallel. A job named for a station runs there only; the
 * others go to the first free station whose fixture fits their model. A station whose bench fails during a job is
 * checked again and taken out if it fails: the others carry on. Every job ends with exactly one final record in the
 * journal. Whatever happens, every station is left with its solenoids released and its relay off.
 */
export async function runJobs(opts: RunnerOptions & { jobs: PendingJob[] }): Promise<{ stations: StationStatus[] }> {
  const { signal } = opts;
  const runner = new Runner(opts);
  // The jobs in order; a station takes the first it may. `head`: no job before it is left (taking from the front, as
  // simulated stations do, costs nothing; a splice out of 100,000 jobs a phone would).
  const queue: (PendingJob | undefined)[] = [...opts.jobs];
  let head = 0;
  // A job named for a station runs there; the others go to any simulated station that can run them (its fixture,
  // camera and simulated units: see stationProblems; a real station's jig holds the one phone placed in it: see
  // holdsOnePhone).
  const mayTake = (st: Station, job: Job) =>
    job.station !== undefined ? job.station === st.spec.name : !holdsOnePhone(st.spec) && fits(st.spec, job);

  /** One station's loop: the next job it may take, until none is left or the batch is stopped. */
  const work = async (st: Station): Promise<void> => {
    let last: BatchRecord | undefined;
    while (!signal.aborted) {
      if (!(await runner.recheckIfSuspect(st, last))) return;
      while (head < queue.length && queue[head] === undefined) head++;
      let i = head;
      while (i < queue.length && (queue[i] === undefined || !mayTake(st, queue[i]!.job))) i++;
      if (i >= queue.length) return;
      const p = queue[i]!;
      queue[i] = undefined;
      last = await runner.runOne(st, p);
    }
  };

  try {
    const healthy = await runner.checkAll((st) => opts.jobs.filter((p) => p.job.station === st.spec.name).map((p) => p.job));
    await Promise.all(healthy.map((st) => work(st)));

    // Whatever is left could not run: stopped by the operator, or no healthy station could take it.
    const realStations = opts.stations.some((st) => holdsOnePhone(st.spec));
    for (const p of queue) {
      if (p === undefined) continue;
      if (signal.aborted) {
        runner.notRun(p, 'aborted', undefined, "not started: the batch was stopped (Ctrl-C) before this phone's turn");
        continue;
      }
      const named = p.job.station !== undefined ? opts.stations.find((s) => s.spec.name === p.job.station) : undefined;
      const out = runner.statuses().filter((s) => s.status === 'out');
      const outList = out.map((s) => `${s.name}: ${s.reason}`).join('; ');
      const reason = named
        ? `station ${named.spec.name} is out: ${runner.statusOf(named.spec.name)?.reason ?? 'unknown reason'}`
        : out.length === opts.stations.length
          ? `every station is out (${outList})`
          : `no healthy station fits ${describeJob(p.job)}${realStations ? ' (a real station takes only the row that names it)' : ''}${out.length > 0 ? ` (stations out: ${outList})` : ''}`;
      const allOut = out.length === opts.stations.length;
      runner.notRun(
        p,
        'error',
        { class: named || allOut ? 'bench' : 'config', code: named || allOut ? 'station-out' : 'no-station', reason },
        `not run: ${reason}`,
        named,
      );
    }
  } finally {
    await runner.teardown();
  }
  return { stations: runner.statuses() };
}
