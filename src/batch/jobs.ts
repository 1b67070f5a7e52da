import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { getCatalog, type Catalog } from '../catalog/catalog.js';
import type { PhoneModel } from '../catalog/types.js';
import { catalogWithProfiles } from '../catalog/user-profiles.js';
import { ConfigError, nearest, ResetbotError } from '../errors/errors.js';
import { resolveRun, type RunChoices, type RunPlan } from '../machines/run-reset.js';
import { simUnitIds } from '../sim/driver.js';
import { parseMac } from '../text-entry/mac.js';
import {
  applyJobOptions,
  chooseProcedure,
  parseJobOptions,
  parseOptionsCell,
  RUN_OPTIONS,
  runChoices,
  secretValues,
  type JobOptions,
  type RunOption,
} from './options.js';
import { isSecretName, Redactor } from './redact.js';

/** One phone to reset: a row of a batch file, or one scan. The MAC is the job's key: one job per phone. */
export interface Job {
  /** 12 lower-case hex digits; the job's key in the journal and the records. */
  mac: string;
  /**
   * The model as this job runs it (its options applied); undefined for a row that names none (empty, or `auto`): the
   * station's network observer hears it from the phone (zero touch), and the run is planned then (`replan`).
   */
  model?: PhoneModel;
  /** The station the row names, if any: the job runs there and nowhere else. */
  station?: string;
  /** The procedure kind: the model's own, or the alternative the row names. */
  procedure: string;
  /** The row's options, as given (secrets too: redact with secretValues before writing them anywhere). */
  options: JobOptions;
  /** The run, decided and planned as `resetbot reset` plans it (resolveRun): what the station runs; undefined without a model. */
  plan?: RunPlan;
  /**
   * A row without a MAC (empty, or `auto`): the MAC comes from the station's network observer (zero touch). `mac` is
   * then the row's key, `auto-<line>`, and `planFor` plans the run once the MAC is heard.
   */
  auto?: { planFor: (mac: string) => RunPlan };
  /** The run planned again for the model as the bench's calibration has it (the row's choices kept). */
  replan: (model: PhoneModel, mac: string) => RunPlan;
  /** The simulated unit a simulated station places for the job: the built-in model it is or extends; undefined
   * when the simulator has none (a profiles-file model defined without `extends`). */
  simModel: string | undefined;
  /** Line in the batch file where the row starts (1-based); 0 for a scanned job. */
  line: number;
  /** Things worth knowing that do not stop the job (a MAC outside Poly's OUIs, an option that changes nothing). */
  warnings: string[];
}

/** A row that cannot run, and why. */
export interface BadRow {
  line: number;
  reason: string;
  /** The row's MAC and model as written (for failures.csv), when it has them. */
  mac?: string;
  model?: string;
}

/** The MAC and model cells of a raw row as written, for the report of a bad row. */
function asWritten(row: RawRow): Pick<BadRow, 'mac' | 'model'> {
  return { ...(text(row.mac) !== '' ? { mac: text(row.mac) } : {}), ...(text(row.model) !== '' ? { model: text(row.model) } : {}) };
}

export interface BatchFile {
  /** The path as given. */
  path: string;
  /** SHA-256 of the file's bytes: a resumed batch must run the same file. */
  hash: string;
  jobs: Job[];
  bad: BadRow[];
  /** How the file was read, worth saying (a CSV separated by semicolons or tabs). */
  notes: string[];
}

/** What a row says before validation: cells as text (CSV) or JSON values. */
export interface RawRow {
  line: number;
  mac: unknown;
  model: unknown;
  station: unknown;
  procedure: unknown;
  options: unknown;
  /** The runner's options given as columns (CSV) or fields (JSON) instead of in `options`. */
  menuReset: unknown;
  adminPassword: unknown;
  software: unknown;
  /** Set when the row cannot even be read as a job (wrong field count, not a JSON object): the row is bad. */
  problem?: string;
}

type Field = keyof Omit<RawRow, 'line' | 'problem'>;

