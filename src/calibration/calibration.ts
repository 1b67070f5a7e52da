/**
 * What the bench learns about each model from the phones it runs, kept in a calibration file and used for the next
 * phone of that model: the keypad's mode cycle and first mode (read off the mode softkey's label), whether the mode
 * key commits a pending letter (from which typing worked), and the countdown and window timings seen. A model the
 * file does not know runs on the catalog's profile, which is the seeds' reading.
 *
 * The file is JSON, written atomically (temp file + rename), one entry per model id:
 *   { "version": 1, "models": { "vvx-410": { "phones": 3, "updatedAt": "...", "keypad": {...}, "seen": {...} } } }
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PhoneModel } from '../catalog/types.js';
import { ConfigError } from '../errors/errors.js';
import type { Mode } from '../text-entry/types.js';
import type { RunNotes } from '../machines/factory-reset.js';

export interface ModelCalibration {
  /** Phones of this model whose keypad reset taught it something (a step procedure's restarts count in `confirms`). */
  phones: number;
  updatedAt: string;
  keypad: {
    /** The mode cycle from 123, as the label showed it. */
    cycle?: Mode[];
    initialMode?: Mode;
    /** True: a mode tap committed a pending letter; false: it did not (ignored or dropped it). */
    modeCommits?: boolean;
  };
  seen: {
    /** The longest countdown seen from its first screen to its end or the prompt, ms. */
    countdownMs?: number;
    /** The longest watched reset, from OK to idle after its reboots, ms: a blind bench's schedule. */
    resetMs?: number;
    /** The longest watched combo hold, from the keys down to the prompt, ms. */
    holdMs?: number;
    /** The latest the Cancel softkey was seen after power-on, ms. */
    cancelMs?: number;
    /**
     * A step procedure's `confirm` (the unit's restart after the gesture), by procedure kind: the longest watched, ms,
     * and on how many phones.
     */
    confirms?: Record<string, { ms: number; phones: number }>;
  };
}

export interface CalibrationFile {
  version: 1;
  models: Record<string, ModelCalibration>;
}

/** Where the calibration file lives: RESETBOT_CALIBRATION, else `calibration.json` in the runs folder. */
export function defaultCalibrationPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RESETBOT_CALIBRATION || join(env.RESETBOT_RUNS || 'resetbot-runs', 'calibration.json');
}

export class CalibrationStore {
  readonly path: string;
  private data: CalibrationFile;

  constructor(path: string) {
    this.path = path;
    this.data = CalibrationStore.read(path);
  }

