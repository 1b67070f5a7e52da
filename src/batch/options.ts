import type { PhoneModel, Procedure, TimingProfile } from '../catalog/types.js';
import { ConfigError, nearest } from '../errors/errors.js';
import type { RunChoices } from '../machines/run-reset.js';
import { isSecretName, Redactor } from './redact.js';

/**
 * A job's procedure and options: what a batch row may choose about how its phone is reset. Validated before anything
 * moves; an unknown option name is an error (a typo must not be silently ignored).
 *
 * The procedure is the model's own, or one of its alternatives (catalog `alternatives`), by kind. The options are
 * - the timing figures every procedure runs on (e.g. a lot of slow-booting phones: `cancelDeadlineMs=180000`);
 * - what the `reset` command takes as flags: `menuReset` (--menu-reset: which reset the menu performs),
 *   `adminPassword` (--admin-password: typed instead of the MAC, and required by the menu reset) and `software`
 *   (--software: the phone's UC/SIP software version). A row gives them in its `options` cell or as columns.
 * Values of options whose names mark them secret (`adminPassword`) are redacted in everything written (secretValues).
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

/** The options of the procedure runner (src/machines/run-reset.ts RunChoices), by their batch names. */
export const RUN_OPTIONS = ['menuReset', 'adminPassword', 'software'] as const;
export type RunOption = (typeof RUN_OPTIONS)[number];

const ALL_OPTIONS: readonly string[] = [...RUN_OPTIONS, ...TIMING_OPTIONS];

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
  if (chosen.kind === 'unsupported') {
    throw new ConfigError(
      'unsupported-model',
      `the ${model.name} cannot be reset here: ${chosen.reason}`,
      'leave it out of the batch, or define it with its procedure in a profiles file (--profiles F)',
    );
  }
  return chosen;
}

/** Validates raw options (strings from a CSV cell, or JSON values); throws ConfigError naming the bad one. */
export function parseJobOptions(raw: Record<string, unknown>): JobOptions {
  const out: JobOptions = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!ALL_OPTIONS.includes(name)) {
      throw new ConfigError('bad-option', `unknown option '${name}'`, `did you mean '${nearest(name, ALL_OPTIONS, 1)[0]}'? (options: ${ALL_OPTIONS.join(', ')})`);
    }
    out[name] = (RUN_OPTIONS as readonly string[]).includes(name) ? runOption(name as RunOption, value) : timingOption(name, value);
  }
  return out;
}

/** A timing figure: a CSV cell gives a string, a JSON batch a number; both must be a whole number. */
function timingOption(name: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const min = name === 'resetReboots' ? 0 : 1;
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(
      'bad-option',
      `option '${name}' is ${JSON.stringify(value)}, not a whole number of ${min} or more`,
      name.endsWith('Ms') ? 'give a whole number of ms, e.g. 20000' : 'give a whole number, e.g. 2',
    );
  }
  return n;
}

/** A runner option. The admin password's value is never put in a message: it is a secret. */
function runOption(name: RunOption, value: unknown): string {
  // A JSON batch may give a numeric password (456) as a number.
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' && name === 'adminPassword' ? String(value) : undefined;
  switch (name) {
    case 'adminPassword':
      if (text === undefined || text === '') throw new ConfigError('bad-option', "option 'adminPassword' is empty or not text", 'give the phone\'s admin password, e.g. adminPassword=456');
      return text;
    case 'menuReset':
      if (text === undefined || !/^[a-z]+$/i.test(text)) {
        throw new ConfigError('bad-option', `option 'menuReset' is ${JSON.stringify(value)}`, "give the menu's choice: factory, local, web, device, format or reboot");
      }
      return text.toLowerCase();
    case 'software':
      if (text === undefined || !/^\d+\.\d+\.\d+$/.test(text)) {
        throw new ConfigError('bad-option', `option 'software' is ${JSON.stringify(value)}, not a version x.y.z`, "give it as on the phone's boot screen, e.g. 3.2.7 or 4.0.15");
      }
      return text;
  }
}