/** Column names (folded: lower case, no spaces, dashes or underscores) and what they mean. */
const COLUMNS: Record<string, Field> = {
  mac: 'mac',
  macaddress: 'mac',
  model: 'model',
  phonemodel: 'model',
  devicemodel: 'model',
  station: 'station',
  procedure: 'procedure',
  options: 'options',
  menureset: 'menuReset',
  adminpassword: 'adminPassword',
  software: 'software',
  softwareversion: 'software',
};
const COLUMN_LIST = 'mac, model, station, procedure, options, menu_reset, admin_password, software';
const REQUIRED = ['mac', 'model'] as const;

const emptyRow = (line: number): RawRow => ({
  line,
  mac: undefined,
  model: undefined,
  station: undefined,
  procedure: undefined,
  options: undefined,
  menuReset: undefined,
  adminPassword: undefined,
  software: undefined,
});

const fold = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');

/** The models rows may name, and the simulated unit of each. */
export interface ModelSource {
  catalog: Catalog;
  /** The built-in model a simulated station places for this model, or undefined when the simulator has none. */
  simModel(model: PhoneModel): string | undefined;
}

/** The built-in catalog, with the models of a profiles file (`--profiles F`) when one is given. */
export function modelSource(profilesPath?: string): ModelSource {
  const { catalog, profiles } = catalogWithProfiles(profilesPath);
  const units = new Set(simUnitIds());
  return {
    catalog,
    simModel: (model) => {
      const id = profiles?.builtinBase[model.id] ?? model.id;
      return units.has(id) ? id : undefined;
    },
  };
}

export interface ValidateContext {
  /** Station names a row may name; a row naming another station is bad. */
  stations: readonly string[];
  /** The models rows may name (default: the built-in catalog). */
  models?: ModelSource;
  /** A row must name its model (a scanned line: the operator gives it, or --model). */
  modelRequired?: boolean;
}

/**
 * Reads a batch file (CSV, or JSON: an array of jobs or `{"jobs": [...]}`; `.jsonl`: a job a line) and validates every
 * row before anything moves. File-level problems (unreadable, no `mac` or `model` column, not valid JSON) throw
 * ConfigError; row-level problems come back in `bad`, each with its line.
 */
export function loadBatchFile(path: string, ctx: ValidateContext): BatchFile {
  const { bytes, hash } = readBatchBytes(path);
  const text = batchText(bytes, path);
  const ext = extname(path).toLowerCase();
  const notes: string[] = [];
  if (ext !== '.json') {
    // A row a line (a quoted cell may span lines: then this counts high): a file far too long is refused before parsing.
    const lines = countRowLines(text);
    const rowsGiven = ext === '.jsonl' || ext === '.ndjson' ? lines : lines - 1;
    if (rowsGiven > MAX_BATCH_ROWS) {
      throw new ConfigError('batch-too-large', `batch file ${path} has ${rowsGiven} rows, more than the ${MAX_BATCH_ROWS} a batch may hold`, 'split it into smaller batches');
    }
  }
  // Each row is validated as it is parsed, and only its job (or why it is bad) is kept: never every row at once.
  const validator = new RowValidator(ctx);
  let rows = 0;
  const each = (row: RawRow) => {
    rows++;
    validator.add(row);
  };
  if (ext === '.json') jsonRows(text, path, each);
  else if (ext === '.jsonl' || ext === '.ndjson') jsonLinesRows(text, each);
  else csvRows(text, path, notes, each);
  if (rows > MAX_BATCH_ROWS) {
    throw new ConfigError('batch-too-large', `batch file ${path} has ${rows} rows, more than the ${MAX_BATCH_ROWS} a batch may hold`, 'split it into smaller batches');
  }
  return { path, hash, jobs: validator.jobs, bad: validator.bad, notes };
}

/** Lines that are neither blank nor a comment, counted without splitting the text. */
function countRowLines(text: string): number {
  let lines = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line !== '' && !line.startsWith('#')) lines++;
    start = end + 1;
  }
  return lines;
}

/** The largest batch file read (README, "Batches"): a batch is a day's bench work, not a database. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** The most rows (phones) a batch file may hold: 100,000 runs in flat memory (bench/batch.ts measures it). */
export const MAX_BATCH_ROWS = 100_000;

