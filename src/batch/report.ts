import { join } from 'node:path';
import { table } from '../cli/output.js';
import { getCatalog } from '../catalog/catalog.js';
import { paint } from '../progress/render.js';
import { formatMac } from '../text-entry/mac.js';

/** A MAC as reports show it; a row without one keeps its key (`auto-<line>`: the network never said). */
function macCell(mac: string): string {
  return /^[0-9a-f]{12}$/.test(mac) ? formatMac(mac, 'plain') : mac;
}
import { writeFileAtomic } from './atomic.js';
import type { BadRow } from './jobs.js';
import type { BatchRecord } from './phone-record.js';
import type { Outcome } from './record.js';
import type { StationStatus } from './runner.js';

export const OUTCOMES: readonly Outcome[] = ['pass', 'unverified', 'fail', 'error', 'aborted'];

export type Counts = { total: number } & Record<Outcome, number>;

export interface FailureLine {
  mac: string;
  model: string;
  station: string | null;
  line: number;
  outcome: Outcome;
  class: string | null;
  code: string | null;
  reason: string;
}

/** The batch summary: `summary.json`, and with `--json` the one object on stdout. */
/** How a record's phone was named (ResetRecord.identity.by). */
type IdentityBy = 'password' | 'network' | 'screen' | 'label';

export interface BatchSummary {
  batch: string;
  resetbot: string;
  /** The batch file (null in scan mode). */
  file: string | null;
  /** Phones with a record (bad rows are not phones: see `rejected`). */
  total: number;
  byOutcome: Record<Outcome, number>;
  byModel: Record<string, Counts>;
  byStation: Record<string, Counts>;
  /**
   * How each phone's identity was established (the password it accepted, the network, the screen, or only its label),
   * and the runs whose identity rests on the label alone: passed because the operator trusted labels, or left
   * `unverified` because nothing proved which phone it was.
   */
  byIdentity: Record<IdentityBy, number>;
  labelOnly: { passedTrusted: number; unverified: number };
  /** Bench-clock time the batch ran, over every session (virtual time on simulated stations). */
  benchMs: number;
  sessions: number;
  /** Phones that ran on a bench to an end (pass, unverified, fail or error) per hour of bench time; null before any. */
  phonesPerHour: number | null;
  /** Phones accepted into the batch that have no record yet (a session cut short): `--resume` runs them. */
  unfinished: number;
  /** True when every phone has a result (none aborted or left to run): nothing left to resume. */
  complete: boolean;
  stations: StationStatus[];
  /** Phones that did not pass, with why. */
  failures: FailureLine[];
  /** Rows of the batch file that were not run, with their line and why. */
  rejected: BadRow[];
  /** Paths of the per-phone records file (one JSON object a line) and the other reports. */
  records: string;
  journal: string;
  summaryJson: string;
  summaryCsv: string;
  failuresCsv: string;
}

const zero = (): Counts => ({ total: 0, pass: 0, 'device-reset': 0, unverified: 0, fail: 0, error: 0, aborted: 0 });

/** Records in a stable order: the batch file's order, then scans in MAC order. */
export function sortRecords(records: BatchRecord[]): BatchRecord[] {
  return [...records].sort((a, b) => (a.line || Infinity) - (b.line || Infinity) || a.mac.localeCompare(b.mac));
}

/**
 * Counts records one at a time (a batch's records are streamed from its journal, never held together): by outcome,
 * model and station, the phones that ran to an end, and the failures in the order the records came.
 */
export class Tally {
  readonly byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  readonly byModel: Record<string, Counts> = {};
  readonly byStation: Record<string, Counts> = {};
  readonly byIdentity: Record<IdentityBy, number> = { password: 0, network: 0, screen: 0, label: 0 };
  readonly labelOnly = { passedTrusted: 0, unverified: 0 };
  readonly failures: FailureLine[] = [];
  total = 0;
  ended = 0;

