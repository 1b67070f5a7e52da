import type { PhoneModel, Procedure, TimingProfile } from '../catalog/types.js';
import { ConfigError, nearest } from '../errors/errors.js';
import { isSecretName, Redactor } from './redact.js';

/**
 * A job's procedure and options: what a batch row may choose about how its phone is reset. Validated before anything
 * moves; an unknown option name is an error (a typo must not be silently ignored).
 *
 * The procedure is the model's own, or one of its alternatives (catalog `alternatives`), by kind. The options are the
 * timing figures every procedure runs on (e.g. a lot of slow-booting phones: `cancelDeadlineMs=180000`). A procedure
 * that comes to take options of its own (a menu choice, an admin password) adds their names and checks to
 * parseJobOptions; values of options whose names mark them secret are redacted in everything written (secretValues).
 */
export type JobOptions = Record<string, number | string | boolean>;

/** The timing figures a job may override for its phone: ms, or counts. */
const TIMING_OPTIONS = [
  'powerOffMs',
  'cancelDeadlineMs',
  'cancelAfterMs',
  'countdownMs',
  'comboHoldMs',
  'comboAfterCancelMs',
  'promptSettleMs',
  'answerTimeoutMs',
  'rebootTimeoutMs',
  'resetReboots',
  'keyTapMs',
  'keyGapMs',
  'maxAttempts',
  'jobDeadlineMs',
] as const satisfies readonly (keyof TimingProfile)[];

/** The procedures a model may be reset with: its own first, then its alternatives. */
export function proceduresOf(model: PhoneModel): Procedure[] {
  return [model.procedure, ...(model.alternatives ?? [])];
}

/** The model's procedure of this kind (empty: its own); ConfigError when it has none such or cannot be reset. */
export function chooseProcedure(model: PhoneModel, kind: string): Procedure {
  const all = proceduresOf(model);
  const chosen = kind === '' ? model.procedure : all.find((p) => p.kind === kind);
  if (!chosen) {
    throw new ConfigError(
      'wrong-procedure',
      `the ${model.name} has no procedure '${kind}'`,
      `use ${all.map((p) => `'${p.kind}'`).join(' or ')}, or leave the procedure column empty for the model's own`,
    );
  }
  if (chosen.kind === 'unsupported') throw new ConfigError('unsupported-model', `the ${model.name} cannot be reset here: ${chosen.reason}`, 'leave it out of the batch');
  return chosen;
}

/** Validates raw options (strings from a CSV cell, or JSON values); throws ConfigError naming the bad one. */
export function parseJobOptions(raw: Record<string, unknown>): JobOptions {
  const out: JobOptions = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(TIMING_OPTIONS as readonly string[]).includes(name)) {
      throw new ConfigError(
        'bad-option',
        `unknown option '${name}'`,
        `did you mean '${nearest(name, TIMING_OPTIONS, 1)[0]}'? (options: ${TIMING_OPTIONS.join(', ')})`,
      );
    }
    // A CSV cell gives strings, a JSON batch numbers: both must be a whole number.
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    const min = name === 'resetReboots' ? 0 : 1;
    if (!Number.isInteger(n) || n < min) {
      throw new ConfigError(
        'bad-option',
        `option '${name}' is ${JSON.stringify(value)}, not a whole number of ${min} or more`,
        name.endsWith('Ms') ? 'give a whole number of ms, e.g. 20000' : 'give a whole number, e.g. 2',
      );
    }
    out[name] = n;
  }
  return out;
}

/** The model as one job runs it: the chosen procedure, the timing with the job's overrides. */
export function applyJobOptions(model: PhoneModel, procedure: Procedure, options: JobOptions): PhoneModel {
  const timing: Partial<TimingProfile> = {};
  for (const name of TIMING_OPTIONS) if (typeof options[name] === 'number') timing[name] = options[name];
  return { ...model, procedure, timing: { ...model.timing, ...timing } };
}

/**
 * A CSV cell of options: `name=value` pairs separated by `;`, e.g. `comboHoldMs=20000; maxAttempts=2`. An empty cell
 * is no options.
 */
export function parseOptionsCell(cell: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of cell.split(';')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError('bad-option', `option '${item}' is not name=value`, 'write options as name=value pairs separated by ";", e.g. maxAttempts=2; comboHoldMs=20000');
    }
    const name = item.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw new ConfigError('bad-option', `option '${name}' is given twice`, 'give each option once');
    out[name] = item.slice(eq + 1).trim();
  }
  return out;
}

/** The values of a job's secret options (by name): records, journal and reports show them as `***` wherever they appear. */
export function secretValues(options: JobOptions): string[] {
  return Object.entries(options).flatMap(([k, v]) => (isSecretName(k) && (typeof v === 'string' || typeof v === 'number') ? [String(v)] : []));
}

/** The options as they may be written down: secret values replaced. */
export function redactedOptions(options: JobOptions): JobOptions {
  return new Redactor(secretValues(options)).value(options);
}