/**
 * Reads a batch file as a stream of chunks, hashing as it goes, and stops at MAX_BATCH_BYTES: a huge file is refused
 * in one line without being loaded. A folder, a missing file, a file that cannot be read: one line each.
 */
function readBatchBytes(path: string): { bytes: Buffer; hash: string } {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) {
      const inside = listBatchFiles(path);
      throw new ConfigError(
        'batch-file-is-folder',
        `batch file ${path} is a folder, not a file`,
        inside.length > 0 ? `give one of the files in it, e.g. ${join(path, inside[0]!)}` : 'give the CSV or JSON file of the batch',
      );
    }
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `${code ?? (err as Error).message}`;
    throw new ConfigError('no-batch-file', `cannot read batch file ${path}: ${why}`, 'check the path');
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_BATCH_BYTES) {
        throw new ConfigError(
          'batch-too-large',
          `batch file ${path} is larger than ${MAX_BATCH_BYTES / (1024 * 1024)} MiB, the most a batch file may be (at most ${MAX_BATCH_ROWS} phones)`,
          'split it into smaller batches',
        );
      }
      const part = chunk.subarray(0, n);
      hash.update(part);
      chunks.push(part);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('no-batch-file', `cannot read batch file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the file and its disk');
  } finally {
    closeSync(fd);
  }
  return { bytes: Buffer.concat(chunks, total), hash: hash.digest('hex') };
}

function listBatchFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.(csv|json|jsonl|ndjson)$/i.test(f))
      .sort();
  } catch {
    return [];
  }
}

/** The file's bytes as text, or one line saying it is not a text file (binary, a spreadsheet, not UTF-8). */
function batchText(bytes: Buffer, path: string): string {
  const notText = (what: string, hint: string) => new ConfigError('batch-file-not-text', `batch file ${path} ${what}`, hint);
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw notText('is a ZIP archive (an .xlsx or .ods spreadsheet?), not CSV or JSON', 'save the sheet as CSV (UTF-8) and give that file');
  }
  if (bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    throw notText('is an old Office document (.xls?), not CSV or JSON', 'save the sheet as CSV (UTF-8) and give that file');
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    throw utf16
      ? notText('is UTF-16 text', 'save it as CSV UTF-8 (in Excel: "CSV UTF-8 (comma delimited)")')
      : notText(`is binary, not text (a NUL byte at byte ${nul})`, 'give the CSV or JSON file of the batch');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const line = firstBadUtf8Line(bytes);
    throw notText(`is not UTF-8 text (line ${line})`, 'save it as CSV UTF-8 (in Excel: "CSV UTF-8 (comma delimited)")');
  }
}

/** The line of the first byte sequence that is not UTF-8. */
function firstBadUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** Validates raw rows one at a time: MAC, model, station, procedure, options; duplicates. Good rows become jobs. */
class RowValidator {
  readonly jobs: Job[] = [];
  readonly bad: BadRow[] = [];
  /** The line of each MAC seen (a MAC as a number: 12 hex digits fit a double exactly). */
  private readonly seen = new Map<number | string, number>();

  constructor(private readonly ctx: ValidateContext) {}

  add(row: RawRow): void {
    try {
      const job = validateRow(row, this.ctx);
      const key = /^[0-9a-f]{12}$/.test(job.mac) ? parseInt(job.mac, 16) : job.mac;
      const first = this.seen.get(key);
      if (first !== undefined) {
        this.bad.push({ line: row.line, reason: `MAC ${job.mac.toUpperCase()} is already on line ${first}: one row per phone`, ...asWritten(row) });
        return;
      }
      this.seen.set(key, row.line);
      this.jobs.push(job);
    } catch (err) {
      if (!(err instanceof ResetbotError)) throw err;
      // A reason may quote what the row says (an untypeable admin password): secrets are replaced.
      this.bad.push({ line: row.line, reason: new Redactor(rowSecrets(row)).text(err.oneLine()), ...asWritten(row) });
    }
  }
}

/** A cell as trimmed text ('' when absent). CSV cells and JSON fields (checked by the schema) are strings. */
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** One row to a job, or a ConfigError saying what is wrong with it. */
export function validateRow(row: RawRow, ctx: ValidateContext): Job {
  if (row.problem !== undefined) throw new ConfigError('bad-row', row.problem);
  const macText = text(row.mac);
  // No MAC, or `auto`: the station's network observer hears it (a station with the network; see observe/network).
  const auto = macText === '' || macText.toLowerCase() === 'auto';
  const { mac, warnings } = auto ? { mac: `auto-${row.line}`, warnings: [] as string[] } : parseMac(macText);

  const stationText = text(row.station);
  if (stationText !== '' && !ctx.stations.includes(stationText)) {
    throw new ConfigError(
      'unknown-station',
      `unknown station '${stationText}'`,
      `use one of the stations: ${ctx.stations.join(', ')}${ctx.stations.length > 0 ? ` (nearest: ${nearest(stationText, ctx.stations, 1)[0]})` : ''}`,
    );
  }

  const modelText = text(row.model);
  // No model, or `auto`: the station's network observer hears it from the phone (a station with the network).
  if (modelText === '' || modelText.toLowerCase() === 'auto') {
    if (ctx.modelRequired) throw new ConfigError('unknown-model', 'no model', "give the phone's model, e.g. VVX 410 (see 'resetbot models')");
    if (text(row.procedure) !== '' || Object.keys(parseJobOptions(rawOptions(row))).length > 0) {
      throw new ConfigError('model-needed', 'a procedure or options need the model, and the row names none', "give the phone's model, or leave the procedure and options out");
    }
    return new NetworkModelJob(mac, row.line, stationText === '' ? undefined : stationText, warnings.length > 0 ? warnings : NO_WARNINGS);
  }
  const models = ctx.models ?? builtInModels();
  const base = models.catalog.find(modelText);

  const procedure = chooseProcedure(base, text(row.procedure));
  const options = parseJobOptions(rawOptions(row));
  // Rows of one shape (model, procedure, options, station) share what follows from it, worked out once for them all:
  // the model as they run it, the run's choices and the options' warnings.
  const shape = rowShape(base, procedure, options, stationText === '' ? undefined : stationText, models);
  // Decided and planned as `resetbot reset` does: a bad choice, a missing password, a MAC or password the keypad
  // cannot type fail here, before anything moves.
  // A row without a MAC is checked with a stand-in MAC (every MAC types with the same keys' kinds), planned for real
  // once the network says which phone it is.
  const plan = planRun(shape.planModel, auto ? '0004f2000000' : mac, shape.choices);
  // What a row keeps is its MAC, its line and its warnings, and its shape: one object for every row of the same shape.
  // The plan is not kept with the job (a batch of 100,000 rows would hold 100,000 plans, about 2 KB each): it is made
  // again when a station takes the job (the planner is deterministic: the same plan); the last few made are kept
  // (PLANS), enough for every job on a station at once. The plan's model is the same for every row of a shape (the
  // model with its procedure): the first row's is kept.
  shape.model ??= plan.model;
  return new BatchJob(
    mac,
    row.line,
    shape,
    warnings.length + shape.warnings.length > 0 ? [...warnings, ...shape.warnings] : NO_WARNINGS,
  );
}

/**
 * A row that names no model: the network names it. Its run is planned once the phone is heard (observe/network
 * runPlanWithNetwork, model `auto`), with the model's own procedure and no options; `mac` may be `auto-<line>` too.
 */
class NetworkModelJob implements Job {
  readonly procedure = 'auto';
  readonly options: JobOptions = {};
  readonly simModel = undefined;
  constructor(
    readonly mac: string,
    readonly line: number,
    readonly station: string | undefined,
    readonly warnings: string[],
  ) {}

  /** A row without a MAC either: `mac` is `auto-<line>`. Its plan is made by `replan` once the model is heard. */
  get auto(): { planFor: (mac: string) => RunPlan } | undefined {
    if (!this.mac.startsWith('auto-')) return undefined;
    return {
      planFor: () => {
        throw new Error('a row without a model is planned by replan once the network names the model (bug)');
      },
    };
  }

  replan(model: PhoneModel, mac: string): RunPlan {
    return planRun(model, mac, {});
  }
}

/** How a job is named in messages: `the VVX 410 reset`, or the phone the network will name. */
export function describeJob(job: Job): string {
  return job.model && job.plan ? `the ${job.model.name} ${job.plan.label}` : `the phone of line ${job.line}, whose model the network names`;
}

/** The warnings of the rows that have some, by job. */
const WARNINGS = new WeakMap<Job, string[]>();

// Shared by every row without a warning: frozen, so that a change to one row's list throws instead of reaching the others.
const NO_WARNINGS = Object.freeze([]) as unknown as string[];

/** What rows of one shape share: the model as they run it, the procedure, options and station, the run's choices. */
interface RowShape {
  /** The model with the row's options applied: what the planner plans with. */
  readonly planModel: PhoneModel;
  /** The model as its plan has it (with the procedure chosen), from the shape's first row. */
  model: PhoneModel | undefined;
  readonly procedure: string;
  readonly options: JobOptions;
  readonly choices: RunChoices;
  /** What the options change or not, worth saying (runChoices). */
  readonly warnings: readonly string[];
  readonly simModel: string | undefined;
  readonly station: string | undefined;
}

/**
 * Shapes by the model a row names (its catalog's object: a profiles file's catalog has its own) and the rest of what
 * decides them; a batch file has a few (its models, procedures, options, stations), not one a row.
 */
const shapes = new WeakMap<PhoneModel, Map<string, RowShape>>();
function rowShape(base: PhoneModel, procedure: ReturnType<typeof chooseProcedure>, options: JobOptions, station: string | undefined, models: ModelSource): RowShape {
  let byKey = shapes.get(base);
  if (!byKey) shapes.set(base, (byKey = new Map()));
  const key = JSON.stringify([procedure.kind, options, station ?? null]);
  const known = byKey.get(key);
  if (known) return known;
  const planModel = applyJobOptions(base, procedure, options);
  const { choices, warnings } = runChoices(planModel, procedure, options);
  const shape: RowShape = { planModel, model: undefined, procedure: procedure.kind, options, choices, warnings, simModel: models.simModel(base), station };
  if (byKey.size >= 1024) byKey.clear();
  byKey.set(key, shape);
  return shape;
}

/**
 * A job as a batch holds it, 100,000 at a time: its MAC, line, warnings and a reference to its shape (one shape for
 * all the rows that run the same model the same way); its plan made when asked (PLANS).
 */
class BatchJob implements Job {
  constructor(
    readonly mac: string,
    readonly line: number,
    private readonly shape: RowShape,
    warnings: string[],
  ) {
    if (warnings.length > 0) WARNINGS.set(this, warnings);
  }

  /** What the row says worth knowing (most rows: nothing; kept aside for the few that do). */
  get warnings(): string[] {
    return WARNINGS.get(this) ?? NO_WARNINGS;
  }

  /** A row without a MAC: `mac` is its key (`auto-<line>`), the plan is made for the MAC the network hears. */
  private get macFromNetwork(): boolean {
    return this.mac.startsWith('auto-');
  }

  get model(): PhoneModel {
    return this.shape.model!;
  }

  get procedure(): string {
    return this.shape.procedure;
  }

  get options(): JobOptions {
    return this.shape.options;
  }

  get simModel(): string | undefined {
    return this.shape.simModel;
  }

  get station(): string | undefined {
    return this.shape.station;
  }

  get auto(): { planFor: (mac: string) => RunPlan } | undefined {
    if (!this.macFromNetwork) return undefined;
    return { planFor: (heard: string) => planRun(this.shape.planModel, heard, this.shape.choices) };
  }

  get plan(): RunPlan {
    return PLANS.get(this) ?? PLANS.put(this, this.makePlan());
  }

  makePlan(): RunPlan {
    return planRun(this.shape.planModel, this.macFromNetwork ? '0004f2000000' : this.mac, this.shape.choices);
  }

  /** The run planned again for the model as the bench's calibration has it (the row's choices kept). */
  replan(calibrated: PhoneModel, heard: string): RunPlan {
    return planRun(calibrated, heard, this.shape.choices);
  }
}

/**
 * The job's plan for a look at it once (every station checked against every row before anything moves): made, not
 * kept (a plan kept for a while outlives the young generation and is garbage the old one collects late).
 */
export function planOnce(job: Job): RunPlan {
  return job instanceof BatchJob ? (PLANS.peek(job) ?? job.makePlan()) : job.plan!;
}

/** The plans made last, by job: a small cache in place of a plan kept with every job. */
class RecentPlans {
  private readonly plans = new Map<Job, RunPlan>();
  constructor(private readonly size: number) {}

  get(job: Job): RunPlan | undefined {
    const plan = this.plans.get(job);
    if (plan !== undefined) {
      this.plans.delete(job);
      this.plans.set(job, plan);
    }
    return plan;
  }

  peek(job: Job): RunPlan | undefined {
    return this.plans.get(job);
  }

  put(job: Job, plan: RunPlan): RunPlan {
    this.plans.set(job, plan);
    if (this.plans.size > this.size) this.plans.delete(this.plans.keys().next().value!);
    return plan;
  }
}

const PLANS = new RecentPlans(512);

/** resolveRun, with a password the keypad cannot type said without quoting the password (it is a secret). */
function planRun(model: PhoneModel, mac: string, choices: RunChoices): RunPlan {
  try {
    return resolveRun(model, mac, choices);
  } catch (err) {
    if (!(err instanceof ConfigError) || err.code !== 'untypeable-character' || choices.adminPassword === undefined) throw err;
    throw new ConfigError(
      'untypeable-password',
      `the admin password has a character the ${model.name}'s keypad cannot type (text-entry profile '${model.textEntry.id}')`,
      'check the password; with a profiles file (--profiles F), give the model a text-entry profile that types it',
    );
  }
}