  add(r: BatchRecord): void {
    this.total++;
    this.byOutcome[r.outcome]++;
    if (r.identity && r.outcome !== 'aborted') {
      this.byIdentity[r.identity.by]++;
      if (r.identity.by === 'label' && r.outcome === 'pass') this.labelOnly.passedTrusted++;
    }
    if (r.outcome === 'unverified' && r.failure?.code === 'identity-unproven') this.labelOnly.unverified++;
    for (const [map, key] of [
      [this.byModel, r.model],
      [this.byStation, r.station ?? '(none)'],
    ] as const) {
      const c = (map[key] ??= zero());
      c.total++;
      c[r.outcome]++;
    }
    if (r.startedAt !== null && r.outcome !== 'aborted') this.ended++;
    if (r.outcome !== 'pass') {
      this.failures.push({
        mac: r.mac,
        model: r.model,
        station: r.station,
        line: r.line,
        outcome: r.outcome,
        class: r.failure?.class ?? null,
        code: r.failure?.code ?? null,
        reason: r.failure?.reason ?? r.summary,
      });
    }
  }

  /** The summary with these counts (its other fields as given). */
  into(s: BatchSummary): BatchSummary {
    return {
      ...s,
      total: this.total,
      byOutcome: { ...this.byOutcome },
      byModel: this.byModel,
      byStation: this.byStation,
      byIdentity: { ...this.byIdentity },
      labelOnly: { ...this.labelOnly },
      phonesPerHour: s.benchMs > 0 && this.ended > 0 ? round1((this.ended * 3_600_000) / s.benchMs) : null,
      complete: this.byOutcome.aborted === 0 && s.unfinished === 0,
      failures: this.failures,
    };
  }
}