  private static read(path: string): CalibrationFile {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, models: {} };
      throw new ConfigError('calibration-unreadable', `cannot read the calibration file ${path} (${(err as Error).message})`, 'check its permissions, or point RESETBOT_CALIBRATION elsewhere');
    }
    try {
      const parsed = JSON.parse(text) as CalibrationFile;
      if (parsed.version !== 1 || typeof parsed.models !== 'object' || parsed.models === null) throw new Error('not a version 1 calibration file');
      return parsed;
    } catch (err) {
      throw new ConfigError('bad-calibration', `calibration file ${path} is damaged (${(err as Error).message})`, 'move it aside: resetbot starts a new one');
    }
  }

  get(modelId: string): ModelCalibration | undefined {
    return Object.hasOwn(this.data.models, modelId) ? this.data.models[modelId] : undefined;
  }

  all(): Record<string, ModelCalibration> {
    return { ...this.data.models };
  }

  /** Folds what a run learned into the model's entry and writes the file. Returns the entry, or undefined if nothing was learned. */
  learn(modelId: string, learned: Learned, now = new Date()): ModelCalibration | undefined {
    const { confirm, ...keypadRun } = learned;
    const fromKeypadRun = Object.values(keypadRun).some((v) => v !== undefined);
    if (!fromKeypadRun && !confirm) return undefined;
    const old = this.get(modelId);
    const oldConfirm = confirm ? old?.seen.confirms?.[confirm.kind] : undefined;
    const entry: ModelCalibration = {
      // `phones` counts the runs of the keypad reset that taught something (its blind schedule needs two of them); a
      // step procedure's restart keeps its own count, so a menu reset or a reboot never stands in for a watched reset.
      phones: (old?.phones ?? 0) + (fromKeypadRun ? 1 : 0),
      updatedAt: now.toISOString(),
      keypad: {
        ...old?.keypad,
        ...(learned.cycle ? { cycle: learned.cycle } : {}),
        ...(learned.initialMode ? { initialMode: learned.initialMode } : {}),
        // Once a phone of the model is seen not to commit on the mode key, the model is typed safely from then on.
        ...(learned.modeCommits !== undefined ? { modeCommits: old?.keypad.modeCommits === false ? false : learned.modeCommits } : {}),
      },
      seen: {
        ...old?.seen,
        ...(learned.countdownMs !== undefined ? { countdownMs: Math.max(learned.countdownMs, old?.seen.countdownMs ?? 0) } : {}),
        ...(learned.resetMs !== undefined ? { resetMs: Math.max(learned.resetMs, old?.seen.resetMs ?? 0) } : {}),
        ...(learned.holdMs !== undefined ? { holdMs: Math.max(learned.holdMs, old?.seen.holdMs ?? 0) } : {}),
        ...(learned.cancelMs !== undefined ? { cancelMs: Math.max(learned.cancelMs, old?.seen.cancelMs ?? 0) } : {}),
        ...(confirm
          ? { confirms: { ...old?.seen.confirms, [confirm.kind]: { ms: Math.max(confirm.ms, oldConfirm?.ms ?? 0), phones: (oldConfirm?.phones ?? 0) + 1 } } }
          : {}),
      },
    };
    this.data = { version: 1, models: { ...this.data.models, [modelId]: entry } };
    this.write();
    return entry;
  }

  /** Why the file could not be written, once it could not (what was learned stays in memory for this process). */
  writeError: string | undefined;

  /** Writes the file; one that cannot be written is a warning, said once: a run is never lost to its calibration. */
  private write(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`);
      renameSync(tmp, this.path);
    } catch (err) {
      if (this.writeError === undefined) {
        process.stderr.write(`resetbot: warning: the calibration file ${this.path} was not written (${(err as Error).message}); what this run learned is kept for this session only\n`);
      }
      this.writeError = (err as Error).message;
    }
  }
}

/** What one run taught. */
export interface Learned {
  cycle?: Mode[];
  initialMode?: Mode;
  modeCommits?: boolean;
  countdownMs?: number;
  resetMs?: number;
  holdMs?: number;
  cancelMs?: number;
  /** A step procedure's watched confirm: its kind and how long it took. */
  confirm?: { kind: string; ms: number };
}

/** The cycle the label's transitions trace from 123, when they close it. */
function cycleOf(transitions: Array<[Mode, Mode]>): Mode[] | undefined {
  const next = new Map<Mode, Mode>();
  for (const [a, b] of transitions) next.set(a, b);
  const cycle: Mode[] = ['123'];
  for (let m = next.get('123'); m !== undefined && m !== '123'; m = next.get(m)) {
    if (cycle.includes(m)) return undefined;
    cycle.push(m);
  }
  return next.get(cycle.at(-1)!) === '123' ? cycle : undefined;
}

/** What a run's notes teach about its model (nothing from a blind run: it saw nothing). */
export function learnedFrom(notes: RunNotes | undefined, failureCodes: string[], procedureKind?: string): Learned {
  const out: Learned = {};
  if (!notes) return out;
  const t = notes.typing;
  if (t) {
    const cycle = cycleOf(t.transitions);
    if (cycle) out.cycle = cycle;
    if (t.initialMode) out.initialMode = t.initialMode;
  }
  if (failureCodes.includes('pending-discarded') || (t?.ignoredModeTaps ?? 0) > 0 || (t?.pendingDiscarded ?? 0) > 0) out.modeCommits = false;
  else if (notes.passedModeCommits === true) out.modeCommits = true;
  if (notes.countdownSeenMs !== undefined) out.countdownMs = notes.countdownSeenMs;
  if (notes.resetTookMs !== undefined && notes.resetTookMs > 0) out.resetMs = notes.resetTookMs;
  if (notes.holdTookMs !== undefined && notes.holdTookMs > 0) out.holdMs = notes.holdTookMs;
  if (notes.cancelSeenMs !== undefined && notes.cancelSeenMs > 0) out.cancelMs = notes.cancelSeenMs;
  if (procedureKind !== undefined && notes.confirmTookMs !== undefined && notes.confirmTookMs > 0) out.confirm = { kind: procedureKind, ms: notes.confirmTookMs };
  return out;
}

/** A blind reset's wait: the longest watched reset times this, plus BLIND_SLACK_MS. */
export const BLIND_MARGIN = 1.25;
export const BLIND_SLACK_MS = 30_000;

/**
 * A blind bench's wait for a step procedure's `confirm` (the unit's restart, which it cannot see): the longest the
 * camera watched on two or more phones of the model, with the same margin as the blind reset wait; undefined (the
 * procedure's own deadline) until then.
 */
export function blindConfirmMs(cal: ModelCalibration | undefined, procedureKind: string): number | undefined {
  const watched = cal?.seen?.confirms?.[procedureKind];
  return watched && watched.phones >= 2 ? Math.round(watched.ms * BLIND_MARGIN + BLIND_SLACK_MS) : undefined;
}

/** The model as calibration has it: its text-entry profile with the cycle, first mode and commit rule learned. */
export function calibratedModel(model: PhoneModel, cal: ModelCalibration | undefined): PhoneModel {
  if (!cal) return model;
  const k = cal.keypad;
  const te = model.textEntry;
  const cycle = k.cycle && k.cycle.every((m) => ['123', 'abc', 'ABC'].includes(m)) ? k.cycle : te.cycle;
  const initialMode = k.initialMode && cycle.includes(k.initialMode) ? k.initialMode : cycle.includes(te.initialMode) ? te.initialMode : cycle[0]!;
  // A blind bench keeps the power on for the longest reset its camera watched on two or more phones of the model,
  // with a margin, instead of the seeds' widest figure.
  const watched = cal.seen?.resetMs !== undefined && cal.phones >= 2 ? cal.seen.resetMs : undefined;
  const blindResetMs = watched !== undefined ? Math.min(model.timing.rebootTimeoutMs, Math.round(watched * BLIND_MARGIN + BLIND_SLACK_MS)) : undefined;
  // And holds the combo for the longest hold it watched, x1.5 + 1 s (the seeds' "few seconds"), never past the profile's.
  const held = cal.seen?.holdMs !== undefined && cal.phones >= 2 ? cal.seen.holdMs : undefined;
  const blindHoldMs = held !== undefined ? Math.min(model.timing.comboHoldMs, Math.round(held * 1.5 + 1_000)) : undefined;
  // And presses Cancel just after the latest the camera saw it appear (the window stays open some seconds).
  const cancelAfterMs = cal.seen?.cancelMs !== undefined && cal.phones >= 2 ? Math.round(cal.seen.cancelMs + 500) : undefined;
  const timing = {
    ...model.timing,
    ...(blindResetMs !== undefined ? { blindResetMs } : {}),
    ...(blindHoldMs !== undefined ? { blindHoldMs } : {}),
    ...(cancelAfterMs !== undefined ? { cancelAfterMs } : {}),
  };
  return {
    ...model,
    textEntry: { ...te, cycle, initialMode, ...(k.modeCommits !== undefined ? { modeCommits: k.modeCommits, modeCommitsWatched: k.modeCommits } : {}) },
    ...(blindResetMs !== undefined || blindHoldMs !== undefined || cancelAfterMs !== undefined ? { timing } : {}),
  };
}