let builtIn: ModelSource | undefined;
function builtInModels(): ModelSource {
  builtIn ??= { catalog: getCatalog(), simModel: modelSource().simModel };
  return builtIn;
}

/** The `options` cell or object. */
function cellOptions(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'string') return parseOptionsCell(v);
  if (typeof v === 'object' && !Array.isArray(v)) return { ...(v as Record<string, unknown>) };
  throw new ConfigError('bad-option', `options must be an object, not ${JSON.stringify(v)}`, 'write options as {"name": value}');
}

/** Given: not absent, not an empty cell. */
const given = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/** The row's options: the `options` cell, with the runner's options given as columns added. */
function rawOptions(row: RawRow): Record<string, unknown> {
  const out = cellOptions(row.options);
  for (const name of RUN_OPTIONS) {
    if (!given(row[name])) continue;
    if (Object.hasOwn(out, name)) {
      throw new ConfigError('bad-option', `option '${name}' is given both as a column and in the options`, 'give it once');
    }
    out[name] = row[name];
  }
  return out;
}

/**
 * The secret values a row holds, read leniently (the row may be bad): its secret-named columns and options, and in an
 * options cell the value of every `name=value` pair whose name is secret.
 */
function rowSecrets(row: RawRow): string[] {
  const columns = Object.fromEntries(RUN_OPTIONS.filter((n: RunOption) => isSecretName(n)).map((n) => [n, row[n]]));
  const cell =
    typeof row.options === 'string'
      ? Object.fromEntries(
          row.options.split(';').flatMap((part) => {
            const eq = part.indexOf('=');
            return eq > 0 ? [[part.slice(0, eq).trim(), part.slice(eq + 1)]] : [];
          }),
        )
      : row.options && typeof row.options === 'object'
        ? (row.options as Record<string, unknown>)
        : {};
  return [...secretValues(columns), ...secretValues(cell)];
}

