import type { Failure, StepRecord } from '../batch/record.js';
import type { TimingProfile } from '../catalog/types.js';
import type { Clock } from '../clock/clock.js';

/*
 * What every procedure machine keeps for its record, and the retry rule they share: only bench and phone failures
 * are retried, from the start of an attempt (the phone's state is unknown after a failure), within the profile's
 * attempt count and job deadline.
 */

/** The step in progress: closed (with its end time) when the next one starts or the run ends. */
export interface OpenStep {
  step: string;
  attempt: number;
  startMs: number;
  detail?: string;
}

export interface RunLog {
  clock: Clock;
  /** Clock time the run started; step times are relative to it. */
  startMs: number;
  attempt: number;
  steps: StepRecord[];
  open: OpenStep | undefined;
}

/** Closes the open step (if any) and opens `next` (if given): the context update for an XState `assign`. */
export function closeStep(c: RunLog, next: string | undefined, detail?: string): Pick<RunLog, 'steps' | 'open'> {
  const now = c.clock.now();
  const steps = c.open
    ? [
        ...c.steps,
        {
          attempt: c.open.attempt,
          step: c.open.step,
          startMs: c.open.startMs - c.startMs,
          endMs: now - c.startMs,
          ...(c.open.detail !== undefined ? { detail: c.open.detail } : {}),
        },
      ]
    : c.steps;
  return {
    steps,
    open: next ? { step: next, attempt: c.attempt, startMs: now, ...(detail !== undefined ? { detail } : {}) } : undefined,
  };
}

/** Failure codes a retry cannot fix: the job's input is wrong (a wrong admin password, a menu without the reset). */
const NOT_RETRIED = new Set(['admin-password-rejected', 'menu-item-missing']);

export function canRetry(failure: Failure | undefined, attempt: number, timing: TimingProfile, elapsedMs: number): boolean {
  return (
    failure !== undefined &&
    (failure.class === 'phone' || failure.class === 'bench') &&
    !NOT_RETRIED.has(failure.code) &&
    attempt < timing.maxAttempts &&
    elapsedMs < timing.jobDeadlineMs
  );
}
