import type { DriverInfo } from '../bench/types.js';
import type { ResetKind } from '../catalog/types.js';
import type { FailureClass } from '../errors/errors.js';
import type { ProgressLine } from '../progress/render.js';
import type { Evidence } from '../observe/evidence.js';

/**
 * The outcome of one phone, in OpenHTF's sense:
 * - `pass`: the phone is in the state asked for (a factory reset: at factory defaults), seen so by an observer, and
 *   its identity proven (it accepted its own MAC as the password, or the network named it), or vouched for by the
 *   operator (`--trust-label`);
 * - `device-reset`: the combo ran on software before UC Software 4.0.0: a device reset only (seed 001), not factory
 *   defaults;
 * - `unverified`: the procedure ran to its end but nothing watched the phone (a blind bench), or the end was not seen;
 * - `fail`: the phone did not reset (phone failures, after every retry);
 * - `error`: the bench, the configuration or resetbot itself failed;
 * - `aborted`: stopped by the operator (Ctrl-C).
 */
export type Outcome = 'pass' | 'device-reset' | 'unverified' | 'fail' | 'error' | 'aborted';

export interface Failure {
  class: FailureClass;
  code: string;
  reason: string;
}

/** One step of a run, with its bench-clock times (ms since the run started). */
export interface StepRecord {
  attempt: number;
  step: string;
  startMs: number;
  endMs: number;
  detail?: string;
}

export interface AttemptRecord {
  attempt: number;
  /** The combo tried on this attempt (for step procedures: the keys, touch points or buttons they hold or press). */
  combo: string[];
  /** The case the MAC's letters were typed in (procedures that type the MAC only). */
  macCase?: 'lower' | 'upper';
  startMs: number;
  endMs: number;
  result: 'pass' | 'unverified' | 'fail';
  failure?: Failure;
}

/** What a reset run produces: self-describing, one per phone. */
export interface ResetRecord {
  outcome: Outcome;
  model: string;
  mac: string;
  procedure: string;
  attempts: number;
  /** Bench time from start to end. */
  durationMs: number;
  failure?: Failure;
  /** Why the outcome is what it is, in a sentence (for pass and unverified too). */
  summary: string;
  attemptLog: AttemptRecord[];
  steps: StepRecord[];
  bench: DriverInfo;
  observed: boolean;
  /** Which reset a passing run performed: `factory`, `device-reset` (the combo before UC Software 4.0.0), a menu reset... */
  resetKind?: ResetKind;
  /** The phone's application version, as given (--software) or seen on its boot screens. */
  software?: string;
  /** The menu reset the user picked (`menu-reset` only). */
  choice?: string;
  /** How the phone's identity was established: the password it accepted, the network, the screen, or only the label. */
  identity: { by: 'password' | 'network' | 'screen' | 'label'; mac: string };
  /** What proved the phone's identity and its reset, each proof with its source (observe/evidence.ts). */
  evidence: Evidence;
  /** The bench's calibration of the model that the run used (calibration file), when it had one. */
  calibration?: { phones: number; keypad: Record<string, unknown> };
  /** The run step by step as its live progress said it: bench time, attempt, step id and the technician's words. */
  progress?: ProgressLine[];
  /** The MAC the bench's network heard from the phone (the network observer), when it heard one. */
  networkMac?: string;
}