// ---- CSV --------------------------------------------------------------------------------------------------------

/**
 * CSV rows with their line numbers. A UTF-8 BOM (Excel writes one) is dropped; CRLF and lone CR line ends are read as
 * LF; blank lines and lines starting with `#` are skipped. The first row is the header.
 */
function csvRows(raw: string, path: string, notes: string[], each: (row: RawRow) => void): void {
  const source = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const delimiter = csvDelimiter(source);
  if (delimiter !== ',') notes.push(`is separated by ${delimiter === ';' ? 'semicolons' : 'tabs'}, not commas: read as such`);
  // info.lines is the line where a record ends; a record with line breaks inside quotes started that many lines earlier.
  const startLine = (record: string[], lines: number) => lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
  let columns: Field[] | undefined;
  // The header, then each row as it is parsed (on_record): no record is kept, so the file's rows are never all held.
  const onRecord = (record: string[], info: { lines: number }): null => {
    if (columns === undefined) {
      columns = csvColumns(record, startLine(record, info.lines), path);
      return null;
    }
    const row = emptyRow(startLine(record, info.lines));
    if (record.length !== columns.length) {
      const n = record.length;
      each({ ...row, problem: `the row has ${n} field${n === 1 ? '' : 's'}, the header has ${columns.length} (a missing or extra comma?)` });
      return null;
    }
    columns.forEach((c, i) => (row[c] = record[i]));
    each(row);
    return null;
  };
  try {
    parseCsv(source, {
      relax_column_count: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      delimiter,
      trim: true,
      on_record: onRecord,
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const err = e as Error & { lines?: number };
    throw new ConfigError(
      'bad-batch-file',
      `batch file ${path}: ${err.message.replace(/^(Invalid|Quote)/, (m) => m.toLowerCase())}${err.lines ? ` (line ${err.lines})` : ''}`,
      'fix the CSV there (an unclosed quote runs to the end of the file)',
    );
  }
  if (columns === undefined) throw new ConfigError('bad-batch-file', `batch file ${path} is empty`, 'give a header row (mac,model[,station,procedure,options]) and a row per phone');
}

/** The header's columns, or a ConfigError naming the unknown, missing or repeated one. */
function csvColumns(head: string[], line: number, path: string): Field[] {
  const columns = head.map((name) => {
    const key = COLUMNS[fold(name)];
    if (key === undefined) {
      throw new ConfigError(
        'bad-batch-file',
        `batch file ${path}: unknown column '${name}' in the header (line ${line})`,
        `the columns are ${COLUMN_LIST} (nearest: ${nearest(fold(name), Object.keys(COLUMNS), 1)[0]})`,
      );
    }
    return key;
  });
  for (const need of REQUIRED) {
    if (!columns.includes(need)) {
      throw new ConfigError(
        'bad-batch-file',
        `batch file ${path} has no '${need}' column (header on line ${line}: ${head.join(',')})`,
        `the first row must name the columns: mac,model and optionally the others (${COLUMN_LIST})`,
      );
    }
  }
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) throw new ConfigError('bad-batch-file', `batch file ${path}: column '${dup}' appears twice in the header`, 'keep one (column names are matched without regard to case, spaces, dashes or underscores)');
  return columns;
}

/**
 * The separator of a CSV file: a comma, unless the header (its first line that is not blank or a comment) has none and
 * has semicolons (Excel in many locales) or tabs (a sheet pasted into a text file) between its names.
 */
function csvDelimiter(source: string): ',' | ';' | '\t' {
  const header = source.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  if (header.includes(',')) return ',';
  const parts = (d: string) => header.split(d).filter((n) => n.trim() !== '').length;
  const semi = parts(';');
  const tab = parts('\t');
  if (semi > 1 && semi >= tab) return ';';
  if (tab > 1) return '\t';
  return ',';
}

// ---- JSON -------------------------------------------------------------------------------------------------------

/** A job in a JSON batch. Unknown fields are errors: a misspelt field must not be silently ignored. */
const jsonJob = z.strictObject({
  mac: z.string(),
  model: z.string(),
  station: z.string().optional(),
  procedure: z.string().optional(),
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  menuReset: z.string().optional(),
  adminPassword: z.union([z.string(), z.number()]).optional(),
  software: z.string().optional(),
});
const JSON_FIELDS = 'a job is {"mac", "model"} with optional "station", "procedure", "options", "menuReset", "adminPassword", "software"';

function jsonRows(raw: string, path: string, each: (row: RawRow) => void): void {
  const source = raw.replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (e) {
    throw new ConfigError('bad-batch-file', `batch file ${path} is not valid JSON (${(e as Error).message})`, 'fix the JSON syntax');
  }
  const items = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { jobs?: unknown }).jobs) ? (doc as { jobs: unknown[] }).jobs : undefined;
  if (!items) {
    throw new ConfigError('bad-batch-file', `batch file ${path}: expected an array of jobs or {"jobs": [...]}`, JSON_FIELDS);
  }
  const lines = arrayElementLines(source, Array.isArray(doc) ? [] : ['jobs']);
  items.forEach((item, i) => each(jsonRow(item, lines[i] ?? 0)));
}