export function summarize(args: {
  batch: string;
  resetbot: string;
  file: string | null;
  records: BatchRecord[];
  unfinished: number;
  sessionMs: number[];
  stations: StationStatus[];
  rejected: BadRow[];
  outDir: string;
  journal: string;
}): BatchSummary {
  const tally = new Tally();
  for (const r of sortRecords(args.records)) tally.add(r);
  const benchMs = args.sessionMs.reduce((a, b) => a + b, 0);
  return tally.into({
    batch: args.batch,
    resetbot: args.resetbot,
    file: args.file,
    total: 0,
    byOutcome: tally.byOutcome,
    byModel: {},
    byStation: {},
    byIdentity: tally.byIdentity,
    labelOnly: tally.labelOnly,
    benchMs,
    sessions: args.sessionMs.length,
    phonesPerHour: null,
    unfinished: args.unfinished,
    complete: false,
    stations: args.stations,
    failures: [],
    rejected: args.rejected,
    records: join(args.outDir, 'records.jsonl'),
    journal: args.journal,
    summaryJson: join(args.outDir, 'summary.json'),
    summaryCsv: join(args.outDir, 'summary.csv'),
    failuresCsv: join(args.outDir, 'failures.csv'),
  });
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Writes records.jsonl, summary.json, summary.csv and failures.csv, each atomically. */
export function writeReports(summary: BatchSummary, records: BatchRecord[]): void {
  writeFileAtomic(summary.records, sortRecords(records).map((r) => JSON.stringify(r) + '\n').join(''));
  writeSummaries(summary);
}

/** Writes summary.json, summary.csv and failures.csv, each atomically (records.jsonl is written apart). */
export function writeSummaries(summary: BatchSummary): void {
  writeFileAtomic(summary.summaryJson, JSON.stringify(summary, null, 2) + '\n');
  writeFileAtomic(summary.summaryCsv, summaryCsv(summary));
  writeFileAtomic(summary.failuresCsv, failuresCsv(summary));
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';

/** One row for the whole batch, then one per model and one per station: counts by outcome. */
export function summaryCsv(s: BatchSummary): string {
  const head = ['group', 'name', 'total', ...OUTCOMES];
  const row = (group: string, name: string, c: Counts) => csvLine([group, name, c.total, ...OUTCOMES.map((o) => c[o])]);
  let out = csvLine(head);
  out += row('batch', s.batch, { total: s.total, ...s.byOutcome });
  for (const [name, c] of Object.entries(s.byModel)) out += row('model', name, c);
  for (const [name, c] of Object.entries(s.byStation)) out += row('station', name, c);
  return out;
}

/** The phones that did not pass, then the rows that never ran (bad rows skipped by --skip-bad: outcome `not-run`). */
export function failuresCsv(s: BatchSummary): string {
  let out = csvLine(['mac', 'model', 'station', 'line', 'outcome', 'class', 'code', 'reason']);
  for (const f of s.failures) out += csvLine([macCell(f.mac), f.model, f.station, f.line, f.outcome, f.class, f.code, f.reason]);
  for (const r of s.rejected) out += csvLine([r.mac ?? '', r.model ?? '', '', r.line, 'not-run', 'config', 'bad-row', r.reason]);
  return out;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** A model's name from the id a record keeps (a profiles-file model the built-in catalog lacks keeps its id). */
function modelName(id: string): string {
  return getCatalog().models.find((m) => m.id === id)?.name ?? id;
}

/** The summary as the terminal shows it: model names, MACs as on the label, outcomes in colour on a terminal. */
export function formatSummary(s: BatchSummary, opts: { colour?: boolean } = {}): string {
  const colour = opts.colour === true;
  const out: string[] = [];
  const rate = s.phonesPerHour === null ? '' : `, ${s.phonesPerHour} phones/h`;
  out.push(`Batch ${s.batch}: ${s.total} phone${s.total === 1 ? '' : 's'} in ${duration(s.benchMs)} of bench time${rate}${s.sessions > 1 ? ` over ${s.sessions} sessions` : ''}`);
  out.push('');
  const n = (o: Outcome, k: number) => (k > 0 ? paint(o, String(k), colour) : String(k));
  const countRows = (m: Record<string, Counts>, name: (key: string) => string = (k) => k) =>
    Object.entries(m).map(([key, c]) => [name(key), String(c.total), ...OUTCOMES.map((o) => n(o, c[o]))]);
  out.push(table(['', 'total', ...OUTCOMES], [['all', String(s.total), ...OUTCOMES.map((o) => n(o, s.byOutcome[o]))]]));
  if (s.total > 0) {
    out.push('');
    out.push(table(['model', 'total', ...OUTCOMES], countRows(s.byModel, modelName)));
    out.push('');
    out.push(table(['station', 'total', ...OUTCOMES], countRows(s.byStation)));
    const id = s.byIdentity;
    if (id) {
      const trusted = (s.labelOnly?.passedTrusted ?? 0) > 0 ? `; ${s.labelOnly.passedTrusted} passed on the label alone (--trust-label)` : '';
      const unproven = (s.labelOnly?.unverified ?? 0) > 0 ? `; ${s.labelOnly.unverified} unverified: nothing proved which phone it was` : '';
      out.push('');
      out.push(`Identity: ${id.password} by the password they took, ${id.network} by the network, ${id.screen} by the screen, ${id.label} by the label alone${trusted}${unproven}`);
    }
  }
  const out_ = s.stations.filter((st) => st.status === 'out');
  if (out_.length > 0) {
    out.push('');
    out.push('Stations taken out:');
    for (const st of out_) out.push(`  ${st.name}: ${st.reason}`);
  }
  if (s.failures.length > 0) {
    out.push('');
    out.push(`Not passed (${s.failures.length}):`);
    out.push(
      table(
        ['mac', 'model', 'station', 'line', 'outcome', 'why'],
        s.failures.map((f) => [macCell(f.mac), modelName(f.model), f.station ?? '-', f.line ? String(f.line) : '-', paint(f.outcome, f.outcome, colour), f.code ? `${f.code}: ${f.reason}` : f.reason]),
      ),
    );
  }
  if (s.rejected.length > 0) {
    out.push('');
    out.push(`Rows not run (${s.rejected.length}):`);
    for (const r of s.rejected) out.push(`  line ${r.line}: ${r.reason}`);
  }
  out.push('');
  out.push(`Records: ${s.records}`);
  out.push(`Summary: ${s.summaryJson}, ${s.summaryCsv}, ${s.failuresCsv}`);
  out.push(`Journal: ${s.journal}`);
  if (!s.complete) out.push(`Some phones were not finished: continue with --resume --journal ${s.journal}`);
  if (s.rejected.length > 0) {
    out.push(`${s.rejected.length} row${s.rejected.length === 1 ? '' : 's'} of the batch file did not run (bad rows, listed in failures.csv): fix ${s.rejected.length === 1 ? 'it' : 'them'} and run them as a batch of their own`);
  }
  return out.join('\n') + '\n';
}