/** The model as one job runs it: the chosen procedure, the timing with the job's overrides. */
export function applyJobOptions(model: PhoneModel, procedure: Procedure, options: JobOptions): PhoneModel {
  const timing: Partial<TimingProfile> = {};
  for (const name of TIMING_OPTIONS) if (typeof options[name] === 'number') timing[name] = options[name];
  return { ...model, procedure, timing: { ...model.timing, ...timing } };
}

/**
 * What the job asks of the procedure runner (the `reset` command's --procedure, --menu-reset, --admin-password,
 * --software), checked against the chosen procedure in a batch's words. The runner (resolveRun) checks the rest: the
 * menu's choice, a password the model's keypad can type. `warnings` are options that do not change this procedure.
 */
export function runChoices(model: PhoneModel, procedure: Procedure, options: JobOptions): { choices: RunChoices; warnings: string[] } {
  const menuReset = options.menuReset as string | undefined;
  const adminPassword = options.adminPassword as string | undefined;
  const software = options.software as string | undefined;
  const keypad = procedure.kind === 'cancel-combo' || procedure.kind === 'led-combo';
  const warnings: string[] = [];
  if (menuReset !== undefined && procedure.kind !== 'menu-reset') {
    throw new ConfigError(
      'bad-option',
      `option 'menuReset' goes with the menu-reset procedure, not the ${model.name}'s ${procedure.kind}`,
      'set the procedure to menu-reset, or leave menuReset out',
    );
  }
  if (procedure.kind === 'menu-reset' && adminPassword === undefined) {
    throw new ConfigError('no-admin-password', `the menu reset of the ${model.name} needs its admin password`, 'give it as adminPassword (a column, or adminPassword=... in the options)');
  }
  if (adminPassword !== undefined && !keypad && procedure.kind !== 'menu-reset') {
    throw new ConfigError('bad-option', `the ${model.name}'s ${procedure.kind} procedure types no password`, 'leave adminPassword out of this row');
  }
  if (software !== undefined && !keypad) warnings.push(`software ${software} does not change the ${model.name}'s ${procedure.kind} procedure`);
  return {
    choices: {
      procedure: procedure.kind,
      ...(menuReset !== undefined ? { menuChoice: menuReset } : {}),
      ...(adminPassword !== undefined ? { adminPassword } : {}),
      ...(software !== undefined && keypad ? { software } : {}),
    },
    warnings,
  };
}

/**
 * A CSV cell of options: `name=value` pairs separated by `;`, e.g. `comboHoldMs=20000; maxAttempts=2`. An empty cell
 * is no options.
 */
export function parseOptionsCell(cell: string): Record<string, string> {
  const out: Record<string, string> = {};
  cell.split(';').forEach((part, i) => {
    const item = part.trim();
    if (item === '') return;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      // The item may be a password someone forgot to name: it is not repeated.
      throw new ConfigError('bad-option', `option ${i + 1} of the options is not name=value`, 'write options as name=value pairs separated by ";", e.g. maxAttempts=2; comboHoldMs=20000');
    }
    const name = item.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw new ConfigError('bad-option', `option '${name}' is given twice`, 'give each option once');
    out[name] = item.slice(eq + 1).trim();
  });
  return out;
}

/** The values of options whose names mark them secret, as given (before validation: bad rows are redacted too). */
export function secretValues(options: Record<string, unknown>): string[] {
  return Object.entries(options).flatMap(([k, v]) => (isSecretName(k) && (typeof v === 'string' || typeof v === 'number') && String(v).trim() !== '' ? [String(v).trim()] : []));
}

/** The options as they may be written down: secret values replaced. */
export function redactedOptions(options: JobOptions): JobOptions {
  return new Redactor(secretValues(options)).value(options);
}