function jsonLinesRows(raw: string, each: (row: RawRow) => void): void {
  raw
    .replace(/^\uFEFF/, '')
    .split(/\r\n?|\n/)
    .forEach((lineText, i) => {
      const t = lineText.trim();
      if (t === '' || t.startsWith('#')) return;
      let item: unknown;
      try {
        item = JSON.parse(t);
      } catch (e) {
        each({ ...emptyRow(i + 1), problem: `not valid JSON (${(e as Error).message})` });
        return;
      }
      each(jsonRow(item, i + 1));
    });
}

function jsonRow(item: unknown, line: number): RawRow {
  const parsed = jsonJob.safeParse(item);
  if (!parsed.success) {
    // The most useful problem first: a misspelt field explains the missing one.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
    const field = issue.path.join('.');
    const missing = issue.code === 'invalid_type' && issue.path.length === 1 && item && typeof item === 'object' && !(field in item);
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : issue.path.length === 0
          ? 'a job must be an object'
          : missing
            ? `field '${field}' is missing`
            : `field '${field}': ${issue.message}`;
    return { ...emptyRow(line), problem: `${what} (${JSON_FIELDS})` };
  }
  return { ...emptyRow(line), ...parsed.data };
}

/**
 * The line on which each element of one array starts, for messages. `at` is the path of object keys from the top to
 * the array ([] for a top-level array, ['jobs'] for {"jobs": [...]}). A small scanner: strings, escapes, nesting.
 */
export function arrayElementLines(source: string, at: string[]): number[] {
  const lines: number[] = [];
  // The stack of open containers: for objects, the key whose value is being read.
  const stack: { kind: 'array' | 'object'; key?: string; expectValue: boolean }[] = [];
  let line = 1;
  let lastString = '';
  const path = () => stack.filter((s) => s.kind === 'object').map((s) => s.key ?? '');
  const atTarget = () => {
    const top = stack[stack.length - 1];
    return top?.kind === 'array' && stack.every((s, i) => i === stack.length - 1 || s.kind === 'object') && sameKeys(path(), at);
  };
  const valueStarts = () => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'array' && top.expectValue) {
      if (atTarget()) lines.push(line);
      top.expectValue = false;
    }
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\n') {
      line++;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (ch === '"') {
      valueStarts();
      let s = '';
      for (i++; i < source.length && source[i] !== '"'; i++) {
        if (source[i] === '\\') {
          i++;
          s += source[i];
        } else s += source[i];
        if (source[i] === '\n') line++;
      }
      lastString = s;
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === ':' && top?.kind === 'object') {
      top.key = lastString;
      continue;
    }
    if (ch === ',') {
      if (top?.kind === 'array') top.expectValue = true;
      continue;
    }
    if (ch === '[' || ch === '{') {
      valueStarts();
      stack.push({ kind: ch === '[' ? 'array' : 'object', expectValue: ch === '[' });
      continue;
    }
    if (ch === ']' || ch === '}') {
      stack.pop();
      continue;
    }
    valueStarts(); // a number, true, false or null
    while (i + 1 < source.length && /[^\s,\]}]/.test(source[i + 1]!)) i++;
  }
  return lines;
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
